//! The complainant's contact, sealed with AES-256-GCM under a key from
//! configuration: a fresh random 96-bit nonce per value, the tracking number
//! as associated data (a sealed value moved to another complaint does not
//! open). The key never reaches a log: its `Debug` prints `***`.

use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;

use crate::domain::complaint::Contact;

const NONCE_LEN: usize = 12;

/// Why a key could not be had or a value could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// The configured key is neither 64 hex characters nor base64 of 32 bytes.
    #[error(
        "LEGAL_PORTAL_COMPLAINT_KEY must be 64 hex characters or base64 of 32 bytes (the value is not shown)"
    )]
    BadKey,
    /// The key file could not be read or written.
    #[error("complaint key file {path}: {source}")]
    KeyFile {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A sealed value is damaged, or sealed under another key or complaint.
    #[error("a sealed contact does not open (wrong key or damaged value)")]
    Open,
}

/// The key that seals contacts; also the root of the CSRF key.
#[derive(Clone)]
pub struct ContactKey {
    key: [u8; 32],
}

impl std::fmt::Debug for ContactKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ContactKey(***)")
    }
}

impl ContactKey {
    /// A key from 64 hex characters or base64 (standard or URL-safe) of 32
    /// bytes.
    pub fn parse(raw: &str) -> Result<Self, CryptoError> {
        let raw = raw.trim();
        let bytes = if raw.len() == 64 && raw.bytes().all(|b| b.is_ascii_hexdigit()) {
            (0..32)
                .map(|i| u8::from_str_radix(&raw[2 * i..2 * i + 2], 16))
                .collect::<Result<Vec<u8>, _>>()
                .map_err(|_| CryptoError::BadKey)?
        } else {
            base64::engine::general_purpose::STANDARD
                .decode(raw)
                .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(raw))
                .map_err(|_| CryptoError::BadKey)?
        };
        let key: [u8; 32] = bytes.try_into().map_err(|_| CryptoError::BadKey)?;
        Ok(Self { key })
    }

    /// A fresh random key.
    pub fn generate() -> Self {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        Self { key }
    }

    /// The configured key, or else the one in `<data_dir>/complaint.key`,
    /// created (mode 0600) on first start. Returns whether it was created.
    pub fn configured_or_file(
        configured: Option<&str>,
        data_dir: &Path,
    ) -> Result<(Self, bool), CryptoError> {
        if let Some(raw) = configured.filter(|s| !s.trim().is_empty()) {
            return Ok((Self::parse(raw)?, false));
        }
        let path = data_dir.join("complaint.key");
        let io = |source| CryptoError::KeyFile {
            path: path.display().to_string(),
            source,
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => return Ok((Self::parse(&text)?, false)),
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(e)),
            Err(_) => {}
        }
        std::fs::create_dir_all(data_dir).map_err(io)?;
        let key = Self::generate();
        let hex: String = key.key.iter().map(|b| format!("{b:02x}")).collect();
        if !crate::secrets::create_private(&path, &format!("{hex}\n")).map_err(io)? {
            // Another process created it first: use theirs.
            let text = std::fs::read_to_string(&path).map_err(io)?;
            return Ok((Self::parse(&text)?, false));
        }
        Ok((key, true))
    }

    fn cipher(&self) -> Aes256Gcm {
        // A 32-byte key always fits AES-256.
        Aes256Gcm::new(&self.key.into())
    }

    /// Seals `contact` for the complaint `tracking_no`: nonce ‖ ciphertext.
    pub fn seal(&self, contact: &Contact, tracking_no: &str) -> Result<Vec<u8>, CryptoError> {
        let plain = serde_json::to_vec(contact).map_err(|_| CryptoError::Open)?;
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher()
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: &plain,
                    aad: tracking_no.as_bytes(),
                },
            )
            .map_err(|_| CryptoError::Open)?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens what [`ContactKey::seal`] sealed for `tracking_no`.
    pub fn open(&self, sealed: &[u8], tracking_no: &str) -> Result<Contact, CryptoError> {
        if sealed.len() <= NONCE_LEN {
            return Err(CryptoError::Open);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| CryptoError::Open)?;
        let plain = self
            .cipher()
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: body,
                    aad: tracking_no.as_bytes(),
                },
            )
            .map_err(|_| CryptoError::Open)?;
        serde_json::from_slice(&plain).map_err(|_| CryptoError::Open)
    }

    /// A key derived for `purpose` (e.g. signing CSRF tokens), so that one
    /// configured secret serves every process behind a load balancer.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

impl crate::db::complaints::Sealer for ContactKey {
    fn seal_contact(&self, contact: &Contact, tracking_no: &str) -> Result<Vec<u8>, String> {
        self.seal(contact, tracking_no).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact() -> Contact {
        Contact {
            name: "李四".into(),
            phone: "13812345678".into(),
        }
    }

    #[test]
    fn a_sealed_contact_opens_only_with_its_key_and_complaint() {
        let key = ContactKey::generate();
        let sealed = key.seal(&contact(), "TS1").unwrap();
        let text = String::from_utf8_lossy(&sealed);
        assert!(!text.contains("13812345678") && !text.contains("李四"));
        assert_eq!(key.open(&sealed, "TS1").unwrap(), contact());
        assert!(key.open(&sealed, "TS2").is_err(), "bound to its complaint");
        assert!(ContactKey::generate().open(&sealed, "TS1").is_err());
        let again = key.seal(&contact(), "TS1").unwrap();
        assert_ne!(sealed, again, "a fresh nonce each time");
    }

    #[test]
    fn keys_parse_from_hex_or_base64_and_never_print() {
        let hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        let a = ContactKey::parse(hex).unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(a.key);
        assert_eq!(ContactKey::parse(&b64).unwrap().key, a.key);
        assert!(ContactKey::parse("short").is_err());
        assert_eq!(format!("{a:?}"), "ContactKey(***)");
    }

    #[test]
    fn a_key_file_is_created_once_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let (k1, created) = ContactKey::configured_or_file(None, dir.path()).unwrap();
        assert!(created);
        let (k2, created) = ContactKey::configured_or_file(None, dir.path()).unwrap();
        assert!(!created);
        assert_eq!(k1.key, k2.key);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("complaint.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
