//! Languages: zh-CN by default, English on request. The language is chosen
//! per request (`?lang=`, then the `lang` cookie, then `Accept-Language`),
//! kept for the request in a task-local, and read by the Tera function
//! `t(key=...)`. `?lang=` also sets an HttpOnly `lang` cookie so the choice
//! survives navigation. All strings come from `locales/*/*.ftl`, compiled in.

use std::collections::HashMap;
use std::sync::LazyLock;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{ACCEPT_LANGUAGE, COOKIE, HeaderValue, SET_COOKIE};
use actix_web::middleware::Next;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// A language of the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Simplified Chinese, the default.
    Zh,
    /// English.
    En,
}

impl Lang {
    /// The BCP 47 tag, for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The value of `?lang=`.
    pub fn param(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The other language.
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// Parses `zh`, `zh-CN`, `en`, `en-GB`…
    pub fn parse(s: &str) -> Option<Lang> {
        let primary = s.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The preferred of our languages in an `Accept-Language` header, by
    /// q-value (first wins on a tie); Chinese when none matches.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(Lang, f32)> = None;
        for part in header.split(',') {
            let mut bits = part.split(';');
            let Some(lang) = bits.next().and_then(Lang::parse) else {
                continue;
            };
            let q = bits
                .find_map(|b| b.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(_, bq)| q > bq) {
                best = Some((lang, q));
            }
        }
        best.map_or(Lang::Zh, |(l, _)| l)
    }
}

/// What a page needs to know about its request's language.
#[derive(Debug, Clone)]
pub struct RequestLang {
    /// The chosen language.
    pub lang: Lang,
    /// The same address in the other language.
    pub switch_url: String,
}

tokio::task_local! {
    static CURRENT: RequestLang;
}

/// The language of the request being served (Chinese outside a request).
pub fn current() -> Lang {
    CURRENT.try_with(|r| r.lang).unwrap_or(Lang::Zh)
}

/// The address of this page in the other language.
pub fn switch_url() -> String {
    CURRENT
        .try_with(|r| r.switch_url.clone())
        .unwrap_or_else(|_| "/?lang=en".to_owned())
}

/// `path` as a link that stays on this site: the leading run of slashes
/// and backslashes becomes one `/`, so `//evil.test/x` (or `/\\evil.test`)
/// is `/evil.test/x` here rather than an address on another host.
pub fn on_site(path: &str) -> String {
    format!("/{}", path.trim_start_matches(['/', '\\']))
}

/// `path?query` with `lang` set to `lang` and the other parameters kept;
/// always a link on this site (see [`on_site`]).
pub fn url_in(path: &str, query: &str, lang: Lang) -> String {
    let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .filter(|(k, _)| k != "lang")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.push(("lang".to_owned(), lang.param().to_owned()));
    let q = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    format!("{}?{q}", on_site(path))
}

/// Middleware: chooses the language and serves the request in it.
pub async fn negotiate(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let asked = url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "lang")
        .and_then(|(_, v)| Lang::parse(&v));
    let lang = asked
        .or_else(|| {
            req.headers()
                .get_all(COOKIE)
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(';'))
                .find_map(|c| c.trim().strip_prefix("lang="))
                .and_then(Lang::parse)
        })
        .unwrap_or_else(|| {
            req.headers()
                .get(ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map_or(Lang::Zh, Lang::from_accept_language)
        });
    let switch_url = url_in(req.path(), req.query_string(), lang.other());
    let mut res = CURRENT
        .scope(RequestLang { lang, switch_url }, next.call(req))
        .await?;
    if let Some(asked) = asked {
        let cookie = format!("lang={}; Path=/; HttpOnly; SameSite=Lax", asked.param());
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            res.headers_mut().append(SET_COOKIE, v);
        }
    }
    Ok(res)
}

macro_rules! ftl {
    ($lang:literal: $($file:literal),+) => {
        [$(include_str!(concat!("../../locales/", $lang, "/", $file))),+]
    };
}

/// The Fluent sources, per language, compiled in.
pub const ZH_SOURCES: [&str; 2] = ftl!("zh-CN": "main.ftl", "admin.ftl");
/// English sources.
pub const EN_SOURCES: [&str; 2] = ftl!("en": "main.ftl", "admin.ftl");

fn bundle(tag: &str, sources: &[&str]) -> FluentBundle<FluentResource> {
    let id: unic_langid::LanguageIdentifier = tag.parse().expect("valid language tag");
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    bundle.set_use_isolating(false);
    for src in sources {
        let res = FluentResource::try_new((*src).to_owned()).unwrap_or_else(|(res, errs)| {
            tracing::error!("{tag}: Fluent syntax errors: {errs:?}");
            res
        });
        if let Err(errs) = bundle.add_resource(res) {
            tracing::error!("{tag}: Fluent duplicate ids: {errs:?}");
        }
    }
    bundle
}

