//! The request's side of languages: the language is chosen per request
//! (`?lang=`, then the `lang` cookie, then `Accept-Language`) and served in
//! `crate::i18n::in_lang`; the address of the page in the other language;
//! the Tera functions `t(key=...)`, `label(...)`, `lang_tag()` and
//! `lang_switch()`. `?lang=` also sets an HttpOnly `lang` cookie so the
//! choice survives navigation. The language type and the Fluent lookup
//! (`tr`, `tr_with`, the bundles) live in `crate::i18n`.

use std::collections::HashMap;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{ACCEPT_LANGUAGE, COOKIE, HeaderValue, SET_COOKIE};
use actix_web::middleware::Next;
use fluent_bundle::{FluentArgs, FluentValue};

pub use crate::i18n::{
    EN_SOURCES, Lang, ZH_SOURCES, current, message_ids, tr, tr_in, tr_in_with, tr_with,
};

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
        .scope(
            RequestLang { lang, switch_url },
            crate::i18n::in_lang(lang, next.call(req)),
        )
        .await?;
    if let Some(asked) = asked {
        // Secure over TLS, as every cookie of the portal.
        let tls = res
            .request()
            .app_data::<actix_web::web::Data<crate::web::AppState>>()
            .is_some_and(|state| crate::web::site::is_https(res.request(), state));
        let secure = if tls { "; Secure" } else { "" };
        let cookie = format!(
            "lang={}; Path=/; HttpOnly; SameSite=Lax{secure}",
            asked.param()
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            res.headers_mut().append(SET_COOKIE, v);
        }
    }
    Ok(res)
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
