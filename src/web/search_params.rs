//! The parameters of `/search` and `/api/v1/search`, checked once into a
//! [`SearchQuery`]. Every value arrives as text so that a bad one gets a
//! clear Chinese message instead of a parser's.

use serde::{Deserialize, Serialize};

use super::errors::{AppError, ErrorCode};
use crate::domain::Standing;
use crate::domain::vocab::{AreaKind, SubjectKind, WorkerStatus};
use crate::search::{Filters, GeoPoint, SearchQuery, SortOrder};

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
    /// `office` or `worker`.
    #[serde(rename = "type")]
    #[param(value_type = Option<SubjectKind>)]
    pub kind: Option<String>,
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
                .ok_or_else(|| bad(param, format!("{label}“{s}”不是数字。")))
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
                .ok_or_else(|| bad(param, format!("{label}应为 1 到 {max} 之间的整数。")))
        })
        .transpose()
}

impl SearchParams {
    /// Checks the parameters; `page` numbers from 1.
    pub fn to_query(&self) -> Result<(SearchQuery, usize, usize), AppError> {
        let text = given(&self.q).unwrap_or_default();
        if text.chars().count() > 100 {
            return Err(bad("q", "搜索内容太长，请不超过 100 个字。".into()));
        }
        let kind = given(&self.kind)
            .map(|k| {
                SubjectKind::parse(&k).ok_or_else(|| {
                    bad(
                        "type",
                        format!(
                            "类型“{k}”无效：应为 office（法律服务所）或 worker（法律服务工作者）。"
                        ),
                    )
                })
            })
            .transpose()?;
        let standing = given(&self.standing)
            .map(|s| {
                Standing::parse(&s)
                    .map(|s| s.key().to_owned())
                    .ok_or_else(|| bad("standing", format!("执业信用状态“{s}”无效。")))
            })
            .transpose()?;
        let status = given(&self.status)
            .map(|s| {
                WorkerStatus::parse(&s)
                    .map(|s| s.key().to_owned())
                    .ok_or_else(|| bad("status", format!("执业状态“{s}”无效。")))
            })
            .transpose()?;
        let area_kind = given(&self.area_kind)
            .map(|s| {
                AreaKind::parse(&s)
                    .map(|s| s.key().to_owned())
                    .ok_or_else(|| {
                        bad(
                            "area_kind",
                            format!("区域类型“{s}”无效：应为 rural 或 urban。"),
                        )
                    })
            })
            .transpose()?;
        let district = given(&self.district);
        if let Some(d) = &district
            && !(d.len() == 6 && d.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(bad(
                "district",
                format!("区县代码“{d}”无效：应为 6 位数字。"),
            ));
        }
        let lat = number("lat", "纬度", &self.lat)?;
        let lng = number("lng", "经度", &self.lng)?;
        let near = match (lat, lng) {
            (Some(lat), Some(lng)) => {
                if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lng) {
                    return Err(bad(
                        "lat",
                        "位置超出范围：纬度应在 -90 到 90 之间，经度在 -180 到 180 之间。".into(),
                    ));
                }
                Some(GeoPoint { lat, lng })
            }
            (None, None) => None,
            _ => return Err(bad("lat", "请同时提供纬度（lat）和经度（lng）。".into())),
        };
        let radius_km = number("radius_km", "半径", &self.radius_km)?;
        if let Some(r) = radius_km {
            if near.is_none() {
                return Err(bad(
                    "radius_km",
                    "按半径查找需要同时提供位置（lat 和 lng）。".into(),
                ));
            }
            if !(r > 0.0 && r <= MAX_RADIUS_KM) {
                return Err(bad(
                    "radius_km",
                    format!("半径应大于 0 且不超过 {MAX_RADIUS_KM} 公里。"),
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
                return Err(bad("sort", "按距离排序需要提供位置（lat 和 lng）。".into()));
            }
            Some(other) => {
                return Err(bad(
                    "sort",
                    format!("排序方式“{other}”无效：应为 relevance 或 distance。"),
                ));
            }
        };
        let page = whole("page", "页码", &self.page, MAX_PAGE)?.unwrap_or(1);
        let per_page =
            whole("per_page", "每页条数", &self.per_page, MAX_PER_PAGE)?.unwrap_or(PER_PAGE);
        let query = SearchQuery {
            text,
            filters: Filters {
                kind,
                district,
                township: given(&self.township),
                area_kind,
                standing,
                status,
                practice_area: given(&self.practice_area),
            },
            near,
            radius_m: radius_km.map(|r| r * 1000.0),
            sort,
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
    fn bad_values_are_refused() {
        for bad in [
            vec![("type", "lawyer")],
            vec![("lat", "abc"), ("lng", "1")],
            vec![("lat", "29")],
            vec![("radius_km", "5")],
            vec![("page", "0")],
            vec![("district", "50010")],
        ] {
            assert!(
                params(&bad).to_query().is_err(),
                "{bad:?} should be refused"
            );
        }
    }
}
