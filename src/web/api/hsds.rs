//! `GET /api/v1/export/hsds.json`: every office as an organization of the
//! Human Services Data Specification 3 (Open Referral), with its location
//! (address, WGS-84 position when held, opening hours as a schedule), its
//! public phone, its license number as an organization identifier and one
//! service (grassroots legal services, with the practice areas). Only the
//! public fields of the office record; nothing of its workers.
//!
//! Ids are UUIDs derived from the license number (a SHA-256 of a fixed
//! prefix, the object and the number, laid out as an RFC 9562 version 8
//! UUID), so they stay the same from one export to the next.

use std::collections::HashMap;

use actix_web::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::models::{Office, split_list};
use crate::db::profiles;
use crate::db::schema::{districts, offices};
use crate::domain::standing::{Standing, StandingReport};
use crate::i18n::Lang;
use crate::web::AppState;
use crate::web::errors::AppError;

/// Offices fetched and written per chunk.
const PAGE: i64 = 1000;

/// Routes (inside the `/api/v1` scope; before the CSV exports' pattern).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(crate::web::gzip::streamed(
        web::resource("/export/hsds.json"),
        web::get().to(hsds),
    ));
}

/// An HSDS 3 organization: one office.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct HsdsOrganization {
    /// UUID derived from the license number.
    id: String,
    name: String,
    /// One sentence: what the office is, where, and its license number.
    description: String,
    /// The license number (执业许可证号).
    organization_identifiers: Vec<HsdsOrganizationIdentifier>,
    /// The office's public phone (none when not held).
    phones: Vec<HsdsPhone>,
    locations: Vec<HsdsLocation>,
    services: Vec<HsdsService>,
}

/// An HSDS 3 organization identifier.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct HsdsOrganizationIdentifier {
    id: String,
    organization_id: String,
    /// `CN-MOJ-BLS`: the justice administration's register of grassroots
    /// legal service offices.
    identifier_scheme: String,
    /// `执业许可证号`.
    identifier_type: String,
    identifier: String,
}

/// An HSDS 3 phone.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct HsdsPhone {
    id: String,
    organization_id: String,
    number: String,
    /// `voice`.
    #[serde(rename = "type")]
    kind: String,
}

/// An HSDS 3 location: the office's premises.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct HsdsLocation {
    id: String,
    /// `physical`.
    location_type: String,
    organization_id: String,
    name: String,
    /// WGS-84 decimal degrees, when held.
    #[serde(skip_serializing_if = "Option::is_none")]
    latitude: Option<f64>,
    /// WGS-84 decimal degrees, when held.
    #[serde(skip_serializing_if = "Option::is_none")]
    longitude: Option<f64>,
    addresses: Vec<HsdsAddress>,
    /// The opening hours as the office gives them (free text), when held.
    schedules: Vec<HsdsSchedule>,
}

/// An HSDS 3 address.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct HsdsAddress {
    id: String,
    location_id: String,
    address_1: String,
    /// The district (区县).
    city: String,
    /// The province-level division, from the district code.
    state_province: String,
    /// Not held: empty.
    postal_code: String,
    /// `CN`.
    country: String,
    /// `physical`.
    address_type: String,
}

/// An HSDS 3 schedule: opening hours as free text.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct HsdsSchedule {
    id: String,
    location_id: String,
    notes: String,
}

/// An HSDS 3 service.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct HsdsService {
    id: String,
    organization_id: String,
    name: String,
    /// The practice areas.
    description: String,
    /// From the office's standing today: `active` (may practise),
    /// `temporarily closed` (suspended, by status or a decision) or
    /// `defunct` (deregistered, or its license revoked).
    status: String,
}

