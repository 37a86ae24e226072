//! The external programs OCR needs, found on `PATH` at start-up: `tesseract` (OCR) and `pdftoppm`
//! (poppler-utils: a scanned PDF's pages as images). Without them the rest of extraction works;
//! images then end `unsupported`. `oasys doctor` shows what was found.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::ExtractError;

/// What this server can run. `Tools::default()` has nothing (no OCR).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tools {
    pub tesseract: Option<PathBuf>,
    /// `tesseract --version`'s first line, e.g. "tesseract 5.3.0".
    pub tesseract_version: Option<String>,
    /// The languages OCR reads, `eng+deu` (installed traineddata, `osd` left out; at most 3).
    pub languages: String,
    pub pdftoppm: Option<PathBuf>,
}

impl Tools {
    /// Looks the programs up on `PATH` and asks tesseract its version and languages. Blocking
    /// (two short process runs): call it off the async workers.
    pub fn detect() -> Tools {
        let mut tools = Tools::default();
        if let Some(path) = which("tesseract") {
            let version = output(Command::new(&path).arg("--version"));
            if let Some(version) = version {
                tools.tesseract_version = version.lines().next().map(|l| l.trim().to_owned());
                let langs = output(Command::new(&path).arg("--list-langs")).unwrap_or_default();
                tools.languages = pick_languages(&langs);
                tools.tesseract = Some(path);
            }
        }
        tools.pdftoppm = which("pdftoppm");
        tools
    }

    /// One line for logs and `oasys doctor`.
    pub fn describe(&self) -> String {
        match (&self.tesseract_version, &self.pdftoppm) {
            (Some(v), Some(_)) => format!("{v} ({}); scanned PDFs through pdftoppm", self.languages),
            (Some(v), None) => format!(
                "{v} ({}); scanned PDFs are not read: install poppler-utils for pdftoppm",
                self.languages
            ),
            (None, _) => "not available: install tesseract-ocr (and poppler-utils) to read images and scans".into(),
        }
    }

    /// The command-line arguments that hand these tools to `oasys extract-worker`.
    pub fn to_args(&self) -> Vec<String> {
        let mut args = Vec::new();
        if let Some(t) = &self.tesseract {
            args.extend(["--tesseract".into(), t.display().to_string()]);
            args.extend(["--languages".into(), self.languages.clone()]);
        }
        if let Some(p) = &self.pdftoppm {
            args.extend(["--pdftoppm".into(), p.display().to_string()]);
        }
        args
    }
}

/// The installed languages to read with: English and up to two others, `osd` left out.
fn pick_languages(list: &str) -> String {
    let mut langs: Vec<&str> = list
        .lines()
        .skip(1) // "List of available languages in ... (N):"
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != "osd" && !l.contains(' '))
        .collect();
    langs.sort_by_key(|l| *l != "eng");
    langs.truncate(3);
    if langs.is_empty() {
        "eng".into()
    } else {
        langs.join("+")
    }
}

/// The first executable file called `name` in `PATH`.
fn which(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0))
}

/// Stdout (or, for programs that print their version there, stderr) of a successful short run.
fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.stdin(Stdio::null()).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = if out.stdout.is_empty() { out.stderr } else { out.stdout };
    Some(String::from_utf8_lossy(&text).into_owned())
}

/// Runs a tool to the end and returns at most `cap` bytes of its stdout. Called in the child only:
/// the parent's time limit kills the child's whole process group, this tool included.
pub(crate) fn run_capped(cmd: &mut Command, cap: usize, what: &str) -> Result<String, ExtractError> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("OMP_THREAD_LIMIT", "1")
        .spawn()
        .map_err(|e| ExtractError::Io(format!("{what} did not start: {e}")))?;
    // Stderr is drained beside stdout, so a chatty tool never blocks on a full pipe; its first
    // 4 KiB are the reason shown when the tool fails.
    let stderr = child.stderr.take().map(|mut stderr| {
        std::thread::spawn(move || {
            let mut err = Vec::new();
            let _ = (&mut stderr).take(4096).read_to_end(&mut err);
            let _ = std::io::copy(&mut stderr, &mut std::io::sink());
            err
        })
    });
    let mut out = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        stdout
            .take(cap as u64)
            .read_to_end(&mut out)
            .map_err(|e| ExtractError::Io(format!("{what}: {e}")))?;
    }
    // Past the cap the rest is not wanted: stop the tool rather than wait for it.
    if out.len() >= cap {
        let _ = child.kill();
    }
    let status = child.wait().map_err(|e| ExtractError::Io(format!("{what}: {e}")))?;
    let err = stderr.and_then(|t| t.join().ok()).unwrap_or_default();
    if !status.success() && out.len() < cap {
        let reason = String::from_utf8_lossy(&err);
        let reason = reason
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no reason given");
        return Err(ExtractError::Crashed(format!("{what} failed: {}", reason.trim())));
    }
    Ok(super::text::cap(String::from_utf8_lossy(&out).into_owned(), cap))
}

/// OCR of one image file: `tesseract IMAGE stdout -l LANGS`.
pub(crate) fn ocr(tesseract: &Path, languages: &str, image: &Path, cap: usize) -> Result<String, ExtractError> {
    let mut cmd = Command::new(tesseract);
    cmd.arg(image).arg("stdout");
    if !languages.is_empty() {
        cmd.arg("-l").arg(languages);
    }
    run_capped(&mut cmd, cap, "tesseract")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_first_and_at_most_three_languages() {
        let list =
            "List of available languages in \"/usr/share/tesseract-ocr/5/tessdata/\" (5):\ndeu\neng\nfra\nosd\nspa\n";
        assert_eq!(pick_languages(list), "eng+deu+fra");
        assert_eq!(pick_languages(""), "eng");
    }

    #[test]
    fn a_missing_program_is_not_found() {
        assert_eq!(which("oasys-no-such-program"), None);
    }
}
