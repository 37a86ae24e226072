//! The archive file: tar, zstd-compressed on two threads, optionally encrypted
//! ([`super::crypt`]). Written under a temporary name, fsynced, read back and checked, and only
//! then renamed to its final name, so a failed or killed backup never leaves a partial file
//! where a good one is expected.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::BackupError;
use super::crypt::{self, DecryptReader, EncryptWriter};
use super::manifest::{self, FileMember, Manifest};
use crate::domain::ledger::chain::hex;

/// zstd level 3 (its default): about 7× on ledger pages at several hundred MB/s per thread.
const ZSTD_LEVEL: i32 = 3;
const MANIFEST_MAX: u64 = 64 * 1024 * 1024;

/// Below zstd: the file itself, or the file behind the encryption layer.
enum Sink {
    Plain(BufWriter<File>),
    Encrypted(EncryptWriter<BufWriter<File>>),
}

impl Write for Sink {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Plain(w) => w.write(b),
            Sink::Encrypted(w) => w.write(b),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Plain(w) => w.flush(),
            Sink::Encrypted(w) => w.flush(),
        }
    }
}

pub struct ArchiveWriter {
    tar: tar::Builder<zstd::Encoder<'static, Sink>>,
    tmp: PathBuf,
}

fn io_at(path: &Path) -> impl Fn(io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// `DEST.tmp-<random>` beside `dest`: same directory, so the final rename is atomic.
fn temporary_name(dest: &Path) -> Result<PathBuf, BackupError> {
    let mut tag = [0u8; 6];
    getrandom::fill(&mut tag).map_err(|e| BackupError::Io {
        path: dest.display().to_string(),
        source: io::Error::other(e.to_string()),
    })?;
    let mut name = dest.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(format!(".tmp-{}", hex(&tag)));
    Ok(dest.with_file_name(name))
}

impl ArchiveWriter {
    pub fn create(dest: &Path, passphrase: Option<&str>) -> Result<ArchiveWriter, BackupError> {
        let tmp = temporary_name(dest)?;
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(&tmp).map_err(io_at(&tmp))?;
        let out = BufWriter::with_capacity(1 << 20, file);
        let sink = match passphrase {
            Some(p) => Sink::Encrypted(EncryptWriter::new(out, p).map_err(io_at(&tmp))?),
            None => Sink::Plain(out),
        };
        let mut zstd = zstd::Encoder::new(sink, ZSTD_LEVEL).map_err(io_at(&tmp))?;
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        if threads > 1 {
            zstd.multithread(u32::try_from(threads).unwrap_or(1))
                .map_err(io_at(&tmp))?;
        }
        let mut tar = tar::Builder::new(zstd);
        tar.mode(tar::HeaderMode::Deterministic);
        Ok(ArchiveWriter { tar, tmp })
    }

    /// Appends a file from disk under `name`, hashing it on the way.
    pub fn append_file(&mut self, name: &str, src: &Path) -> Result<FileMember, BackupError> {
        let file = File::open(src).map_err(io_at(src))?;
        let size = file.metadata().map_err(io_at(src))?.len();
        let mut reader = Hashing::new(BufReader::with_capacity(1 << 20, file));
        let mut header = tar::Header::new_gnu();
        header.set_size(size);
        header.set_mode(0o600);
        header.set_entry_type(tar::EntryType::Regular);
        self.tar
            .append_data(&mut header, name, &mut reader)
            .map_err(io_at(&self.tmp))?;
        if reader.bytes != size {
            return Err(BackupError::Io {
                path: src.display().to_string(),
                source: io::Error::other("the file changed size while it was archived"),
            });
        }
        Ok(FileMember {
            path: name.to_owned(),
            sha256: reader.finish(),
            size,
        })
    }

    pub fn append_bytes(&mut self, name: &str, bytes: &[u8]) -> Result<(), BackupError> {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o600);
        header.set_entry_type(tar::EntryType::Regular);
        self.tar.append_data(&mut header, name, bytes).map_err(io_at(&self.tmp))
    }

    /// Ends the archive and fsyncs it; returns its temporary path.
    pub fn finish(self) -> Result<PathBuf, BackupError> {
        let tmp = self.tmp;
        let zstd = self.tar.into_inner().map_err(io_at(&tmp))?;
        let sink = zstd.finish().map_err(io_at(&tmp))?;
        let out = match sink {
            Sink::Plain(w) => w,
            Sink::Encrypted(w) => w.finish().map_err(io_at(&tmp))?,
        };
        let file = out.into_inner().map_err(|e| io_at(&tmp)(e.into_error()))?;
        file.sync_all().map_err(io_at(&tmp))?;
        Ok(tmp)
    }

    /// Where the unfinished archive is being written (removed by the caller on failure).
    pub fn temporary_path(&self) -> &Path {
        &self.tmp
    }
}

/// Gives `tmp` its final name and makes the rename durable (the directory synced too). Also
/// used by `firm_archive`.
pub fn commit(tmp: &Path, dest: &Path) -> Result<(), BackupError> {
    fs::rename(tmp, dest).map_err(io_at(dest))?;
    if let Some(dir) = dest.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        File::open(dir).and_then(|d| d.sync_all()).map_err(io_at(dir))?;
    }
    Ok(())
}

