//! `/api/v1/export/{dataset}.csv`: offices, workers and the disclosures in
//! their window, as CSV for spreadsheets: UTF-8 with a byte-order mark (so
//! Excel as used in China reads it as UTF-8), a header row, RFC 4180
//! quoting. Offices and workers are streamed in pages, so the nation's
//! 70,000 workers never sit in memory as one text.
//!
//! Every cell goes through [`neutralise`] (CSV formula injection, OWASP):
//! a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is
//! written with a leading `'`, so a spreadsheet shows it as text instead of
//! running it as a formula. A cell that is a plain decimal number (`-12.5`,
//! `106.55`) is left alone in every column, so numbers stay numbers.

use actix_web::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};
use diesel::prelude::*;

use crate::db::models::{Office, Worker, split_list};
use crate::db::profiles;
use crate::db::schema::{offices, workers};
use crate::domain::standing::StandingReport;
use crate::domain::vocab::{DisciplineKind, OfficeStatus, WorkerStatus};
use crate::i18n::{Label, label_of};
use crate::web::AppState;
use crate::web::errors::{AppError, ErrorBody, ErrorCode};

/// Rows fetched and written per chunk.
const PAGE: i64 = 2000;
const BOM: &[u8] = b"\xEF\xBB\xBF";

const OFFICE_COLUMNS: &[&str] = &[
    "license_no",
    "name",
    "district_code",
    "area_kind",
    "address",
    "phone",
    "hours",
    "director",
    "practice_areas",
    "status",
    "status_label",
    "established_on",
    "lat",
    "lng",
    "standing",
    "standing_label",
];

const WORKER_COLUMNS: &[&str] = &[
    "license_no",
    "name",
    "office_license_no",
    "status",
    "status_label",
    "first_licensed_on",
    "practice_areas",
    "adviser_posts",
    "standing",
    "standing_label",
];

const DISCLOSURE_COLUMNS: &[&str] = &[
    "decision_no",
    "kind",
    "kind_label",
    "authority",
    "decided_on",
    "public_until",
    "subject_kind",
    "subject_license_no",
    "subject_name",
    "district_code",
    "facts",
    "basis",
];

/// Routes (inside the `/api/v1` scope).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::web::gzip::streamed(
        web::resource("/export/{dataset}.csv"),
        web::get().to(export),
    ));
}

/// A cell safe to open in a spreadsheet: one a spreadsheet would read as a
/// formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) gets a
/// leading `'`, as OWASP recommends; a plain decimal number such as `-12.5`
/// is not a formula and is kept as it is, so numeric columns stay numeric.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_plain_number(cell) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// `-?digits[.digits]`: what the export writes for a number.
fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// Rows as CSV bytes, every cell neutralised; with `header`, the file's
/// start (a byte-order mark and the header row).
pub(crate) fn csv_chunk(header: Option<&[&str]>, rows: &[Vec<String>]) -> Result<Bytes, AppError> {
    let mut out = Vec::with_capacity(rows.len() * 160 + 8);
    if let Some(h) = header {
        out.extend_from_slice(BOM);
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(h).map_err(internal)?;
        w.flush().map_err(internal)?;
    }
    {
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(&mut out);
        for r in rows {
            w.write_record(r.iter().map(|cell| neutralise(cell).into_owned()))
                .map_err(internal)?;
        }
        w.flush().map_err(internal)?;
    }
    Ok(Bytes::from(out))
}

fn internal(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "cannot write CSV");
    AppError::new(ErrorCode::Internal)
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// Today's standing as two cells: its key and its label.
fn standing_cells(r: &StandingReport) -> [String; 2] {
    [r.standing.key().to_owned(), r.standing.label().to_owned()]
}

fn office_row(o: Office, standing: &StandingReport) -> Vec<String> {
    let status_label = label_of(OfficeStatus::parse(&o.status), &o.status);
    vec![
        o.license_no,
        o.name,
        o.district_code,
        o.area_kind,
        o.address,
        o.phone,
        o.hours,
        o.director,
        split_list(&o.practice_areas).join("、"),
        o.status,
        status_label,
        opt(o.established_on),
        opt(o.lat),
        opt(o.lng),
    ]
    .into_iter()
    .chain(standing_cells(standing))
    .collect()
}

fn worker_row(w: Worker, standing: &StandingReport) -> Vec<String> {
    let status_label = label_of(WorkerStatus::parse(&w.status), &w.status);
    vec![
        w.license_no,
        w.name,
        opt(w.office_license_no),
        w.status,
        status_label,
        opt(w.first_licensed_on),
        split_list(&w.practice_areas).join("、"),
        split_list(&w.adviser_posts).join("、"),
    ]
    .into_iter()
    .chain(standing_cells(standing))
    .collect()
}

