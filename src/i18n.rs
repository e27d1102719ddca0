//! Chinese labels for the domain's keys and reasons. (English and Fluent
//! files come with the public-site work; every label lives here until then.)

use crate::domain::standing::{Reason, Standing};
use crate::domain::vocab::*;

/// A display label in Chinese.
pub trait Label {
    /// The label.
    fn label(&self) -> &'static str;
}

macro_rules! labels {
    ($ty:ty { $($variant:ident => $label:literal),+ $(,)? }) => {
        impl Label for $ty {
            fn label(&self) -> &'static str {
                match self { $(<$ty>::$variant => $label),+ }
            }
        }
    };
}

labels!(Standing {
    Revoked => "执业证已吊销",
    Deregistered => "已注销",
    Suspended => "停止执业",
    UnderRectification => "限期整改中",
    DisclosedRecord => "有公示中的不良信息",
    GoodStanding => "执业状态良好",
    NotReviewed => "近两年未参加考核",
});

labels!(DistrictKind {
    District => "区",
    County => "县",
    AutonomousCounty => "自治县",
    FunctionalZone => "功能区",
});

labels!(AreaKind {
    Rural => "农村乡镇",
    Urban => "城区街道",
});

labels!(OfficeStatus {
    Practising => "执业",
    Suspended => "停业",
    Deregistered => "注销",
});

labels!(WorkerStatus {
    Practising => "执业",
    Suspended => "停业",
    Deregistered => "注销",
    Revoked => "吊销",
});

labels!(PartyOrg {
    OwnBranch => "单独建立党支部",
    JointBranch => "联合党支部",
    Instructor => "选派党建指导员",
    NoOrganisation => "无",
});

labels!(Gender {
    Male => "男",
    Female => "女",
});

labels!(SubjectKind {
    Office => "法律服务所",
    Worker => "法律服务工作者",
});

labels!(ReviewOutcome {
    Pass => "合格",
    Fail => "不合格",
    Excellent => "优秀",
    Competent => "称职",
    BasicallyCompetent => "基本称职",
    NotCompetent => "不称职",
    Absent => "未参加",
});

labels!(DisciplineKind {
    Warning => "警告",
    Fine => "罚款",
    Confiscation => "没收违法所得",
    SuspendPractice => "停止执业",
    RevokeLicense => "吊销执业证",
    Admonition => "训诫",
    IndustryWarning => "警告（行业处分）",
    CircularCriticism => "通报批评",
    PublicCensure => "公开谴责",
    SuspendMembership => "中止会员权利",
    ExpelMembership => "取消会员资格",
});

labels!(AnnouncementKind {
    Exit => "注销公告",
    ReviewBulletin => "考核通报",
    Inspection => "“双随机、一公开”抽查结果",
});

/// The label of a stored vocabulary key, or the key itself when it is not
/// one (so a page never fails over a label).
pub fn label_of<T: Label>(parsed: Option<T>, key: &str) -> String {
    parsed.map_or_else(|| key.to_owned(), |v| v.label().to_owned())
}

/// One sentence saying why the subject has its standing.
pub fn reason_text(reason: &Reason) -> String {
    match reason {
        Reason::Status { status } => match *status {
            "revoked" => "执业证已被吊销。".into(),
            "deregistered" => "执业登记已注销。".into(),
            _ => "登记状态为停业。".into(),
        },
        Reason::LicenseRevoked { decision_no } => {
            format!("依{decision_no}决定，执业证已被吊销。")
        }
        Reason::SuspendedUntil { decision_no, until } => match until {
            Some(d) => format!("依{decision_no}决定停止执业，至{d}止。"),
            None => format!("依{decision_no}决定停止执业。"),
        },
        Reason::Rectifying { year, deadline } => match deadline {
            Some(d) => format!("{year}年度考核未通过，限期整改至{d}。"),
            None => format!("{year}年度考核未通过，尚待整改。"),
        },
        Reason::Disclosed {
            decision_no,
            action,
            until,
            count,
        } => {
            let more = if *count > 1 {
                format!("（共{count}条公示中）")
            } else {
                String::new()
            };
            format!(
                "受到{}（{decision_no}），公示至{until}{more}。",
                action.label()
            )
        }
        Reason::Reviewed { year, outcome } => {
            format!(
                "{year}年度考核结果为“{}”，无公示中的不良信息。",
                outcome.label()
            )
        }
        Reason::NewlyLicensed { on } => {
            format!("{on}首次执业，执业未满一年，无不良信息。")
        }
        Reason::NoRecentReview { last_year } => match last_year {
            Some(y) => format!("最近一次参加考核为{y}年度，近两年无考核记录。"),
            None => "无年度考核记录。".into(),
        },
    }
}
