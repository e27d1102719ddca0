//! Province-level divisions (省级行政区) by the first two digits of a GB/T
//! 2260 code, so that a portal serving the nation can group its three
//! thousand districts.

/// A province-level division.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Province {
    /// The two-digit code (`50` for Chongqing).
    pub code: &'static str,
    /// Its Chinese name.
    pub name: &'static str,
    /// Its English name.
    pub name_en: &'static str,
}

const fn p(code: &'static str, name: &'static str, name_en: &'static str) -> Province {
    Province {
        code,
        name,
        name_en,
    }
}

/// The 31 province-level divisions of the mainland, by code.
pub const PROVINCES: &[Province] = &[
    p("11", "北京市", "Beijing"),
    p("12", "天津市", "Tianjin"),
    p("13", "河北省", "Hebei"),
    p("14", "山西省", "Shanxi"),
    p("15", "内蒙古自治区", "Inner Mongolia"),
    p("21", "辽宁省", "Liaoning"),
    p("22", "吉林省", "Jilin"),
    p("23", "黑龙江省", "Heilongjiang"),
    p("31", "上海市", "Shanghai"),
    p("32", "江苏省", "Jiangsu"),
    p("33", "浙江省", "Zhejiang"),
    p("34", "安徽省", "Anhui"),
    p("35", "福建省", "Fujian"),
    p("36", "江西省", "Jiangxi"),
    p("37", "山东省", "Shandong"),
    p("41", "河南省", "Henan"),
    p("42", "湖北省", "Hubei"),
    p("43", "湖南省", "Hunan"),
    p("44", "广东省", "Guangdong"),
    p("45", "广西壮族自治区", "Guangxi"),
    p("46", "海南省", "Hainan"),
    p("50", "重庆市", "Chongqing"),
    p("51", "四川省", "Sichuan"),
    p("52", "贵州省", "Guizhou"),
    p("53", "云南省", "Yunnan"),
    p("54", "西藏自治区", "Tibet"),
    p("61", "陕西省", "Shaanxi"),
    p("62", "甘肃省", "Gansu"),
    p("63", "青海省", "Qinghai"),
    p("64", "宁夏回族自治区", "Ningxia"),
    p("65", "新疆维吾尔自治区", "Xinjiang"),
];

/// The province of a district code, or of a two-digit province code.
pub fn of(code: &str) -> Option<&'static Province> {
    let prefix = code.get(..2)?;
    PROVINCES.iter().find(|p| p.code == prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_district_code_names_its_province() {
        assert_eq!(of("500101").map(|p| p.name), Some("重庆市"));
        assert_eq!(of("13").map(|p| p.name_en), Some("Hebei"));
        assert_eq!(of("99"), None);
        assert_eq!(of("5"), None);
        assert_eq!(of("重庆"), None);
        let mut codes: Vec<&str> = PROVINCES.iter().map(|p| p.code).collect();
        codes.dedup();
        assert_eq!(codes.len(), 31, "31 distinct codes, in order");
    }
}
