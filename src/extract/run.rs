//! The parent side: one extraction in a child process (`oasys extract-worker`), in its own
//! process group so that the time limit kills it and any tool it started; its output read up to
//! the text cap; a panic, an abort (memory) or a kill reported as a failed extraction with a reason.

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::Stdio;

use tokio::io::AsyncReadExt;

use super::worker::{WorkerArgs, decode};
use super::{ExtractError, Extracted, Format, Limits, Tools};

/// Room for the header line beyond the text cap.
const HEADER_ROOM: usize = 256;

/// Extracts the text of the file at `input` in a child process of `exe` (this binary; tests
/// pass the built `oasys`). `work_dir` is the job's own directory (the caller removes it).
pub async fn extract_in_child(
    exe: &Path,
    format: Format,
    input: &Path,
    work_dir: &Path,
    limits: &Limits,
    tools: &Tools,
) -> Result<Extracted, ExtractError> {
    let mut child = tokio::process::Command::new(exe)
        .args(WorkerArgs::command_line(format, input, work_dir, limits, tools))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("RUST_BACKTRACE", "0")
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| ExtractError::Io(format!("the extraction worker did not start: {e}")))?;
    let pid = child.id();
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let cap = (limits.max_text_bytes + HEADER_ROOM) as u64;
    let read = async {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let read_out = async {
            if let Some(s) = stdout.as_mut() {
                let _ = s.take(cap).read_to_end(&mut out).await;
            }
            // Past the cap the child is not listened to any more: stopped here, not after the
            // join, since a child still writing keeps its stderr open and that read never ends.
            if out.len() as u64 >= cap {
                kill_group(pid);
            }
        };
        let read_err = async {
            if let Some(s) = stderr.as_mut() {
                let _ = s.take(8192).read_to_end(&mut err).await;
            }
        };
        tokio::join!(read_out, read_err);
        let status = child.wait().await;
        (out, err, status)
    };
    let (out, err, status) = match tokio::time::timeout(limits.timeout, read).await {
        Ok(done) => done,
        Err(_) => {
            kill_group(pid);
            return Err(ExtractError::Timeout(limits.timeout.as_secs()));
        }
    };
    let status = status.map_err(|e| ExtractError::Io(format!("the extraction worker: {e}")))?;
    let text = String::from_utf8_lossy(&out);
    if status.success() || out.len() as u64 >= cap {
        return match decode(&text) {
            Some(Ok(mut x)) => {
                x.text = super::text::cap(x.text, limits.max_text_bytes);
                Ok(x)
            }
            Some(Err(e)) => Err(e),
            None => Err(ExtractError::Crashed("the worker's answer was not understood".into())),
        };
    }
    Err(ExtractError::Crashed(why(
        &status,
        &String::from_utf8_lossy(&err),
        limits,
    )))
}

/// The reason a child ended without an answer, in words for the user.
fn why(status: &std::process::ExitStatus, stderr: &str, limits: &Limits) -> String {
    if stderr.contains("memory allocation of") || stderr.contains("out of memory") {
        return format!(
            "the file needs more than the {} MiB of memory a reader may use",
            limits.max_memory >> 20
        );
    }
    if let Some(at) = stderr.find("panicked at") {
        let message = stderr.get(at..).and_then(|s| s.lines().nth(1)).unwrap_or("").trim();
        return format!("the reader could not make sense of this file ({message})");
    }
    match status.signal() {
        Some(libc::SIGKILL) => "the reader was stopped (killed)".into(),
        Some(libc::SIGABRT) => "the reader aborted on this file".into(),
        Some(libc::SIGSEGV) | Some(libc::SIGBUS) => "the reader crashed on this file".into(),
        Some(n) => format!("the reader stopped on signal {n}"),
        None => format!("the reader exited with status {}", status.code().unwrap_or(-1)),
    }
}

/// Kills the child's process group (the child made it its own with `process_group(0)`), so a
/// tesseract or pdftoppm it started goes too.
fn kill_group(pid: Option<u32>) {
    let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()).filter(|p| *p > 0) else {
        return;
    };
    // SAFETY: kill(2) takes plain integers and touches no memory of this process. `-pid` names
    // the group the child leads (spawned with process_group(0)); pid > 0, so this is never
    // kill(0) or kill(-1) (our own group, every process).
    unsafe {
        libc::kill(-pid, libc::SIGKILL);
    }
}

#[cfg(test)]
#[path = "run_tests.rs"]
mod tests;
