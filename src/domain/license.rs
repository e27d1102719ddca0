//! License numbers (执业证号 / 执业许可证号), normalised once at construction.

use std::fmt;

/// A normalised license number: full-width characters folded to half-width,
/// every kind of space removed, letters upper-cased.
///
/// Two spellings a resident might type — `５００１ 0１ab` and `500101AB` —
/// are the same `LicenseNo`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct LicenseNo(String);

/// Why a string is not a license number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LicenseNoError {
    /// Nothing left after removing spaces.
    #[error("license number is empty")]
    Empty,
    /// Longer than [`LicenseNo::MAX_LEN`] characters.
    #[error("license number is longer than {} characters", LicenseNo::MAX_LEN)]
    TooLong,
    /// A character that no license number contains.
    #[error("license number contains the character {0:?}")]
    BadCharacter(char),
}

impl LicenseNo {
    /// The longest license number accepted, in characters after normalisation.
    pub const MAX_LEN: usize = 40;

    /// Normalises and checks `raw`.
    pub fn parse(raw: &str) -> Result<Self, LicenseNoError> {
        let mut out = String::with_capacity(raw.len());
        for c in raw.chars() {
            let c = fold_width(c);
            if c.is_whitespace() || crate::domain::text::is_invisible(c) {
                continue;
            }
            // Dashes a phone or a word processor types for a hyphen.
            let c = if matches!(c, '\u{2010}'..='\u{2015}' | '\u{2212}') {
                '-'
            } else {
                c
            };
            let c = c.to_ascii_uppercase();
            if !(c.is_ascii_alphanumeric() || c == '-') {
                return Err(LicenseNoError::BadCharacter(c));
            }
            out.push(c);
            if out.len() > Self::MAX_LEN {
                return Err(LicenseNoError::TooLong);
            }
        }
        if out.is_empty() {
            return Err(LicenseNoError::Empty);
        }
        Ok(Self(out))
    }

    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Consumes the number, giving its normalised text.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// Folds full-width ASCII variants (U+FF01–U+FF5E) and the ideographic space
/// to their half-width forms; other characters pass through.
pub fn fold_width(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

impl fmt::Display for LicenseNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for LicenseNo {
    type Err = LicenseNoError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl AsRef<str> for LicenseNo {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_digits_spaces_and_case_are_normalised() {
        let typed = LicenseNo::parse(" ５００１０１　2019 ab-1 ").unwrap();
        assert_eq!(typed.as_str(), "5001012019AB-1");
        assert_eq!(typed, LicenseNo::parse("5001012019AB-1").unwrap());
        assert_eq!(LicenseNo::parse("ａｂｃ１").unwrap().as_str(), "ABC1");
    }

    #[test]
    fn a_number_pasted_from_a_chat_app_is_read_as_typed() {
        for pasted in [
            "\u{200B}50010120100001",
            "5001012\u{2060}0100001\u{FEFF}",
            "50010120\u{00AD}100001",
        ] {
            assert_eq!(
                LicenseNo::parse(pasted).unwrap().as_str(),
                "50010120100001",
                "{pasted:?}"
            );
        }
        assert_eq!(LicenseNo::parse("AB‐1").unwrap().as_str(), "AB-1");
        assert_eq!(LicenseNo::parse("AB−1").unwrap().as_str(), "AB-1");
        assert_eq!(LicenseNo::parse("\u{200B}"), Err(LicenseNoError::Empty));
    }

    #[test]
    fn empty_long_and_odd_input_is_refused() {
        assert_eq!(LicenseNo::parse("  　"), Err(LicenseNoError::Empty));
        assert_eq!(
            LicenseNo::parse(&"1".repeat(41)),
            Err(LicenseNoError::TooLong)
        );
        assert_eq!(
            LicenseNo::parse("12<script>"),
            Err(LicenseNoError::BadCharacter('<'))
        );
        assert_eq!(
            LicenseNo::parse("渝123"),
            Err(LicenseNoError::BadCharacter('渝'))
        );
        assert!(LicenseNo::parse(&"1".repeat(40)).is_ok());
    }
}