/// One page of a keyset-paged table after `after`.
fn page(
    state: &AppState,
    dataset: &'static str,
    after: String,
) -> impl std::future::Future<Output = Result<(Vec<Vec<String>>, Option<String>), AppError>> {
    let state = state.clone();
    let (today, policy) = (state.clock.today(), state.windows);
    async move {
        state
            .db(move |c| {
                let (rows, last) = if dataset == "offices" {
                    let rows: Vec<Office> = offices::table
                        .filter(offices::license_no.gt(&after))
                        .order(offices::license_no)
                        .limit(PAGE)
                        .select(Office::as_select())
                        .load(c)?;
                    let last = rows.last().map(|o| o.license_no.clone());
                    let standings = profiles::office_standings(c, &rows, today, &policy)?;
                    let rows = rows.into_iter().zip(&standings);
                    (
                        rows.map(|(o, s)| office_row(o, s)).collect::<Vec<_>>(),
                        last,
                    )
                } else {
                    let rows: Vec<Worker> = workers::table
                        .filter(workers::license_no.gt(&after))
                        .order(workers::license_no)
                        .limit(PAGE)
                        .select(Worker::as_select())
                        .load(c)?;
                    let last = rows.last().map(|w| w.license_no.clone());
                    let standings = profiles::worker_standings(c, &rows, today, &policy)?;
                    let rows = rows.into_iter().zip(&standings);
                    (
                        rows.map(|(w, s)| worker_row(w, s)).collect::<Vec<_>>(),
                        last,
                    )
                };
                let more = (rows.len() as i64 == PAGE).then_some(last).flatten();
                Ok((rows, more))
            })
            .await
    }
}

fn attachment(name: &str) -> actix_web::HttpResponseBuilder {
    let mut b = HttpResponse::Ok();
    b.insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}.csv\""),
        ))
        .insert_header((CACHE_CONTROL, "public, max-age=300"));
    b
}

/// A whole dataset as CSV (UTF-8 with a byte-order mark, a header row):
/// `offices`, `workers`, or `disclosures` (those inside their disclosure
/// window today).
#[utoipa::path(
    get,
    path = "/api/v1/export/{dataset}.csv",
    tag = "export",
    params(("dataset" = String, Path, description = "`offices`, `workers` or `disclosures`", example = "offices")),
    responses(
        (status = 200, description = "The CSV file", content_type = "text/csv", body = String),
        (status = 404, description = "No such dataset (`not_found`)", body = ErrorBody),
    )
)]
pub(crate) async fn export(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let dataset: &'static str = match path.as_str() {
        "offices" => "offices",
        "workers" => "workers",
        "disclosures" => return disclosures(state).await,
        _ => {
            return Err(AppError::new(ErrorCode::NotFound)
                .message(crate::web::lang::tr("error-msg-no-export")));
        }
    };
    let columns = if dataset == "offices" {
        OFFICE_COLUMNS
    } else {
        WORKER_COLUMNS
    };
    // The first page is fetched before answering, so a database failure is
    // a proper 500 rather than a cut-off file.
    let (rows, next) = page(&state, dataset, String::new()).await?;
    let first = csv_chunk(Some(columns), &rows)?;
    let state = state.into_inner();
    let rest = futures_util::stream::unfold(next, move |cursor| {
        let state = state.clone();
        async move {
            let after = cursor?;
            let chunk = page(&state, dataset, after)
                .await
                .and_then(|(rows, next)| Ok((csv_chunk(None, &rows)?, next)));
            match chunk {
                Ok((bytes, next)) => Some((Ok(bytes), next)),
                Err(e) => Some((Err(std::io::Error::other(e.message)), None)),
            }
        }
    });
    let body = futures_util::StreamExt::chain(
        futures_util::stream::once(async move { Ok::<_, std::io::Error>(first) }),
        rest,
    );
    Ok(attachment(dataset).streaming(body))
}

async fn disclosures(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let (today, windows) = (state.clock.today(), state.windows);
    let items = state
        .db(move |c| crate::db::public_lists::disclosures(c, today, &windows, None, None))
        .await?;
    let rows: Vec<Vec<String>> = items
        .into_iter()
        .map(|d| {
            let a = d.action;
            let kind_label = label_of(DisciplineKind::parse(&a.kind), &a.kind);
            vec![
                a.decision_no,
                a.kind,
                kind_label,
                a.authority,
                a.decided_on.to_string(),
                d.public_until.to_string(),
                a.subject_kind,
                a.subject_license_no,
                d.subject_name.unwrap_or_default(),
                d.district_code.unwrap_or_default(),
                a.facts,
                a.basis,
            ]
        })
        .collect();
    Ok(attachment("disclosures").body(csv_chunk(Some(DISCLOSURE_COLUMNS), &rows)?))
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formulas_are_quoted_and_numbers_are_not() {
        for (raw, out) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("+1+1", "'+1+1"),
            ("-1+cmd|' /C calc'!A0", "'-1+cmd|' /C calc'!A0"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-", "'-"),
            ("-1e5", "'-1e5"),
            ("-12.5", "-12.5"),
            ("-3", "-3"),
            ("106.55", "106.55"),
            ("张三", "张三"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(neutralise(raw), out, "{raw:?}");
        }
    }
}
