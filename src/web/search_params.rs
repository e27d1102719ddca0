//! The parameters of `/search` and `/api/v1/search`, checked once into a
//! [`SearchQuery`]. Every value arrives as text so that a bad one gets a
//! clear Chinese message instead of a parser's.

use serde::{Deserialize, Serialize};

use super::errors::{AppError, ErrorCode};
use super::lang::{tr, tr_with};
use crate::domain::Standing;
use crate::domain::vocab::{AreaKind, DisciplineKind, ReviewOutcome, SubjectKind, WorkerStatus};
use crate::search::{DocType, Filters, GeoPoint, RecordKind, SearchQuery, SortOrder};

/// Hits per page unless asked otherwise.
pub const PER_PAGE: usize = 20;
/// The most hits on one page.
pub const MAX_PER_PAGE: usize = 100;
/// The deepest page served.
pub const MAX_PAGE: usize = 500;
/// The widest radius, in kilometres.
pub const MAX_RADIUS_KM: f64 = 500.0;

/// The raw query string.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Free text: a name, office name, pinyin, initials or a license
    /// number; at most 100 characters.
    #[param(max_length = 100, example = "张三")]
    pub q: Option<String>,
    /// What to search: `office` or `worker` profiles (both when absent),
    /// `disclosure` (disciplinary actions inside their disclosure window:
    /// decision number, authority, facts, subject) or `review` (annual-
    /// review outcomes by subject, year and outcome).
    #[serde(rename = "type")]
    #[param(value_type = Option<SearchType>)]
    pub kind: Option<String>,
    /// With `type=disclosure`: a discipline kind key (`fine`, `warning`, …);
    /// with `type=review`: an outcome key (`pass`, `not_competent`, …).
    #[serde(rename = "kind")]
    pub record_kind: Option<String>,
    /// With `type=disclosure` or `type=review`: the year of the decision or
    /// of the review.
    #[param(value_type = Option<i32>, minimum = 1949, maximum = 2100)]
    pub year: Option<String>,
    /// District code (6 digits).
    #[param(pattern = r"^[0-9]{6}$", example = "500103")]
    pub district: Option<String>,
    /// Township name.
    pub township: Option<String>,
    /// `rural` or `urban`.
    #[param(value_type = Option<AreaKind>)]
    pub area_kind: Option<String>,
    /// Standing key: `good_standing`, `disclosed_record`,
    /// `under_rectification`, `rectification_overdue`, `suspended`,
    /// `office_closed`, `revoked`, `deregistered` or `not_reviewed`.
    pub standing: Option<String>,
    /// Status key.
    #[param(value_type = Option<WorkerStatus>)]
    pub status: Option<String>,
    /// Practice area.
    pub practice_area: Option<String>,
    /// Latitude of the resident (WGS-84); with `lng`.
    #[param(value_type = Option<f64>, minimum = -90.0, maximum = 90.0)]
    pub lat: Option<String>,
    /// Longitude of the resident (WGS-84); with `lat`.
    #[param(value_type = Option<f64>, minimum = -180.0, maximum = 180.0)]
    pub lng: Option<String>,
    /// Radius in kilometres around `lat`/`lng`, above 0 and at most 500.
    #[param(value_type = Option<f64>, exclusive_minimum = 0.0, maximum = 500.0)]
    pub radius_km: Option<String>,
    /// `relevance` or `distance` (needs `lat`/`lng`).
    #[param(value_type = Option<SortOrder>)]
    pub sort: Option<String>,
    /// Page number from 1 (at most 500).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    pub page: Option<String>,
    /// Hits per page (1 to 100, default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
}

/// What `/search` and `/api/v1/search` search (the `type` parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SearchType {
    /// Office profiles.
    Office,
    /// Worker profiles.
    Worker,
    /// Disciplinary actions inside their disclosure window.
    Disclosure,
    /// Annual-review outcomes.
    Review,
}

fn given(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn bad(param: &str, message: String) -> AppError {
    AppError::new(ErrorCode::BadRequest)
        .message(message)
        .details(serde_json::json!({ "parameter": param }))
}

fn number(param: &str, label: &str, v: &Option<String>) -> Result<Option<f64>, AppError> {
    given(v)
        .map(|s| {
            s.parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .ok_or_else(|| {
                    bad(
                        param,
                        tr_with("sp-not-number", &[("label", &tr(label)), ("value", &s)]),
                    )
                })
        })
        .transpose()
}

fn whole(
    param: &str,
    label: &str,
    v: &Option<String>,
    max: usize,
) -> Result<Option<usize>, AppError> {
    given(v)
        .map(|s| {
            s.parse::<usize>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| {
                    bad(
                        param,
                        tr_with("sp-not-whole", &[("label", &tr(label)), ("max", &max)]),
                    )
                })
        })
        .transpose()
}

