//! How a name is read aloud: full pinyin and initials (张三 → `zhangsan`,
//! `zs`), with the surname readings of polyphonic characters (单 shàn,
//! 曾 zēng, 解 xiè …) for the first character of a person's name.

use pinyin::ToPinyin;

/// Surname readings that differ from a character's most common reading.
const SURNAMES: &[(char, &str)] = &[
    ('单', "shan"),
    ('曾', "zeng"),
    ('解', "xie"),
    ('仇', "qiu"),
    ('区', "ou"),
    ('朴', "piao"),
    ('查', "zha"),
    ('盖', "ge"),
    ('乐', "yue"),
    ('尉', "yu"),
    ('翟', "zhai"),
    ('缪', "miao"),
    ('褚', "chu"),
    ('种', "chong"),
    ('秘', "bi"),
    ('冼', "xian"),
    ('繁', "po"),
    ('覃', "qin"),
    ('员', "yun"),
    ('厉', "li"),
    ('万', "wan"),
    ('石', "shi"),
    ('折', "she"),
    ('祭', "zhai"),
    ('谌', "chen"),
    ('召', "shao"),
    ('宿', "su"),
    ('句', "gou"),
    ('阚', "kan"),
    ('华', "hua"),
    ('纪', "ji"),
    ('任', "ren"),
    ('沈', "shen"),
    ('贾', "jia"),
    ('薄', "bo"),
    ('燕', "yan"),
    ('应', "ying"),
];

/// Readings of characters in the names of places and offices (not people)
/// where the pinyin table's first reading is the wrong one there: 长寿
/// is Changshou, not Zhangshou; 丰都 is Fengdu, not Fengdou.
const PLACES: &[(char, &str)] = &[('长', "chang"), ('都', "du")];

/// Two-character words read differently from their characters' first
/// readings, wherever they appear: 重庆 is Chongqing, not Zhongqing.
const WORDS: &[(&str, [&str; 2])] = &[("重庆", ["chong", "qing"])];

/// The pinyin of each character of `text`, without tones; characters
/// without a reading (digits, letters) are kept as lower-case text, other
/// symbols dropped. When `person` is set, the first character is read as a
/// surname.
pub fn syllables(text: &str, person: bool) -> Vec<String> {
    text.chars()
        .enumerate()
        .filter_map(|(i, c)| {
            if person
                && i == 0
                && let Some((_, s)) = SURNAMES.iter().find(|(k, _)| *k == c)
            {
                return Some((*s).to_owned());
            }
            match c.to_pinyin() {
                Some(p) => Some(p.plain().to_owned()),
                None if c.is_alphanumeric() => Some(c.to_lowercase().collect()),
                None => None,
            }
        })
        .collect()
}

/// Full pinyin and initials of a name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reading {
    /// Each character's syllable (one per character of the name, empty
    /// where a character has no reading).
    pub syllables: Vec<String>,
    /// The syllables joined: `zhangsan`.
    pub full: String,
    /// The first letters: `zs`.
    pub initials: String,
}

/// Reads a name; `person` applies surname readings to the first character,
/// otherwise (offices, places) the place readings of [`PLACES`].
pub fn read(name: &str, person: bool) -> Reading {
    let chars: Vec<char> = name.chars().collect();
    let mut syllables: Vec<String> = chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            if !person && let Some((_, s)) = PLACES.iter().find(|(k, _)| *k == c) {
                return (*s).to_owned();
            }
            let mut one = [0u8; 4];
            self::syllables(c.encode_utf8(&mut one), person && i == 0)
                .pop()
                .unwrap_or_default()
        })
        .collect();
    for i in 0..chars.len().saturating_sub(1) {
        for (word, readings) in WORDS {
            if word.chars().eq(chars[i..i + 2].iter().copied()) {
                syllables[i] = readings[0].to_owned();
                syllables[i + 1] = readings[1].to_owned();
            }
        }
    }
    let full = syllables.concat();
    let initials = syllables.iter().filter_map(|s| s.chars().next()).collect();
    Reading {
        syllables,
        full,
        initials,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_read_as_places() {
        assert_eq!(read("长寿区", false).full, "changshouqu");
        assert_eq!(read("丰都县", false).full, "fengduxian");
        assert_eq!(
            read("重庆市长生桥镇法律服务所", false).initials,
            "cqscsqzflfws"
        );
        assert_eq!(read("重庆市", false).full, "chongqingshi");
        // A person's name keeps the surname readings and is not read as a place.
        assert_eq!(read("长江", true).full, "zhangjiang");
    }

    #[test]
    fn full_pinyin_and_initials() {
        let r = read("张三", true);
        assert_eq!((r.full.as_str(), r.initials.as_str()), ("zhangsan", "zs"));
    }

    #[test]
    fn polyphonic_surnames_read_as_surnames() {
        assert_eq!(read("单雄信", true).full, "shanxiongxin");
        assert_eq!(read("曾国藩", true).full, "zengguofan");
        assert_eq!(read("解缙", true).initials, "xj");
        assert_eq!(read("仇英", true).full, "qiuying");
        // Only for people, and only the first character.
        assert_eq!(read("单位", false).full, "danwei");
    }

    #[test]
    fn offices_are_read_too() {
        let r = read("龙沙镇法律服务所", false);
        assert!(r.full.starts_with("longshazhen"), "{}", r.full);
        assert_eq!(r.syllables.len(), 8);
    }
}
