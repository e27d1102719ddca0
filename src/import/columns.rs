//! The datasets' columns: English keys and Chinese headers (docs/import.md;
//! the console's templates, docs/admin.md, are made from this list).

use super::Dataset;

/// One column a dataset accepts.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The English key.
    pub key: &'static str,
    /// The Chinese header (and any other accepted spellings).
    pub headers: &'static [&'static str],
    /// Whether every row must give a value.
    pub required: bool,
}

const fn req(key: &'static str, headers: &'static [&'static str]) -> Column {
    Column {
        key,
        headers,
        required: true,
    }
}

const fn opt(key: &'static str, headers: &'static [&'static str]) -> Column {
    Column {
        key,
        headers,
        required: false,
    }
}

const DISTRICTS: &[Column] = &[
    req("code", &["区县代码"]),
    req("name", &["区县名称"]),
    req("kind", &["类型"]),
    req("population", &["常住人口"]),
    req("lawyers", &["律师人数"]),
    opt("borders_sichuan", &["川渝毗邻"]),
];

const OFFICES: &[Column] = &[
    req("license_no", &["执业许可证号"]),
    req("name", &["名称"]),
    req("district_code", &["区县代码"]),
    opt("township", &["乡镇街道"]),
    req("area_kind", &["区域类型"]),
    opt("address", &["地址"]),
    opt("lat", &["纬度"]),
    opt("lng", &["经度"]),
    opt("phone", &["电话"]),
    opt("hours", &["办公时间"]),
    opt("director", &["负责人"]),
    opt("party_org", &["党组织"]),
    opt("practice_areas", &["业务范围"]),
    req("status", &["状态"]),
    opt("established_on", &["成立日期"]),
];

const WORKERS: &[Column] = &[
    req("license_no", &["执业证号"]),
    req("name", &["姓名"]),
    opt("gender", &["性别"]),
    opt("office_license_no", &["执业机构许可证号"]),
    req("status", &["状态"]),
    opt("first_licensed_on", &["首次执业日期"]),
    opt("internship_months", &["实习月数"]),
    opt("practice_areas", &["业务范围"]),
    opt("adviser_posts", &["法律顾问职务"]),
    opt("transferred_on", &["变更日期"]),
];

const TRANSFERS: &[Column] = &[
    req("worker_license_no", &["执业证号"]),
    opt("from_office_license_no", &["原执业机构"]),
    req("to_office_license_no", &["新执业机构"]),
    req("effective_on", &["变更日期"]),
];

const REVIEWS: &[Column] = &[
    opt("subject_kind", &["对象类型"]),
    req("subject_license_no", &["执业证号"]),
    req("year", &["年度"]),
    req("outcome", &["考核结果"]),
    opt("rectify_by", &["整改期限"]),
    opt("rectified_on", &["整改完成日期"]),
    opt("note", &["备注"]),
];

const ACTIONS: &[Column] = &[
    req("decision_no", &["决定文号"]),
    opt("subject_kind", &["对象类型"]),
    req("subject_license_no", &["执业证号"]),
    req("kind", &["处理种类"]),
    req("authority", &["决定机关"]),
    req("decided_on", &["决定日期"]),
    opt("facts", &["事实"]),
    opt("basis", &["依据"]),
    opt("suspended_until", &["停止执业至"]),
    opt("public_until", &["公示截止"]),
    opt("withdrawn_on", &["撤销日期"]),
    opt("withdrawn_reason", &["撤销原因"]),
];

const COMMENDATIONS: &[Column] = &[
    opt("subject_kind", &["对象类型"]),
    req("subject_license_no", &["执业证号"]),
    req("title", &["荣誉名称"]),
    req("awarded_by", &["授予单位"]),
    req("awarded_on", &["授予日期"]),
];

const ANNOUNCEMENTS: &[Column] = &[
    req("kind", &["类型"]),
    req("title", &["标题"]),
    opt("body", &["正文"]),
    req("published_on", &["发布日期"]),
    opt(
        "license_nos",
        &["涉及执业证号", "subject_license_nos", "涉及对象"],
    ),
];

/// The columns of `dataset`, in the order its template shows them.
pub fn columns(dataset: Dataset) -> &'static [Column] {
    match dataset {
        Dataset::Districts => DISTRICTS,
        Dataset::Offices => OFFICES,
        Dataset::Workers => WORKERS,
        Dataset::Transfers => TRANSFERS,
        Dataset::Reviews => REVIEWS,
        Dataset::DisciplinaryActions => ACTIONS,
        Dataset::Commendations => COMMENDATIONS,
        Dataset::Announcements => ANNOUNCEMENTS,
    }
}

/// Finds the column a header names: the English key (any ASCII case) or a
/// Chinese header, ignoring surrounding spaces and a byte-order mark.
pub fn resolve(dataset: Dataset, header: &str) -> Option<&'static Column> {
    let h = header.trim().trim_start_matches('\u{feff}').trim();
    columns(dataset).iter().find(|c| {
        c.key.eq_ignore_ascii_case(h) || c.headers.iter().any(|a| a.eq_ignore_ascii_case(h))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_chinese_headers_both_resolve() {
        assert_eq!(
            resolve(Dataset::Workers, "执业证号").map(|c| c.key),
            Some("license_no")
        );
        assert_eq!(
            resolve(Dataset::Workers, " License_No ").map(|c| c.key),
            Some("license_no")
        );
        assert_eq!(
            resolve(Dataset::Offices, "\u{feff}执业许可证号").map(|c| c.key),
            Some("license_no")
        );
        assert!(resolve(Dataset::Workers, "身份证号").is_none());
    }
}