static ZH: LazyLock<FluentBundle<FluentResource>> = LazyLock::new(|| bundle("zh-CN", &ZH_SOURCES));
static EN: LazyLock<FluentBundle<FluentResource>> = LazyLock::new(|| bundle("en", &EN_SOURCES));

/// The message `id` in `lang` with `args`; the id itself if missing (a test
/// makes sure none is).
pub fn tr_in(lang: Lang, id: &str, args: Option<&FluentArgs>) -> String {
    let bundle = match lang {
        Lang::Zh => &*ZH,
        Lang::En => &*EN,
    };
    let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
        tracing::warn!("missing message {id} for {}", lang.tag());
        return id.to_owned();
    };
    let mut errors = Vec::new();
    bundle
        .format_pattern(pattern, args, &mut errors)
        .into_owned()
}

/// The message `id` in the current request's language.
pub fn tr(id: &str) -> String {
    tr_in(current(), id, None)
}

/// The message `id` with arguments, in the current request's language.
pub fn tr_with(id: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    tr_in_with(current(), id, args)
}

/// The message `id` with arguments, in `lang` (for code that runs outside
/// the request's task, e.g. in a database closure).
pub fn tr_in_with(lang: Lang, id: &str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut fargs = FluentArgs::new();
    for (k, v) in args {
        fargs.set(*k, FluentValue::from(v.to_string()));
    }
    tr_in(lang, id, Some(&fargs))
}

/// The Tera function `t(key="id", name=value…)`; the other arguments are
/// the message's Fluent arguments. `label(of="standing", key=k)` is the
/// label of a vocabulary key (see `crate::i18n::label_by_key`; the key
/// itself when unknown). `lang_tag()` and `lang_switch()` give the page's
/// language and the address of the other one.
pub fn register(tera: &mut tera::Tera) {
    tera.register_function("t", |args: &HashMap<String, tera::Value>| {
        let key = args
            .get("key")
            .and_then(|v| v.as_str())
            .ok_or_else(|| tera::Error::msg("t() needs key"))?;
        let mut fargs = FluentArgs::new();
        for (k, v) in args {
            if k == "key" {
                continue;
            }
            let value: FluentValue = match v {
                tera::Value::Number(n) => n.as_f64().map_or(FluentValue::None, FluentValue::from),
                tera::Value::String(s) => FluentValue::from(s.clone()),
                other => FluentValue::from(other.to_string()),
            };
            fargs.set(k.clone(), value);
        }
        Ok(tera::Value::String(tr_in(current(), key, Some(&fargs))))
    });
    tera.register_function("label", |args: &HashMap<String, tera::Value>| {
        let of = args
            .get("of")
            .and_then(|v| v.as_str())
            .ok_or_else(|| tera::Error::msg("label() needs of"))?;
        let key = match args.get("key") {
            Some(tera::Value::String(s)) => s.clone(),
            Some(tera::Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        let label = crate::i18n::label_by_key(of, &key, current()).map_or(key, str::to_owned);
        Ok(tera::Value::String(label))
    });
    tera.register_function("lang_tag", |_: &HashMap<String, tera::Value>| {
        Ok(tera::Value::String(current().tag().to_owned()))
    });
    tera.register_function("lang_switch", |_: &HashMap<String, tera::Value>| {
        Ok(tera::Value::String(switch_url()))
    });
}

/// Every message id in a Fluent source (lines `id = …` at column 0).
pub fn message_ids(source: &str) -> Vec<String> {
    source
        .lines()
        .filter_map(|l| {
            let (id, _) = l.split_once('=')?;
            let id = id.trim_end();
            let ok = id.starts_with(|c: char| c.is_ascii_alphabetic())
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            ok.then(|| id.to_owned())
        })
        .collect()
}

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
        "jobTitle": tr_in(current(), "role-worker", None),
        "identifier": w.license_no,
        "url": format!("/workers/{}", w.license_no),
    });
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_built_from_the_path_stay_on_the_site() {
        assert_eq!(
            url_in("//evil.test/x", "", Lang::En),
            "/evil.test/x?lang=en"
        );
        assert_eq!(
            url_in("/\\evil.test", "a=1", Lang::Zh),
            "/evil.test?a=1&lang=zh"
        );
        assert_eq!(url_in("/search", "q=x", Lang::En), "/search?q=x&lang=en");
        assert_eq!(on_site(""), "/");
    }
}
