//! Masks the identity card and mobile numbers residents type into free
//! text (a complaint's description and desired outcome) before it is
//! stored: `13812345678` → `138****5678`, `50010119800101123X` →
//! `500***********123X`. The contact the bureau needs is in the sealed
//! contact fields; the text keeps what happened without the numbers.
//!
//! A number is a run of digits (half- or full-width), optionally with
//! single spaces or hyphens between digits (`138 1234 5678`,
//! `138-1234-5678`) and a final `X` for an identity card. Masked are runs of
//! 11 digits that form a mainland mobile number (`1[3-9]…`, also after
//! `+86`/`86`), of 18 characters that form an identity card number (17
//! digits and a digit or `X`) and of 15 digits (the old card). Other
//! numbers — license numbers (11 digits starting with 3 or 4), dates,
//! amounts, landlines of offices — stay as they are.

/// `text` with identity card and mobile numbers masked.
pub fn mask_personal_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if digit(chars[i]).is_none() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // The run: digits, single separators between digits, a final X.
        let start = i;
        let mut digits = String::new();
        let mut end = i;
        let mut j = i;
        while j < chars.len() {
            if let Some(d) = digit(chars[j]) {
                digits.push(d);
                j += 1;
                end = j;
            } else if matches!(chars[j], ' ' | '-' | '\u{3000}' | '－')
                && chars.get(j + 1).and_then(|c| digit(*c)).is_some()
            {
                j += 1;
            } else {
                break;
            }
        }
        let mut x = false;
        if digits.len() == 17 && chars.get(end).is_some_and(|c| matches!(c, 'X' | 'x' | 'Ｘ' | 'ｘ')) {
            x = true;
            end += 1;
        }
        match masked(&digits, x) {
            Some(m) => out.push_str(&m),
            None => out.extend(&chars[start..end]),
        }
        i = end;
    }
    out
}

/// The masked form of a run of `digits` (with a final `X` when `x`), or
/// `None` when it is not a personal number.
fn masked(digits: &str, x: bool) -> Option<String> {
    let mobile = |d: &str| {
        d.len() == 11
            && d.starts_with('1')
            && d.as_bytes().get(1).is_some_and(|b| (b'3'..=b'9').contains(b))
    };
    let stars = |n: usize| "*".repeat(n);
    if x {
        return Some(format!("{}{}{}X", &digits[..3], stars(11), &digits[14..]));
    }
    match digits.len() {
        11 if mobile(digits) => Some(format!("{}****{}", &digits[..3], &digits[7..])),
        13 if digits.starts_with("86") && mobile(&digits[2..]) => {
            Some(format!("86{}****{}", &digits[2..5], &digits[9..]))
        }
        18 => Some(format!("{}{}{}", &digits[..3], stars(11), &digits[14..])),
        15 => Some(format!("{}{}{}", &digits[..3], stars(8), &digits[11..])),
        _ => None,
    }
}

/// An ASCII digit for a half- or full-width digit.
fn digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::mask_personal_numbers as m;

    #[test]
    fn mobiles_and_identity_cards_are_masked() {
        assert_eq!(m("电话13812345678，请回电"), "电话138****5678，请回电");
        assert_eq!(m("手机 138-1234-5678"), "手机 138****5678");
        assert_eq!(m("手机 138 1234 5678。"), "手机 138****5678。");
        assert_eq!(m("+86 13812345678"), "+86138****5678");
        assert_eq!(m("+8613812345678"), "+86138****5678");
        assert_eq!(m("１３８１２３４５６７８"), "138****5678");
        assert_eq!(m("身份证50010119800101123X号"), "身份证500***********123X号");
        assert_eq!(m("身份证500101198001011234"), "身份证500***********1234");
        assert_eq!(m("旧证500101800101123"), "旧证500********1123");
    }

    #[test]
    fn other_numbers_stay() {
        for s in [
            "执业证号45001030001",
            "许可证31500103001",
            "2026-11-20 收费 3000 元",
            "座机 023-61234567",
            "12345678901",
            "第1234567890123456号",
        ] {
            assert_eq!(m(s), s);
        }
    }
}