impl SearchParams {
    /// Checks the parameters; `page` numbers from 1.
    pub fn to_query(&self) -> Result<(SearchQuery, usize, usize), AppError> {
        let text = given(&self.q).unwrap_or_default();
        if text.chars().count() > 100 {
            return Err(bad("q", tr_with("sp-q-too-long", &[("max", &100)])));
        }
        let (target, kind) = match given(&self.kind) {
            None => (DocType::Subject, None),
            Some(k) => match k.trim().to_ascii_lowercase().as_str() {
                "disclosure" => (DocType::Disclosure, None),
                "review" => (DocType::Review, None),
                _ => (
                    DocType::Subject,
                    Some(
                        SubjectKind::parse(&k)
                            .ok_or_else(|| bad("type", tr_with("sp-bad-type", &[("value", &k)])))?,
                    ),
                ),
            },
        };
        let record_kind = given(&self.record_kind)
            .map(|k| {
                let parsed = match target {
                    DocType::Disclosure => DisciplineKind::parse(&k).map(RecordKind::Discipline),
                    DocType::Review => ReviewOutcome::parse(&k).map(RecordKind::Review),
                    DocType::Subject => {
                        return Err(bad(
                            "kind",
                            tr_with("sp-record-only", &[("param", &"kind")]),
                        ));
                    }
                };
                parsed.ok_or_else(|| bad("kind", tr_with("sp-bad-record-kind", &[("value", &k)])))
            })
            .transpose()?;
        let year = given(&self.year)
            .map(|y| {
                if target == DocType::Subject {
                    return Err(bad(
                        "year",
                        tr_with("sp-record-only", &[("param", &"year")]),
                    ));
                }
                y.parse::<i32>()
                    .ok()
                    .filter(|n| (1949..=2100).contains(n))
                    .ok_or_else(|| bad("year", tr_with("sp-bad-year", &[("value", &y)])))
            })
            .transpose()?;
        let standing = given(&self.standing)
            .map(|s| {
                Standing::parse(&s)
                    .ok_or_else(|| bad("standing", tr_with("sp-bad-standing", &[("value", &s)])))
            })
            .transpose()?;
        let status = given(&self.status)
            .map(|s| {
                WorkerStatus::parse(&s)
                    .ok_or_else(|| bad("status", tr_with("sp-bad-status", &[("value", &s)])))
            })
            .transpose()?;
        let area_kind = given(&self.area_kind)
            .map(|s| {
                AreaKind::parse(&s)
                    .ok_or_else(|| bad("area_kind", tr_with("sp-bad-area-kind", &[("value", &s)])))
            })
            .transpose()?;
        let district = given(&self.district);
        if let Some(d) = &district
            && !(d.len() == 6 && d.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(bad("district", tr_with("sp-bad-district", &[("value", d)])));
        }
        let lat = number("lat", "sp-label-lat", &self.lat)?;
        let lng = number("lng", "sp-label-lng", &self.lng)?;
        let near = match (lat, lng) {
            (Some(lat), Some(lng)) => {
                if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lng) {
                    return Err(bad("lat", tr("sp-position-out-of-range")));
                }
                Some(GeoPoint { lat, lng })
            }
            (None, None) => None,
            _ => return Err(bad("lat", tr("sp-lat-and-lng"))),
        };
        let radius_km = number("radius_km", "sp-label-radius", &self.radius_km)?;
        if let Some(r) = radius_km {
            if near.is_none() {
                return Err(bad("radius_km", tr("sp-radius-needs-position")));
            }
            if !(r > 0.0 && r <= MAX_RADIUS_KM) {
                return Err(bad(
                    "radius_km",
                    tr_with("sp-radius-range", &[("max", &MAX_RADIUS_KM)]),
                ));
            }
        }
        let sort = match given(&self.sort).as_deref() {
            None => {
                if near.is_some() && text.is_empty() {
                    SortOrder::Distance
                } else {
                    SortOrder::Relevance
                }
            }
            Some("relevance") => SortOrder::Relevance,
            Some("distance") if near.is_some() => SortOrder::Distance,
            Some("distance") => {
                return Err(bad("sort", tr("sp-distance-needs-position")));
            }
            Some(other) => {
                return Err(bad("sort", tr_with("sp-bad-sort", &[("value", &other)])));
            }
        };
        let page = whole("page", "sp-label-page", &self.page, MAX_PAGE)?.unwrap_or(1);
        let per_page = whole(
            "per_page",
            "sp-label-per-page",
            &self.per_page,
            MAX_PER_PAGE,
        )?
        .unwrap_or(PER_PAGE);
        // Records have no place, standing or practice area of their own:
        // those filters and a position concern profiles only and are left
        // out here, once, so that both engines get the same query.
        let profile = target == DocType::Subject;
        let query = SearchQuery {
            target,
            text,
            filters: Filters {
                kind,
                district,
                township: given(&self.township).filter(|_| profile),
                area_kind: area_kind.filter(|_| profile),
                standing: standing.filter(|_| profile),
                status: status.filter(|_| profile),
                practice_area: given(&self.practice_area).filter(|_| profile),
                record_kind,
                year,
            },
            near: near.filter(|_| target == DocType::Subject),
            radius_m: radius_km
                .map(|r| r * 1000.0)
                .filter(|_| target == DocType::Subject),
            sort: if target == DocType::Subject {
                sort
            } else {
                SortOrder::Relevance
            },
            offset: (page - 1) * per_page,
            limit: per_page,
        };
        Ok((query, page, per_page))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> SearchParams {
        let qs: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        serde_urlencoded_like(&qs.join("&"))
    }

