//! `smtp.file_dir`: each message written as one `.eml` file that only the server's user can read
//! (mode 0600; the directory, when the server makes it, 0700). A message holds a document, its
//! customer's address and whatever the firm wrote.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `message` as a new `<uuid>.eml` in `dir`, synced, and returns its path.
pub fn write(dir: &Path, message: &[u8]) -> std::io::Result<PathBuf> {
    if !dir.exists() {
        crate::config::ensure_private_dir(dir)?;
    }
    let path = dir.join(format!("{}.eml", uuid::Uuid::new_v4()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&path)?;
    file.write_all(message)?;
    file.sync_all()?;
    Ok(path)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn messages_are_private_files() {
        let dir = tempfile::tempdir().unwrap();
        let spool = dir.path().join("outbox");
        let path = super::write(&spool, b"Subject: hi\r\n\r\nbody").unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(&spool).unwrap().permissions().mode() & 0o777, 0o700);
        assert_eq!(std::fs::read(&path).unwrap(), b"Subject: hi\r\n\r\nbody");
    }
}
