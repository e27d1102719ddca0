//! schema.org JSON-LD for the profile pages.

use crate::i18n::{current, tr_in};

/// A schema.org JSON-LD block's body, safe inside `<script>`: `<`, `>` and
/// `&` are written as `\u003c`, `\u003e`, `\u0026`, so `</script>` in data
/// cannot end the block.
pub fn json_ld(value: &serde_json::Value) -> String {
    serde_json::to_string(value)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// JSON-LD for an office profile: only what the page shows.
pub fn office_json_ld(o: &super::views::OfficeView) -> String {
    let mut v = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "LegalService",
        "name": o.name,
        "identifier": o.license_no,
        "url": format!("/offices/{}", o.license_no),
        "address": {
            "@type": "PostalAddress",
            "streetAddress": o.address,
            "addressRegion": "重庆市",
            "addressLocality": o.district_name,
            "addressCountry": "CN",
        },
    });
    if !o.phone.is_empty() {
        v["telephone"] = o.phone.clone().into();
    }
    if let (Some(lat), Some(lng)) = (o.lat, o.lng) {
        v["geo"] =
            serde_json::json!({"@type": "GeoCoordinates", "latitude": lat, "longitude": lng});
    }
    json_ld(&v)
}

/// JSON-LD for a worker profile: name, role, office, licence number.
pub fn worker_json_ld(w: &super::views::WorkerView) -> String {
    let mut v = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Person",
        "name": w.name,
        "identifier": w.license_no,
        "url": format!("/workers/{}", w.license_no),
    });
    // Only someone who may practise is said, to search engines, to hold
    // the role and to work for an office: a revoked or deregistered
    // worker, or one whose office closed, is neither (their name is what
    // an impersonator would use).
    let may_practise = !matches!(
        w.credit.standing.key,
        "revoked" | "deregistered" | "office_closed"
    );
    if !may_practise {
        return json_ld(&v);
    }
    v["jobTitle"] = tr_in(current(), "role-worker", None).into();
    if let Some(o) = &w.office {
        v["worksFor"] = serde_json::json!({
            "@type": "LegalService",
            "name": o.name,
            "identifier": o.license_no,
            "url": format!("/offices/{}", o.license_no),
        });
    }
    json_ld(&v)
}
