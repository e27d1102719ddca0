//! Standing certificates: a short code that names a stored certificate and
//! carries its own check, and a signature over what was certified, both
//! HMAC-SHA256 with a key from configuration.

use data_encoding::{Encoding, Specification};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::license::fold_width;

type HmacSha256 = Hmac<Sha256>;

/// Characters of a code: Crockford's base32 (no I, L, O, U).
const ALPHABET: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Random characters in a code.
const RANDOM_CHARS: usize = 12;
/// Check characters in a code (20 bits of HMAC).
const CHECK_CHARS: usize = 4;

fn crockford() -> Encoding {
    let mut spec = Specification::new();
    spec.symbols.push_str(ALPHABET);
    spec.encoding()
        .unwrap_or_else(|_| data_encoding::BASE32_NOPAD.clone())
}

/// What a certificate attests, as signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attestation<'a> {
    /// The certificate's code.
    pub code: &'a str,
    /// `office` or `worker`.
    pub subject_kind: &'a str,
    /// License number.
    pub license_no: &'a str,
    /// Name of the subject on the day.
    pub name: &'a str,
    /// Date certified (YYYY-MM-DD).
    pub issued_on: &'a str,
    /// Standing key on that date.
    pub standing: &'a str,
}

impl Attestation<'_> {
    fn payload(&self) -> Vec<u8> {
        [
            "legal-portal certificate v1",
            self.code,
            self.subject_kind,
            self.license_no,
            self.name,
            self.issued_on,
            self.standing,
        ]
        .join("\u{1f}")
        .into_bytes()
    }
}

/// Signs and checks certificates with one secret key.
#[derive(Clone)]
pub struct Signer {
    base: HmacSha256,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(***)")
    }
}

impl Signer {
    /// A signer with `key` (at least 32 bytes recommended); `None` only if
    /// the MAC refuses the key, which HMAC never does.
    pub fn new(key: &[u8]) -> Option<Self> {
        HmacSha256::new_from_slice(key)
            .ok()
            .map(|base| Self { base })
    }

    fn mac(&self, domain: &str, data: &[u8]) -> HmacSha256 {
        let mut mac = self.base.clone();
        mac.update(domain.as_bytes());
        mac.update(&[0]);
        mac.update(data);
        mac
    }

    /// A new code from 60 random bits, with its check characters, grouped
    /// as `XXXX-XXXX-XXXX-XXXX`.
    pub fn new_code(&self, random: [u8; 8]) -> String {
        let random_part: String = crockford()
            .encode(&random)
            .chars()
            .take(RANDOM_CHARS)
            .collect();
        let check = self.check(&random_part);
        group(&format!("{random_part}{check}"))
    }

    fn check(&self, random_part: &str) -> String {
        let tag = self
            .mac("code", random_part.as_bytes())
            .finalize()
            .into_bytes();
        crockford().encode(&tag).chars().take(CHECK_CHARS).collect()
    }

    /// Whether a normalised code's check characters are right: a typed or
    /// forged code fails here without a database lookup.
    pub fn code_is_authentic(&self, code: &str) -> bool {
        let plain: String = code.chars().filter(|c| *c != '-').collect();
        if plain.len() != RANDOM_CHARS + CHECK_CHARS {
            return false;
        }
        let (random_part, check) = plain.split_at(RANDOM_CHARS);
        constant_time_eq(self.check(random_part).as_bytes(), check.as_bytes())
    }

    /// The signature of an attestation, hex.
    pub fn sign(&self, a: &Attestation<'_>) -> String {
        let tag = self
            .mac("attestation", &a.payload())
            .finalize()
            .into_bytes();
        tag.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Whether `signature` is this key's signature of `a`.
    pub fn verify(&self, a: &Attestation<'_>, signature: &str) -> bool {
        constant_time_eq(self.sign(a).as_bytes(), signature.as_bytes())
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

fn group(plain: &str) -> String {
    plain
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// Normalises a typed code: full-width folded, spaces and dashes dropped,
/// upper case, Crockford's look-alikes (O→0, I/L→1) mapped; `None` when it
/// cannot be a code.
pub fn normalize_code(raw: &str) -> Option<String> {
    let mut plain = String::new();
    for c in raw.chars().map(fold_width) {
        let c = match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            ' ' | '-' | '\u{2014}' | '\u{2013}' => continue,
            c => c,
        };
        if !ALPHABET.contains(c) {
            return None;
        }
        plain.push(c);
    }
    (plain.len() == RANDOM_CHARS + CHECK_CHARS).then(|| group(&plain))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> Signer {
        Signer::new(b"0123456789abcdef0123456789abcdef").unwrap()
    }

    #[test]
    fn codes_carry_their_own_check() {
        let s = signer();
        let code = s.new_code([1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(code.len(), 19, "{code}");
        assert!(s.code_is_authentic(&code));
        // Any single changed character is caught.
        for i in (0..code.len()).filter(|i| code.as_bytes()[*i] != b'-') {
            let mut bytes = code.clone().into_bytes();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let altered = String::from_utf8(bytes).unwrap();
            assert!(!s.code_is_authentic(&altered), "{altered} passed");
        }
        // Another key does not accept it.
        assert!(
            !Signer::new(b"another key, another portal......")
                .unwrap()
                .code_is_authentic(&code)
        );
    }

    #[test]
    fn typed_codes_are_normalised() {
        let s = signer();
        let code = s.new_code([9; 8]);
        let typed = code.to_lowercase().replace('-', " ").replace('0', "o");
        assert_eq!(normalize_code(&typed), Some(code.clone()));
        assert_eq!(normalize_code("ABC"), None);
        assert_eq!(normalize_code("<script>alert(1)</script>"), None);
    }

    #[test]
    fn signatures_cover_every_attested_field() {
        let s = signer();
        let a = Attestation {
            code: "AAAA-BBBB-CCCC-DDDD",
            subject_kind: "worker",
            license_no: "45001030001",
            name: "张秀英",
            issued_on: "2026-11-28",
            standing: "good_standing",
        };
        let sig = s.sign(&a);
        assert!(s.verify(&a, &sig));
        for altered in [
            Attestation {
                standing: "suspended",
                ..a.clone()
            },
            Attestation {
                name: "李四",
                ..a.clone()
            },
            Attestation {
                issued_on: "2026-11-27",
                ..a.clone()
            },
            Attestation {
                license_no: "45001030002",
                ..a.clone()
            },
        ] {
            assert!(!s.verify(&altered, &sig), "{altered:?}");
        }
    }
}
