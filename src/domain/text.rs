//! Characters that have no business in stored text: control characters,
//! Unicode noncharacters, and (in names) the bidirectional overrides that
//! make a name read differently from what it holds. Shared by the import,
//! the complaint form and everything that writes XML.

/// Whether `c` is refused in text: a C0 control other than tab, line feed
/// and carriage return, DEL, a C1 control, or a noncharacter (U+FDD0–U+FDEF
/// and the last two code points of every plane, U+FFFE, U+FFFF, …).
pub fn is_forbidden(c: char) -> bool {
    let n = c as u32;
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || (0xFDD0..=0xFDEF).contains(&n)
        || (n & 0xFFFE) == 0xFFFE
}

/// Whether `c` is a bidirectional embedding, override or isolate
/// (U+202A–U+202E, U+2066–U+2069): refused in names.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c as u32, 0x202A..=0x202E | 0x2066..=0x2069)
}

/// The first forbidden character of `s`, if any.
pub fn first_forbidden(s: &str) -> Option<char> {
    s.chars().find(|c| is_forbidden(*c))
}

/// The first character of `s` refused in a name: a forbidden one or a
/// bidirectional control.
pub fn first_forbidden_in_name(s: &str) -> Option<char> {
    s.chars().find(|c| is_forbidden(*c) || is_bidi_control(*c))
}

/// How a refused character is named to the user: `U+0001`.
pub fn code_point(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

/// Whether XML 1.0 allows `c` in a document:
/// `#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]`.
pub fn is_xml_char(c: char) -> bool {
    matches!(c as u32, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

/// `s` with every character XML 1.0 does not allow replaced by U+FFFD, so
/// a feed stays well-formed whatever the database holds.
pub fn xml_safe(s: &str) -> String {
    if s.chars().all(is_xml_char) {
        return s.to_owned();
    }
    s.chars()
        .map(|c| if is_xml_char(c) { c } else { '\u{FFFD}' })
        .collect()
}

/// Characters that show nothing and that pasting from a chat app or a web
/// page leaves in what a resident types: zero-width spaces and joiners,
/// the word joiner, the byte-order mark, the soft hyphen.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{180E}' | '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}'
    )
}

/// The middle dots that separate the parts of a name (阿依古丽·买买提),
/// as different input methods type them.
pub fn is_name_dot(c: char) -> bool {
    matches!(
        c,
        '·' | '•'
            | '・'
            | '･'
            | '‧'
            | '∙'
            | '⋅'
            | '\u{0387}'
            | '\u{16EB}'
            | '\u{2E31}'
            | '\u{10101}'
    )
}

/// Whether a name given at `/verify` is the holder's: compared after
/// dropping spaces, invisible characters and middle dots, folding
/// full-width forms, and ignoring the case of Latin letters (the one rule
/// the page and the API share).
pub fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .map(crate::domain::license::fold_width)
            .filter(|c| !c.is_whitespace() && !is_invisible(*c) && !is_name_dot(*c))
            .flat_map(char::to_lowercase)
            .collect()
    };
    let (a, b) = (norm(a), norm(b));
    !a.is_empty() && a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_matches_whatever_dot_case_or_invisible_character_was_typed() {
        for typed in [
            "阿依古丽·买买提",
            "阿依古丽・买买提",
            "阿依古丽･买买提",
            "阿依古丽‧买买提",
            "阿依古丽 • 买买提",
            "阿依古丽\u{200B}买买提",
            "\u{FEFF}阿依古丽买买提",
        ] {
            assert!(same_name(typed, "阿依古丽·买买提"), "{typed:?}");
        }
        assert!(same_name("abc", "ABC") && same_name("ｊｏｈｎ", "John"));
        assert!(!same_name("阿依古丽·买买", "阿依古丽·买买提"));
        assert!(
            !same_name("\u{200B}·", "\u{200B}·"),
            "nothing left is no name"
        );
    }

    #[test]
    fn controls_and_noncharacters_are_forbidden_but_line_ends_are_not() {
        for c in [
            '\0', '\u{1}', '\u{b}', '\u{7f}', '\u{85}', '\u{fffe}', '\u{ffff}',
        ] {
            assert!(is_forbidden(c), "{}", code_point(c));
        }
        for c in ['\u{fdd0}', '\u{1fffe}', '\u{10ffff}'] {
            assert!(is_forbidden(c), "{}", code_point(c));
        }
        for c in ['\t', '\n', '\r', 'a', '张', '\u{3000}', '\u{fffd}'] {
            assert!(!is_forbidden(c), "{}", code_point(c));
        }
    }

    #[test]
    fn bidi_controls_are_refused_in_names_only() {
        assert_eq!(first_forbidden_in_name("张\u{202e}三"), Some('\u{202e}'));
        assert_eq!(first_forbidden_in_name("张\u{2066}三"), Some('\u{2066}'));
        assert_eq!(first_forbidden("张\u{202e}三"), None);
        assert_eq!(first_forbidden_in_name("张三"), None);
    }

    #[test]
    fn xml_safe_replaces_what_xml_cannot_hold() {
        assert_eq!(
            xml_safe("a\0b\u{b}c\u{fffe}d"),
            "a\u{fffd}b\u{fffd}c\u{fffd}d"
        );
        assert_eq!(xml_safe("行1\n行2\t&<>"), "行1\n行2\t&<>");
        assert_eq!(code_point('\u{1}'), "U+0001");
    }

    #[test]
    fn a_name_matches_in_any_spacing_width_or_dot() {
        assert!(same_name("张 三", "张三"));
        assert!(same_name("阿依古丽·买买提", "阿依古丽买买提"));
        assert!(same_name("ＡＢＣ", "ABC"));
        assert!(!same_name("张三", "张四"));
        assert!(!same_name(" ", ""), "an empty name matches nothing");
    }
}
