//! The closed vocabularies: statuses, outcomes, kinds (their spellings in
//! imports: docs/import.md; their labels: docs/i18n.md).
//!
//! Each value has a stable English key (used in the database, the API and
//! the import format) and is also parsed from its Chinese label, so that a
//! spreadsheet may carry either. Display labels live in `crate::i18n`.

/// Defines a vocabulary enum with its key and the Chinese spellings that
/// parse to it.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $key:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( #[doc = concat!("Key `", $key, "`.")] $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable English key.
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key),+ }
            }

            /// Parses the English key or one of the Chinese spellings,
            /// ignoring surrounding spaces and ASCII case.
            pub fn parse(raw: &str) -> Option<Self> {
                let s = raw.trim();
                $(
                    if s.eq_ignore_ascii_case($key) $(|| s == $alias)* {
                        return Some($name::$variant);
                    }
                )+
                None
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.key())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.key())
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($key),+]))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                $name::parse(&raw).ok_or_else(|| {
                    serde::de::Error::custom(format!("unknown {}: {raw}", stringify!($name)))
                })
            }
        }
    };
}
pub(crate) use vocabulary;

vocabulary! {
    /// Kind of county-level division.
    DistrictKind {
        District => "district" | "区" | "市辖区",
        County => "county" | "县",
        AutonomousCounty => "autonomous_county" | "自治县",
        FunctionalZone => "functional_zone" | "功能区",
    }
}

vocabulary! {
    /// Whether a township is a rural township (乡/镇) or an urban subdistrict (街道).
    AreaKind {
        Rural => "rural" | "农村乡镇" | "乡镇" | "乡" | "镇",
        Urban => "urban" | "城区街道" | "街道",
    }
}

vocabulary! {
    /// Registration status of an office.
    OfficeStatus {
        Practising => "practising" | "执业" | "正常",
        Suspended => "suspended" | "停业",
        Deregistered => "deregistered" | "注销",
    }
}

vocabulary! {
    /// Registration status of a worker.
    WorkerStatus {
        Practising => "practising" | "执业" | "正常",
        Suspended => "suspended" | "停业" | "停止执业",
        Deregistered => "deregistered" | "注销",
        Revoked => "revoked" | "吊销",
    }
}

vocabulary! {
    /// Party organisation of an office.
    PartyOrg {
        OwnBranch => "own_branch" | "单独党支部" | "单独组建",
        JointBranch => "joint_branch" | "联合党支部" | "联合组建",
        Instructor => "instructor" | "党建指导员",
        NoOrganisation => "none" | "无",
    }
}

vocabulary! {
    /// Gender as recorded on the license.
    Gender {
        Male => "male" | "男",
        Female => "female" | "女",
    }
}

vocabulary! {
    /// Whether a record concerns an office or a worker.
    SubjectKind {
        Office => "office" | "机构" | "法律服务所",
        Worker => "worker" | "人员" | "工作者",
    }
}

vocabulary! {
    /// Outcome of an annual review, for offices and workers alike.
    ReviewOutcome {
        /// Office passed (合格).
        Pass => "pass" | "合格",
        /// Office failed (不合格).
        Fail => "fail" | "不合格",
        /// Worker: excellent (优秀).
        Excellent => "excellent" | "优秀",
        /// Worker: competent (称职).
        Competent => "competent" | "称职",
        /// Worker: basically competent (基本称职).
        BasicallyCompetent => "basically_competent" | "基本称职",
        /// Worker: not competent (不称职).
        NotCompetent => "not_competent" | "不称职",
        /// Did not take part (未参加), either subject.
        Absent => "absent" | "未参加" | "未参加考核",
    }
}

impl ReviewOutcome {
    /// A failing outcome: an office's 不合格 or a worker's 不称职.
    pub fn is_failure(self) -> bool {
        matches!(self, ReviewOutcome::Fail | ReviewOutcome::NotCompetent)
    }

    /// Whether the subject actually took the review.
    pub fn took_part(self) -> bool {
        self != ReviewOutcome::Absent
    }

    /// Whether this outcome exists for the given kind of subject.
    pub fn applies_to(self, subject: SubjectKind) -> bool {
        use ReviewOutcome::*;
        match subject {
            SubjectKind::Office => matches!(self, Pass | Fail | Absent),
            SubjectKind::Worker => matches!(
                self,
                Excellent | Competent | BasicallyCompetent | NotCompetent | Absent
            ),
        }
    }
}

