//! Passphrase encryption of backup archives: ChaCha20-Poly1305 in the STREAM construction
//! (64 KiB chunks, each authenticated, the last one marked) under an Argon2id key.
//!
//! Layout: `MAGIC`, Argon2 memory (KiB), passes and lanes as big-endian u32, a 16-byte salt, a
//! 7-byte nonce prefix, then the chunks. A truncated file, a reordered chunk or a changed byte
//! fails authentication; nothing decrypted is trusted before its chunk's tag checks.

use std::io::{self, Read, Write};

use chacha20poly1305::aead::stream::{DecryptorBE32, EncryptorBE32};
use chacha20poly1305::{ChaCha20Poly1305, Key, KeyInit};

/// Starts every encrypted archive; a plain zstd archive starts with zstd's own magic.
pub const MAGIC: &[u8; 10] = b"OASYS-ENC1";
const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;
const SALT: usize = 16;
const NONCE_PREFIX: usize = 7;
/// Argon2id for a key that guards a whole firm's books: 64 MiB, 3 passes, 1 lane.
const KDF_MEMORY_KIB: u32 = 64 * 1024;
const KDF_PASSES: u32 = 3;
const KDF_LANES: u32 = 1;
/// Refuse headers that would make a reader allocate or compute without bound.
const KDF_MEMORY_MAX_KIB: u32 = 1024 * 1024;
const KDF_PASSES_MAX: u32 = 16;

fn derive(passphrase: &str, salt: &[u8], memory: u32, passes: u32, lanes: u32) -> io::Result<Key> {
    let params = argon2::Params::new(memory, passes, lanes, Some(32)).map_err(invalid)?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut key = [0u8; 32];
    argon
        .hash_password_into(passphrase.as_bytes(), salt, &mut key)
        .map_err(invalid)?;
    Ok(Key::from(key))
}

fn invalid(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e.to_string())
}

fn random<const N: usize>() -> io::Result<[u8; N]> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| io::Error::other(e.to_string()))?;
    Ok(b)
}

/// Encrypts everything written to it; [`EncryptWriter::finish`] seals the last chunk.
pub struct EncryptWriter<W: Write> {
    inner: W,
    stream: Option<EncryptorBE32<ChaCha20Poly1305>>,
    buf: Vec<u8>,
}

impl<W: Write> EncryptWriter<W> {
    pub fn new(mut inner: W, passphrase: &str) -> io::Result<Self> {
        let salt: [u8; SALT] = random()?;
        let prefix: [u8; NONCE_PREFIX] = random()?;
        let key = derive(passphrase, &salt, KDF_MEMORY_KIB, KDF_PASSES, KDF_LANES)?;
        inner.write_all(MAGIC)?;
        for n in [KDF_MEMORY_KIB, KDF_PASSES, KDF_LANES] {
            inner.write_all(&n.to_be_bytes())?;
        }
        inner.write_all(&salt)?;
        inner.write_all(&prefix)?;
        let cipher = ChaCha20Poly1305::new(&key);
        Ok(EncryptWriter {
            inner,
            stream: Some(EncryptorBE32::from_aead(cipher, (&prefix).into())),
            buf: Vec::with_capacity(CHUNK),
        })
    }

    fn seal_full_chunks(&mut self) -> io::Result<()> {
        while self.buf.len() > CHUNK {
            let rest = self.buf.split_off(CHUNK);
            let chunk = std::mem::replace(&mut self.buf, rest);
            let stream = self
                .stream
                .as_mut()
                .ok_or_else(|| io::Error::other("already finished"))?;
            let sealed = stream
                .encrypt_next(chunk.as_slice())
                .map_err(|_| io::Error::other("encryption failed"))?;
            self.inner.write_all(&sealed)?;
        }
        Ok(())
    }

