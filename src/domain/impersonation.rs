//! Impersonation warnings (issue 14): when a resident searches for a
//! person by name and every worker of that name has lost the right to
//! practise — at least one by revocation or deregistration — the answer
//! says so first, so that nobody is misled by a name on a business card.

use chrono::NaiveDate;

use super::standing::Standing;

/// A worker who bears the searched name.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedWorker {
    /// License number.
    pub license_no: String,
    /// Standing today.
    pub standing: Standing,
    /// Since when the licence is revoked or deregistered, when known.
    pub since: Option<NaiveDate>,
}

/// Whether a worker of this standing may provide legal services today.
pub fn can_practise(standing: Standing) -> bool {
    !matches!(
        standing,
        Standing::Revoked | Standing::Deregistered | Standing::Suspended | Standing::OfficeClosed
    )
}

/// The revoked or deregistered workers to warn about: none when any worker
/// of the name may practise (the resident may have met that one), else
/// every revoked or deregistered one.
pub fn to_warn_about(workers: &[NamedWorker]) -> Vec<&NamedWorker> {
    if workers.iter().any(|w| can_practise(w.standing)) {
        return Vec::new();
    }
    workers
        .iter()
        .filter(|w| matches!(w.standing, Standing::Revoked | Standing::Deregistered))
        .collect()
}

/// Whether a query reads as a person's name: two to five Chinese
/// characters, or a transcribed name with a middle dot (阿依古丽·买买提)
/// of up to fifteen; nothing else.
pub fn looks_like_a_name(q: &str) -> bool {
    let q = q.trim();
    let n = q.chars().count();
    let dotted = q.contains(['·', '•']);
    let fits = if dotted {
        (3..=15).contains(&n)
    } else {
        (2..=5).contains(&n)
    };
    fits && q
        .chars()
        .all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || c == '·' || c == '•')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(no: &str, standing: Standing) -> NamedWorker {
        NamedWorker {
            license_no: no.into(),
            standing,
            since: None,
        }
    }

    #[test]
    fn warns_only_when_nobody_of_the_name_may_practise() {
        let revoked = w("1", Standing::Revoked);
        assert_eq!(
            to_warn_about(std::slice::from_ref(&revoked)),
            vec![&revoked]
        );
        let both = [revoked.clone(), w("2", Standing::GoodStanding)];
        assert!(to_warn_about(&both).is_empty(), "another one practises");
        let under = [revoked.clone(), w("3", Standing::UnderRectification)];
        assert!(
            to_warn_about(&under).is_empty(),
            "rectifying still practises"
        );
        let suspended = [w("4", Standing::Suspended)];
        assert!(
            to_warn_about(&suspended).is_empty(),
            "no revocation to name"
        );
        let mixed = [
            revoked.clone(),
            w("5", Standing::Deregistered),
            w("6", Standing::Suspended),
        ];
        assert_eq!(to_warn_about(&mixed).len(), 2);
        assert!(to_warn_about(&[]).is_empty());
    }

    #[test]
    fn names_are_short_runs_of_chinese_characters() {
        assert!(looks_like_a_name("张三"));
        assert!(looks_like_a_name(" 欧阳娜娜 "));
        assert!(looks_like_a_name("阿依古丽·买买提"));
        assert!(!looks_like_a_name("张"));
        assert!(!looks_like_a_name("zhangsan"));
        assert!(!looks_like_a_name("龙沙镇法律服务所所长"));
        assert!(!looks_like_a_name("4550010100001"));
    }
}
