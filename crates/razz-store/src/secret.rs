//! The key that encrypts camera credentials (AES-256-GCM), kept outside the database: in a
//! file created with mode 0600 at first start, or given in an environment variable.

use std::io::Write;
use std::path::PathBuf;

use aes_gcm::aead::{Aead, KeyInit, OsRng};
use aes_gcm::{AeadCore, Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::error::StoreError;

/// Where the 32-byte key comes from.
#[derive(Clone, Debug)]
pub enum KeySource {
    /// A file holding the key in base64; created (mode 0600) when missing.
    File(PathBuf),
    /// The key itself, base64 (e.g. from `RAZZ_SECRET_KEY`).
    Base64(String),
}

/// Encrypts and decrypts small secrets.
#[derive(Clone)]
pub struct SecretBox {
    cipher: Aes256Gcm,
}

impl SecretBox {
    pub fn load(source: &KeySource) -> Result<Self, StoreError> {
        let b64 = match source {
            KeySource::Base64(s) => s.trim().to_owned(),
            KeySource::File(path) => match std::fs::read_to_string(path) {
                Ok(s) => s.trim().to_owned(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => create_key_file(path)?,
                Err(source) => {
                    return Err(StoreError::Io {
                        path: path.clone(),
                        source,
                    });
                }
            },
        };
        let bytes = STANDARD
            .decode(&b64)
            .map_err(|e| StoreError::Key(format!("not base64: {e}")))?;
        if bytes.len() != 32 {
            return Err(StoreError::Key(format!(
                "must be 32 bytes, found {}",
                bytes.len()
            )));
        }
        Ok(Self {
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&bytes)),
        })
    }

    /// `nonce || ciphertext`.
    pub fn seal(&self, plain: &[u8]) -> Result<Vec<u8>, StoreError> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let mut out = nonce.to_vec();
        out.extend(
            self.cipher
                .encrypt(&nonce, plain)
                .map_err(|_| StoreError::Key("encryption failed".into()))?,
        );
        Ok(out)
    }

    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, StoreError> {
        if sealed.len() < 12 {
            return Err(StoreError::Key("sealed value too short".into()));
        }
        let (nonce, body) = sealed.split_at(12);
        self.cipher
            .decrypt(Nonce::from_slice(nonce), body)
            .map_err(|_| StoreError::Key("cannot decrypt: wrong key?".into()))
    }
}

fn create_key_file(path: &PathBuf) -> Result<String, StoreError> {
    let key = Aes256Gcm::generate_key(&mut OsRng);
    let b64 = STANDARD.encode(key);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let io = |source| StoreError::Io {
        path: path.clone(),
        source,
    };
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path).map_err(io)?;
    f.write_all(b64.as_bytes()).map_err(io)?;
    f.sync_all().map_err(io)?;
    tracing::info!(path = %path.display(), "created secret key file");
    Ok(b64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_is_private_and_round_trips() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("keys/secret.key");
        let a = SecretBox::load(&KeySource::File(path.clone())).expect("create");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let sealed = a.seal(b"hunter2").expect("seal");
        assert!(
            !sealed.windows(7).any(|w| w == b"hunter2"),
            "plaintext visible"
        );
        let b = SecretBox::load(&KeySource::File(path)).expect("reload");
        assert_eq!(b.open(&sealed).expect("open"), b"hunter2");
        let other =
            SecretBox::load(&KeySource::Base64(STANDARD.encode([7u8; 32]))).expect("env key");
        assert!(other.open(&sealed).is_err(), "wrong key must fail");
        assert!(SecretBox::load(&KeySource::Base64("short".into())).is_err());
    }
}