vocabulary! {
    /// Kind of disciplinary action (不良信息): administrative penalties and
    /// industry discipline.
    DisciplineKind {
        /// 警告 (administrative penalty).
        Warning => "warning" | "警告",
        /// 罚款.
        Fine => "fine" | "罚款",
        /// 没收违法所得.
        Confiscation => "confiscation" | "没收违法所得",
        /// 停止执业 (with an end date).
        SuspendPractice => "suspend_practice" | "停止执业",
        /// 吊销执业证.
        RevokeLicense => "revoke_license" | "吊销执业证" | "吊销执业证书",
        /// 训诫 (industry discipline).
        Admonition => "admonition" | "训诫",
        /// 警告 (industry discipline).
        IndustryWarning => "industry_warning" | "行业警告" | "行业纪律处分警告",
        /// 通报批评.
        CircularCriticism => "circular_criticism" | "通报批评",
        /// 公开谴责.
        PublicCensure => "public_censure" | "公开谴责",
        /// 中止会员权利.
        SuspendMembership => "suspend_membership" | "中止会员权利",
        /// 取消会员资格.
        ExpelMembership => "expel_membership" | "取消会员资格",
    }
}

impl DisciplineKind {
    /// Whether this is an administrative penalty (行政处罚) rather than
    /// industry discipline (行业处分).
    pub fn is_administrative_penalty(self) -> bool {
        use DisciplineKind::*;
        matches!(
            self,
            Warning | Fine | Confiscation | SuspendPractice | RevokeLicense
        )
    }

    /// Whether the default disclosure window is the short one (one year):
    /// 训诫, 警告 and 通报批评. The rest default to the long one.
    pub fn has_short_window(self) -> bool {
        use DisciplineKind::*;
        matches!(
            self,
            Admonition | Warning | IndustryWarning | CircularCriticism
        )
    }
}

vocabulary! {
    /// Kind of public announcement.
    AnnouncementKind {
        /// 注销公告.
        Exit => "exit" | "注销公告" | "注销",
        /// 年度考核通报.
        ReviewBulletin => "review_bulletin" | "考核通报" | "年度考核通报",
        /// 双随机、一公开 inspection results.
        Inspection => "inspection" | "双随机、一公开" | "抽查结果" | "双随机一公开",
    }
}

vocabulary! {
    /// Scope of an admin token.
    TokenScope {
        /// Import datasets.
        Import => "import",
        /// Handle complaints.
        Complaints => "complaints",
        /// Read `/metrics` only (a Prometheus scraper).
        Metrics => "metrics",
        /// Everything.
        Admin => "admin",
    }
}

vocabulary! {
    /// What a console account may do (issue 13).
    Role {
        /// The city bureau: everything, every district.
        City => "city" | "市局",
        /// A district bureau: imports, compliance and exit candidates of
        /// its own district.
        District => "district" | "区县司法局",
        /// The complaint desk, optionally of one district.
        Complaints => "complaints" | "投诉受理",
    }
}

impl TokenScope {
    /// Whether a token of this scope may act where `needed` is required.
    pub fn allows(self, needed: TokenScope) -> bool {
        self == TokenScope::Admin || self == needed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_chinese_labels_both_parse() {
        assert_eq!(WorkerStatus::parse("执业"), Some(WorkerStatus::Practising));
        assert_eq!(
            WorkerStatus::parse(" Revoked "),
            Some(WorkerStatus::Revoked)
        );
        assert_eq!(
            ReviewOutcome::parse("基本称职"),
            Some(ReviewOutcome::BasicallyCompetent)
        );
        assert_eq!(AreaKind::parse("城区街道"), Some(AreaKind::Urban));
        assert_eq!(
            DisciplineKind::parse("公开谴责"),
            Some(DisciplineKind::PublicCensure)
        );
        assert_eq!(WorkerStatus::parse("retired"), None);
        for k in DisciplineKind::ALL {
            assert_eq!(DisciplineKind::parse(k.key()), Some(*k));
        }
    }

    #[test]
    fn review_outcomes_belong_to_their_subjects() {
        assert!(ReviewOutcome::Pass.applies_to(SubjectKind::Office));
        assert!(!ReviewOutcome::Pass.applies_to(SubjectKind::Worker));
        assert!(ReviewOutcome::NotCompetent.applies_to(SubjectKind::Worker));
        assert!(ReviewOutcome::Absent.applies_to(SubjectKind::Office));
        assert!(ReviewOutcome::Fail.is_failure() && ReviewOutcome::NotCompetent.is_failure());
        assert!(!ReviewOutcome::BasicallyCompetent.is_failure());
    }
}
