//! Masks the identity card and mobile numbers residents type into free
//! text (a complaint's description and desired outcome) before it is
//! stored: `13812345678` → `138****5678`, `50010119800101123X` →
//! `500***********123X`. The contact the bureau needs is in the sealed
//! contact fields; the text keeps what happened without the numbers.
//!
//! Masked are mainland mobile numbers — 11 digits `1[3-9]…`, also after
//! `+86`/`86`, half- or full-width, in one piece or in groups joined by
//! single spaces or hyphens (`138 1234 5678`, `138-1234-5678`) — and
//! identity card numbers written in one piece: 17 digits and a digit or
//! `X`, or the old 15 digits. Other numbers — license numbers (11 digits
//! starting with 3 or 4), dates, amounts, landlines of offices — stay as
//! they are.

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
        // The run: groups of digits joined by single separators, the last
        // group possibly ending in an X. Each group is (start, end, digits).
        let mut groups: Vec<(usize, usize, String)> = Vec::new();
        let mut j = i;
        loop {
            let start = j;
            let mut digits = String::new();
            while let Some(d) = chars.get(j).and_then(|c| digit(*c)) {
                digits.push(d);
                j += 1;
            }
            groups.push((start, j, digits));
            let joined = chars.get(j).copied().is_some_and(separator)
                && chars.get(j + 1).and_then(|c| digit(*c)).is_some();
            if !joined {
                break;
            }
            j += 1;
        }
        let run_end = j;
        // Consecutive groups that together form a personal number are
        // masked; the rest is copied as it was.
        let mut g = 0;
        let mut copied_to = i;
        while g < groups.len() {
            let mut found = None;
            let mut digits = String::new();
            for (h, group) in groups.iter().enumerate().skip(g) {
                digits.push_str(&group.2);
                // An identity card number is written in one piece, or in
                // its 6-8-4 parts (region, birth date, serial).
                let lengths: Vec<usize> = groups[g..=h].iter().map(|gr| gr.2.len()).collect();
                let id_parts = matches!(lengths[..], [6, 8, 4] | [6, 8, 3]);
                let mut end = group.1;
                let x = digits.len() == 17
                    && chars
                        .get(end)
                        .is_some_and(|c| matches!(c, 'X' | 'x' | 'Ｘ' | 'ｘ'));
                if x {
                    end += 1;
                }
                if let Some(m) = masked(&digits, x, h == g || id_parts) {
                    found = Some((h, end, m));
                    break;
                }
                if digits.len() >= 18 {
                    break;
                }
            }
            match found {
                Some((h, end, m)) => {
                    out.extend(&chars[copied_to..groups[g].0]);
                    out.push_str(&m);
                    copied_to = end;
                    g = h + 1;
                }
                None => g += 1,
            }
        }
        let end = run_end.max(copied_to);
        out.extend(&chars[copied_to..end]);
        i = end;
    }
    out
}

/// The masked form of `digits` (with a final `X` when `x`), or `None` when
/// they are not a personal number. Identity card numbers are written in
/// one piece (`single`); mobile numbers also in groups (`138 1234 5678`).
fn masked(digits: &str, x: bool, single: bool) -> Option<String> {
    let mobile = |d: &str| {
        d.len() == 11
            && d.starts_with('1')
            && d.as_bytes()
                .get(1)
                .is_some_and(|b| (b'3'..=b'9').contains(b))
    };
    let stars = |n: usize| "*".repeat(n);
    if x && single {
        return Some(format!("{}{}{}X", &digits[..3], stars(11), &digits[14..]));
    }
    match digits.len() {
        11 if mobile(digits) => Some(format!("{}****{}", &digits[..3], &digits[7..])),
        13 if digits.starts_with("86") && mobile(&digits[2..]) => {
            Some(format!("86{}****{}", &digits[2..5], &digits[9..]))
        }
        18 if single => Some(format!("{}{}{}", &digits[..3], stars(11), &digits[14..])),
        15 if single => Some(format!("{}{}{}", &digits[..3], stars(8), &digits[11..])),
        _ => None,
    }
}

/// What may stand between the groups of digits of one number as people
/// write them: spaces, hyphens and dashes, dots, slashes, underscores,
/// and a closing parenthesis after an area-code-like group (`(139)8765…`).
fn separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{3000}'
            | '-'
            | '－'
            | '—'
            | '–'
            | '‐'
            | '.'
            | '．'
            | '/'
            | '／'
            | '_'
            | ')'
            | '）'
    )
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
        assert_eq!(
            m("身份证50010119800101123X号"),
            "身份证500***********123X号"
        );
        assert_eq!(m("身份证500101198001011234"), "身份证500***********1234");
        assert_eq!(m("旧证500101800101123"), "旧证500********1123");
        assert_eq!(m("电话13812345678 2026年"), "电话138****5678 2026年");
        assert_eq!(m("2026-11-20 13812345678"), "2026-11-20 138****5678");
    }

    #[test]
    fn numbers_written_with_other_separators_are_masked_too() {
        for (typed, shown) in [
            ("139.8765.4321", "139****4321"),
            ("(139)87654321", "(139****4321"),
            ("139/8765/4321", "139****4321"),
            ("139_8765_4321", "139****4321"),
            ("139—8765—4321", "139****4321"),
            ("500101 19800101 1234", "500***********1234"),
            ("500101-19800101-123X", "500***********123X"),
        ] {
            assert_eq!(m(typed), shown, "{typed}");
        }
        // A date written with dots, an amount, a license number stay.
        for s in ["2026.11.20", "收费 1.5 万元", "证号 45001030001"] {
            assert_eq!(m(s), s);
        }
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
