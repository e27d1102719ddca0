//! The warning a search by name shows first when the name is that of a
//! revoked or deregistered worker and of nobody who may practise
//! (`domain::impersonation`), with the date and a way to report.

use chrono::NaiveDate;
use serde::Serialize;

use crate::db::{self, DbConnection, DbError};
use crate::domain::LicenseNo;
use crate::domain::impersonation::{NamedWorker, looks_like_a_name, to_warn_about};
use crate::domain::standing::{Reason, StandingPolicy};
use crate::i18n::{Lang, tr_in_with};

/// One barred worker of the name.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BarredWorker {
    /// License number.
    pub license_no: String,
    /// `revoked` or `deregistered`.
    pub standing: &'static str,
    /// Since when, when the register knows (the revoking decision's date,
    /// or the exit notice naming the worker).
    pub since: Option<NaiveDate>,
    /// The sentence to show.
    pub message: String,
    /// The worker's profile.
    pub profile_url: String,
    /// Where to report someone practising under this name: the
    /// unlicensed-practice form with the name filled in.
    pub report_url: String,
}

/// The warning: the name and each barred worker of it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImpersonationNotice {
    /// The name searched.
    pub name: String,
    /// The revoked or deregistered workers of that name.
    pub workers: Vec<BarredWorker>,
}

/// The notice for a search text, when it reads as a name and the warning
/// applies; `None` otherwise. Reads every namesake's records: callers
/// first ask whether the name is among `db::profiles::barred_names`
/// (kept by `AppState::barred_names`), which most names are not.
pub fn notice(
    conn: &mut DbConnection,
    text: &str,
    lang: Lang,
    today: NaiveDate,
    policy: &StandingPolicy,
) -> Result<Option<ImpersonationNotice>, DbError> {
    let name = text.trim();
    if !looks_like_a_name(name) {
        return Ok(None);
    }
    let mut named = Vec::new();
    for no in db::profiles::workers_named(conn, name)? {
        let Ok(license) = LicenseNo::parse(&no) else {
            continue;
        };
        let Some(summary) = crate::web::views::subject_summary(conn, &license, today, policy)?
        else {
            continue;
        };
        let (standing, reason) = &*summary.standing.source;
        named.push((
            NamedWorker {
                license_no: no,
                standing: *standing,
                since: None,
            },
            reason.clone(),
        ));
    }
    let workers: Vec<NamedWorker> = named.iter().map(|(w, _)| w.clone()).collect();
    let barred = to_warn_about(&workers);
    if barred.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for w in barred {
        let reason = named
            .iter()
            .find(|(n, _)| n.license_no == w.license_no)
            .map(|(_, r)| r.clone());
        let since = since(
            conn,
            &w.license_no,
            reason.as_ref(),
            w.standing == crate::domain::Standing::Revoked,
        )?;
        let status = crate::i18n::tr_in(
            lang,
            &format!("impersonation-status-{}", w.standing.key()),
            None,
        );
        let message = match since {
            Some(d) => tr_in_with(
                lang,
                "impersonation-since",
                &[("name", &name), ("status", &status), ("date", &d)],
            ),
            None => tr_in_with(
                lang,
                "impersonation",
                &[("name", &name), ("status", &status)],
            ),
        };
        out.push(BarredWorker {
            standing: w.standing.key(),
            since,
            message,
            profile_url: format!("/workers/{}", w.license_no),
            // Someone practising under a barred worker's name is not in the
            // register: the unlicensed-practice form, the name filled in.
            report_url: format!(
                "/complaints/unlicensed?name={}",
                url::form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>()
            ),
            license_no: w.license_no.clone(),
        });
    }
    Ok(Some(ImpersonationNotice {
        name: name.to_owned(),
        workers: out,
    }))
}

/// Since when a worker is barred: the revoking decision's date, else the
/// newest exit notice naming the worker, else the day an import recorded
/// the revoked or deregistered status.
fn since(
    conn: &mut DbConnection,
    license_no: &str,
    reason: Option<&Reason>,
    revoked: bool,
) -> Result<Option<NaiveDate>, DbError> {
    if revoked && !matches!(reason, Some(Reason::LicenseRevoked { .. })) {
        // Revoked by its status (the standing names no decision): the
        // worker's latest revoking decision in force still dates it.
        use crate::db::schema::disciplinary_actions as a;
        use diesel::prelude::*;
        let decided: Option<NaiveDate> = a::table
            .filter(a::subject_kind.eq(crate::domain::vocab::SubjectKind::Worker.key()))
            .filter(a::subject_license_no.eq(license_no))
            .filter(a::kind.eq(crate::domain::vocab::DisciplineKind::RevokeLicense.key()))
            .filter(a::withdrawn_on.is_null())
            .order(a::decided_on.desc())
            .select(a::decided_on)
            .first(conn)
            .optional()?;
        if decided.is_some() {
            return Ok(decided);
        }
    }
    if let Some(Reason::LicenseRevoked { decision_no }) = reason {
        use crate::db::schema::disciplinary_actions;
        use diesel::prelude::*;
        let on: Option<NaiveDate> = disciplinary_actions::table
            .filter(disciplinary_actions::decision_no.eq(decision_no))
            .select(disciplinary_actions::decided_on)
            .first(conn)
            .optional()?;
        if on.is_some() {
            return Ok(on);
        }
    }
    let notice = db::exit::announcements_naming(conn, license_no)?
        .into_iter()
        .find(|a| a.kind == crate::domain::vocab::AnnouncementKind::Exit.key())
        .map(|a| a.published_on);
    if notice.is_some() {
        return Ok(notice);
    }
    // Else the day an import set the status (the record history), in China.
    use crate::db::schema::record_history;
    use diesel::prelude::*;
    let set: Option<chrono::NaiveDateTime> = record_history::table
        .filter(record_history::subject_kind.eq(crate::domain::vocab::SubjectKind::Worker.key()))
        .filter(record_history::subject_key.eq(license_no))
        .filter(record_history::field.eq("status"))
        .filter(record_history::new_value.eq_any(["revoked", "deregistered"]))
        .order(record_history::id.desc())
        .select(record_history::changed_at)
        .first(conn)
        .optional()?;
    Ok(set.map(crate::domain::dates::china_date))
}