/// A stable UUID (version 8 layout) for `what` of the office `license_no`.
fn uuid_for(what: &str, license_no: &str) -> String {
    let hash = Sha256::digest(format!("legal-portal/hsds/{what}/{license_no}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&hash[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// The service's status from the office's standing today, not its
/// registration status alone: an office whose license a decision revoked,
/// or a 停止执业 decision suspends, is no place to send a resident however
/// its registration reads.
fn service_status(standing: Standing) -> &'static str {
    match standing {
        Standing::Revoked | Standing::Deregistered | Standing::OfficeClosed => "defunct",
        Standing::Suspended => "temporarily closed",
        Standing::RectificationOverdue
        | Standing::UnderRectification
        | Standing::DisclosedRecord
        | Standing::GoodStanding
        | Standing::NotReviewed => "active",
    }
}

/// One office as an HSDS organization, its sentences in `lang`.
pub(crate) fn organization(
    o: Office,
    standing: Standing,
    district: &str,
    lang: Lang,
) -> HsdsOrganization {
    let no = o.license_no.clone();
    let org = uuid_for("organization", &no);
    let location = uuid_for("location", &no);
    let t =
        |id: &str, args: &[(&str, &dyn std::fmt::Display)]| crate::i18n::tr_in_with(lang, id, args);
    let areas = split_list(&o.practice_areas);
    let service_description = if areas.is_empty() {
        t("hsds-service-description-none", &[])
    } else {
        t(
            "hsds-service-description",
            &[(
                "areas",
                &areas.join(if lang == Lang::En { ", " } else { "、" }),
            )],
        )
    };
    let phone = o.phone.trim();
    let hours = o.hours.trim();
    HsdsOrganization {
        description: t(
            "hsds-organization-description",
            &[
                ("name", &o.name),
                ("district", &district),
                ("license_no", &no),
            ],
        ),
        organization_identifiers: vec![HsdsOrganizationIdentifier {
            id: uuid_for("identifier", &no),
            organization_id: org.clone(),
            identifier_scheme: "CN-MOJ-BLS".into(),
            identifier_type: "执业许可证号".into(),
            identifier: no.clone(),
        }],
        phones: (!phone.is_empty())
            .then(|| HsdsPhone {
                id: uuid_for("phone", &no),
                organization_id: org.clone(),
                number: phone.to_owned(),
                kind: "voice".into(),
            })
            .into_iter()
            .collect(),
        locations: vec![HsdsLocation {
            id: location.clone(),
            location_type: "physical".into(),
            organization_id: org.clone(),
            name: o.name.clone(),
            latitude: o.lat,
            longitude: o.lng,
            addresses: vec![HsdsAddress {
                id: uuid_for("address", &no),
                location_id: location.clone(),
                address_1: o.address.clone(),
                city: district.to_owned(),
                state_province: crate::domain::province::of(&o.district_code)
                    .map_or("", |p| p.name)
                    .to_owned(),
                postal_code: String::new(),
                country: "CN".into(),
                address_type: "physical".into(),
            }],
            schedules: (!hours.is_empty())
                .then(|| HsdsSchedule {
                    id: uuid_for("schedule", &no),
                    location_id: location.clone(),
                    notes: hours.to_owned(),
                })
                .into_iter()
                .collect(),
        }],
        services: vec![HsdsService {
            id: uuid_for("service", &no),
            organization_id: org.clone(),
            name: t("hsds-service-name", &[]),
            description: service_description,
            status: service_status(standing).into(),
        }],
        id: org,
        name: o.name,
    }
}

/// One chunk of the array: the offices after `after`, as JSON text with a
/// leading comma unless `first`; and the last license number when more may
/// follow.
async fn chunk(
    state: &AppState,
    districts: std::sync::Arc<HashMap<String, String>>,
    lang: Lang,
    after: String,
    first: bool,
) -> Result<(Bytes, Option<String>), AppError> {
    let (today, policy) = (state.clock.today(), state.windows);
    let (rows, standings): (Vec<Office>, Vec<StandingReport>) = state
        .db(move |c| {
            let rows: Vec<Office> = offices::table
                .filter(offices::license_no.gt(&after))
                .order(offices::license_no)
                .limit(PAGE)
                .select(Office::as_select())
                .load(c)?;
            let standings = profiles::office_standings(c, &rows, today, &policy)?;
            Ok((rows, standings))
        })
        .await?;
    let more = (rows.len() as i64 == PAGE)
        .then(|| rows.last().map(|o| o.license_no.clone()))
        .flatten();
    let mut out = Vec::with_capacity(rows.len() * 1500);
    for (i, (o, standing)) in rows.into_iter().zip(standings).enumerate() {
        if !(first && i == 0) {
            out.push(b',');
        }
        let district = districts.get(&o.district_code).cloned().unwrap_or_default();
        let org = organization(o, standing.standing, &district, lang);
        serde_json::to_writer(&mut out, &org).map_err(AppError::internal)?;
    }
    Ok((Bytes::from(out), more))
}

/// Every office as an HSDS 3 organization (a JSON array), with its
/// location, address, phone, opening hours and service.
#[utoipa::path(
    get,
    path = "/api/v1/export/hsds.json",
    tag = "export",
    responses(
        (status = 200, description = "The offices as HSDS 3 organizations, each once, by license number", body = Vec<HsdsOrganization>),
        (status = 500, description = "The database failed (`internal`)", body = crate::web::errors::ErrorBody),
    )
)]
pub(crate) async fn hsds(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let lang = crate::i18n::current();
    let names: HashMap<String, String> = state
        .db(|c| {
            Ok(districts::table
                .select((districts::code, districts::name))
                .load::<(String, String)>(c)?
                .into_iter()
                .collect())
        })
        .await?;
    let names = std::sync::Arc::new(names);
    // The first chunk before answering: a database failure is a proper 500.
    let (first, next) = chunk(&state, names.clone(), lang, String::new(), true).await?;
    let state = state.into_inner();
    let rest = futures_util::stream::unfold(next, move |cursor| {
        let (state, names) = (state.clone(), names.clone());
        async move {
            let after = cursor?;
            match chunk(&state, names, lang, after, false).await {
                Ok((bytes, next)) => Some((Ok(bytes), next)),
                Err(e) => Some((Err(std::io::Error::other(e.message)), None)),
            }
        }
    });
    let body = futures_util::StreamExt::chain(
        futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(b"[")), Ok(first)]),
        futures_util::StreamExt::chain(
            rest,
            futures_util::stream::once(async { Ok(Bytes::from_static(b"]")) }),
        ),
    );
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "application/json"))
        .insert_header((
            CONTENT_DISPOSITION,
            "inline; filename=\"hsds-organizations.json\"",
        ))
        .insert_header((CACHE_CONTROL, "public, max-age=300"))
        // The descriptions are in the request's language.
        .insert_header((actix_web::http::header::VARY, "Accept-Language, Cookie"))
        .streaming(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_uuids() {
        let a = uuid_for("organization", "31500103001");
        assert_eq!(a, uuid_for("organization", "31500103001"));
        assert_ne!(a, uuid_for("location", "31500103001"));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "8", "version 8: {a}");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "variant: {a}");
    }
}