    fn serde_urlencoded_like(qs: &str) -> SearchParams {
        let mut p = SearchParams::default();
        for pair in qs.split('&').filter(|s| !s.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = Some(v.to_owned());
            match k {
                "q" => p.q = v,
                "type" => p.kind = v,
                "kind" => p.record_kind = v,
                "year" => p.year = v,
                "lat" => p.lat = v,
                "lng" => p.lng = v,
                "radius_km" => p.radius_km = v,
                "page" => p.page = v,
                "district" => p.district = v,
                _ => {}
            }
        }
        p
    }

    #[test]
    fn a_point_without_text_sorts_by_distance() {
        let (q, page, _) = params(&[("lat", "29.5"), ("lng", "106.5"), ("radius_km", "5")])
            .to_query()
            .map_err(|e| e.to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(q.sort, SortOrder::Distance);
        assert_eq!(q.radius_m, Some(5000.0));
        assert_eq!(page, 1);
    }

    #[test]
    fn records_are_searched_by_type_kind_and_year() {
        let (q, _, _) = params(&[("type", "disclosure"), ("kind", "罚款"), ("year", "2025")])
            .to_query()
            .map_err(|e| e.to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(q.target, DocType::Disclosure);
        assert_eq!(q.filters.kind, None);
        assert_eq!(q.filters.record_kind.map(RecordKind::key), Some("fine"));
        assert_eq!(q.filters.year, Some(2025));
        let (q, _, _) = params(&[("type", "review"), ("kind", "不称职")])
            .to_query()
            .map_err(|e| e.to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(q.target, DocType::Review);
        assert_eq!(
            q.filters.record_kind.map(RecordKind::key),
            Some("not_competent")
        );
    }

    #[test]
    fn profile_filters_and_a_position_do_not_reach_a_record_search() {
        let (q, _, _) = params(&[
            ("type", "disclosure"),
            ("lat", "29.5"),
            ("lng", "106.5"),
            ("radius_km", "5"),
            ("district", "500101"),
        ])
        .to_query()
        .map_err(|e| e.to_string())
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (q.near, q.radius_m, q.sort),
            (None, None, SortOrder::Relevance)
        );
        assert_eq!(q.filters.district.as_deref(), Some("500101"));
    }

    #[test]
    fn bad_values_are_refused() {
        for bad in [
            vec![("type", "lawyer")],
            vec![("lat", "abc"), ("lng", "1")],
            vec![("lat", "29")],
            vec![("radius_km", "5")],
            vec![("page", "0")],
            vec![("district", "50010")],
            vec![("year", "2025")],
            vec![("type", "worker"), ("kind", "fine")],
            vec![("type", "disclosure"), ("kind", "pass")],
            vec![("type", "review"), ("kind", "fine")],
            vec![("type", "review"), ("year", "1800")],
        ] {
            assert!(
                params(&bad).to_query().is_err(),
                "{bad:?} should be refused"
            );
        }
    }
}