    /// Seals the last chunk (possibly empty) and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.seal_full_chunks()?;
        let stream = self.stream.take().ok_or_else(|| io::Error::other("already finished"))?;
        let sealed = stream
            .encrypt_last(self.buf.as_slice())
            .map_err(|_| io::Error::other("encryption failed"))?;
        self.inner.write_all(&sealed)?;
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for EncryptWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        // Keep at least one byte back: the last chunk must be sealed by `finish`.
        self.seal_full_chunks()?;
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Decrypts and authenticates an archive written by [`EncryptWriter`], chunk by chunk.
pub struct DecryptReader<R: Read> {
    inner: R,
    stream: Option<DecryptorBE32<ChaCha20Poly1305>>,
    /// Decrypted bytes not yet handed out, from `pos`.
    plain: Vec<u8>,
    pos: usize,
    /// One byte read ahead, to tell the last chunk from a full one.
    peeked: Option<u8>,
    done: bool,
}

impl<R: Read> DecryptReader<R> {
    /// Reads the header (the caller has already consumed and checked `MAGIC`) and derives the key.
    pub fn new(mut inner: R, passphrase: &str) -> io::Result<Self> {
        let mut n = [0u8; 4];
        let mut params = [0u32; 3];
        for p in &mut params {
            inner.read_exact(&mut n)?;
            *p = u32::from_be_bytes(n);
        }
        let [memory, passes, lanes] = params;
        if memory > KDF_MEMORY_MAX_KIB || passes > KDF_PASSES_MAX || lanes == 0 || lanes > 16 {
            return Err(invalid("the archive's key-derivation settings are out of range"));
        }
        let mut salt = [0u8; SALT];
        inner.read_exact(&mut salt)?;
        let mut prefix = [0u8; NONCE_PREFIX];
        inner.read_exact(&mut prefix)?;
        let key = derive(passphrase, &salt, memory, passes, lanes)?;
        let cipher = ChaCha20Poly1305::new(&key);
        Ok(DecryptReader {
            inner,
            stream: Some(DecryptorBE32::from_aead(cipher, (&prefix).into())),
            plain: Vec::new(),
            pos: 0,
            peeked: None,
            done: false,
        })
    }

    /// Reads up to one sealed chunk; true when it was the last one.
    fn next_sealed(&mut self, out: &mut Vec<u8>) -> io::Result<bool> {
        out.clear();
        if let Some(b) = self.peeked.take() {
            out.push(b);
        }
        let want = CHUNK + TAG;
        let mut tmp = [0u8; 8192];
        while out.len() < want {
            let room = (want - out.len()).min(tmp.len());
            let n = self.inner.read(&mut tmp[..room])?;
            if n == 0 {
                return Ok(true);
            }
            out.extend_from_slice(&tmp[..n]);
        }
        let mut one = [0u8; 1];
        loop {
            match self.inner.read(&mut one) {
                Ok(0) => return Ok(true),
                Ok(_) => {
                    self.peeked = Some(one[0]);
                    return Ok(false);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    fn refill(&mut self) -> io::Result<()> {
        let mut sealed = Vec::with_capacity(CHUNK + TAG);
        let last = self.next_sealed(&mut sealed)?;
        let wrong = || invalid("the archive does not decrypt: wrong passphrase, or the file was changed or cut short");
        self.plain = if last {
            self.done = true;
            let stream = self.stream.take().ok_or_else(wrong)?;
            stream.decrypt_last(sealed.as_slice()).map_err(|_| wrong())?
        } else {
            let stream = self.stream.as_mut().ok_or_else(wrong)?;
            stream.decrypt_next(sealed.as_slice()).map_err(|_| wrong())?
        };
        self.pos = 0;
        Ok(())
    }
}

impl<R: Read> Read for DecryptReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.plain.len() {
            if self.done {
                return Ok(0);
            }
            self.refill()?;
        }
        let n = out.len().min(self.plain.len() - self.pos);
        out[..n].copy_from_slice(&self.plain[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seal(data: &[u8], pass: &str) -> Vec<u8> {
        let mut w = EncryptWriter::new(Vec::new(), pass).unwrap();
        // Odd write sizes cross chunk borders.
        for part in data.chunks(9_999) {
            w.write_all(part).unwrap();
        }
        w.finish().unwrap()
    }

    fn open(sealed: &[u8], pass: &str) -> io::Result<Vec<u8>> {
        assert_eq!(&sealed[..MAGIC.len()], MAGIC);
        let mut r = DecryptReader::new(&sealed[MAGIC.len()..], pass)?;
        let mut out = Vec::new();
        r.read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn round_trips_at_every_chunk_border() {
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 7] {
            let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let sealed = seal(&data, "correct horse");
            assert_eq!(open(&sealed, "correct horse").unwrap(), data, "length {len}");
        }
    }

    #[test]
    fn a_wrong_passphrase_a_changed_byte_or_a_cut_file_is_refused() {
        let data = vec![7u8; 2 * CHUNK + 100];
        let sealed = seal(&data, "right");
        assert!(open(&sealed, "wrong").is_err());
        let mut changed = sealed.clone();
        let i = changed.len() / 2;
        changed[i] ^= 1;
        assert!(open(&changed, "right").is_err());
        // Cut exactly at a chunk border: the stream then lacks its last-chunk mark.
        let header = MAGIC.len() + 12 + SALT + NONCE_PREFIX;
        let cut = &sealed[..header + CHUNK + TAG];
        assert!(open(cut, "right").is_err());
        assert!(open(&sealed[..sealed.len() - 1], "right").is_err());
    }
}