struct Hashing<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> Hashing<R> {
    fn new(inner: R) -> Self {
        Hashing {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }
    fn finish(self) -> String {
        hex(&self.hasher.finalize())
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

/// What reading an archive found: the manifest and each member's hash and size.
pub struct Scanned {
    pub manifest: Manifest,
    pub found: BTreeMap<String, (String, u64)>,
    /// Bytes of the archive file itself.
    pub archive_bytes: u64,
}

/// True when the file is an encrypted archive.
pub fn is_encrypted(path: &Path) -> Result<bool, BackupError> {
    let mut file = File::open(path).map_err(io_at(path))?;
    let mut head = [0u8; crypt::MAGIC.len()];
    let mut got = 0;
    while got < head.len() {
        let n = file.read(&mut head[got..]).map_err(io_at(path))?;
        if n == 0 {
            return Ok(false);
        }
        got += n;
    }
    Ok(&head == crypt::MAGIC)
}

/// Reads the whole archive, checking each member's path and hashing its bytes; with
/// `extract_to`, writes each member below that directory (files 0600). Checks nothing against
/// the manifest: that is [`check`].
pub fn scan(path: &Path, passphrase: Option<&str>, extract_to: Option<&Path>) -> Result<Scanned, BackupError> {
    let encrypted = is_encrypted(path)?;
    let file = File::open(path).map_err(io_at(path))?;
    let archive_bytes = file.metadata().map_err(io_at(path))?.len();
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let compressed: Box<dyn Read> = if encrypted {
        let Some(pass) = passphrase else {
            return Err(BackupError::PassphraseNeeded);
        };
        let mut magic = [0u8; crypt::MAGIC.len()];
        reader.read_exact(&mut magic).map_err(io_at(path))?;
        Box::new(DecryptReader::new(reader, pass).map_err(io_at(path))?)
    } else {
        Box::new(reader)
    };
    let zstd = zstd::Decoder::new(compressed).map_err(unreadable(path))?;
    let mut tar = tar::Archive::new(zstd);
    let mut found = BTreeMap::new();
    let mut manifest_bytes: Option<Vec<u8>> = None;
    for entry in tar.entries().map_err(unreadable(path))? {
        let mut entry = entry.map_err(unreadable(path))?;
        let name = entry
            .path()
            .map_err(unreadable(path))?
            .to_str()
            .map(str::to_owned)
            .unwrap_or_default();
        if entry.header().entry_type() != tar::EntryType::Regular || !manifest::is_allowed_path(&name) {
            return Err(BackupError::Invalid(format!(
                "unexpected member {name:?} in the archive"
            )));
        }
        if found.contains_key(&name) {
            return Err(BackupError::Invalid(format!("member {name:?} appears twice")));
        }
        if name == manifest::NAME {
            let mut bytes = Vec::new();
            (&mut entry)
                .take(MANIFEST_MAX)
                .read_to_end(&mut bytes)
                .map_err(unreadable(path))?;
            manifest_bytes = Some(bytes);
            found.insert(name, (String::new(), 0));
            continue;
        }
        let mut hashing = Hashing::new(&mut entry);
        match extract_to {
            Some(dir) => {
                let target = dir.join(&name);
                if let Some(parent) = target.parent() {
                    fs::create_dir_all(parent).map_err(io_at(parent))?;
                }
                let mut options = OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    options.mode(0o600);
                }
                let out = options.open(&target).map_err(io_at(&target))?;
                let mut out = BufWriter::with_capacity(1 << 20, out);
                io::copy(&mut hashing, &mut out).map_err(unreadable(path))?;
                let out = out.into_inner().map_err(|e| io_at(&target)(e.into_error()))?;
                out.sync_all().map_err(io_at(&target))?;
            }
            None => {
                io::copy(&mut hashing, &mut io::sink()).map_err(unreadable(path))?;
            }
        }
        let bytes = hashing.bytes;
        found.insert(name, (hashing.finish(), bytes));
    }
    let Some(bytes) = manifest_bytes else {
        return Err(BackupError::Invalid(
            "the archive has no manifest.json: it is not an OASYS backup, or it was cut short".into(),
        ));
    };
    let manifest: Manifest = serde_json::from_slice(&bytes)
        .map_err(|e| BackupError::Invalid(format!("manifest.json does not parse: {e}")))?;
    found.remove(manifest::NAME);
    Ok(Scanned {
        manifest,
        found,
        archive_bytes,
    })
}

fn unreadable(path: &Path) -> impl Fn(io::Error) -> BackupError + '_ {
    move |e| {
        if e.kind() == io::ErrorKind::InvalidData && e.to_string().contains("decrypt") {
            BackupError::Invalid(e.to_string())
        } else {
            BackupError::Invalid(format!("{} cannot be read as a backup: {e}", path.display()))
        }
    }
}

/// Every difference between the manifest's promises and what the archive holds.
pub fn check(scanned: &Scanned) -> Vec<String> {
    let m = &scanned.manifest;
    let mut problems = Vec::new();
    if m.format != manifest::FORMAT {
        problems.push(format!("format is {:?}, not {:?}", m.format, manifest::FORMAT));
    }
    if m.format_version > manifest::FORMAT_VERSION {
        problems.push(format!(
            "format version {} is newer than this oasys reads ({})",
            m.format_version,
            manifest::FORMAT_VERSION
        ));
    }
    let mut promised = BTreeMap::new();
    for (path, sha, size) in m.members() {
        promised.insert(path.to_owned(), (sha.to_owned(), size));
    }
    for (path, (sha, size)) in &promised {
        match scanned.found.get(path) {
            None => problems.push(format!("{path}: missing from the archive")),
            Some((got_sha, got_size)) if got_sha != sha || got_size != size => problems.push(format!(
                "{path}: checksum mismatch (manifest {sha}, {size} bytes; archive {got_sha}, {got_size} bytes)"
            )),
            Some(_) => {}
        }
    }
    for path in scanned.found.keys() {
        if !promised.contains_key(path) {
            problems.push(format!("{path}: in the archive but not in the manifest"));
        }
    }
    problems
}
