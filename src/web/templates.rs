//! Tera templates, compiled into the binary so one file is the whole portal.

use std::sync::LazyLock;

use actix_web::http::StatusCode;
use tera::{Context, Tera};

use crate::i18n::Lang;

macro_rules! embedded {
    ($($name:literal),+ $(,)?) => {
        [$(($name, include_str!(concat!("../../templates/", $name)))),+]
    };
}

/// Every template, parsed once per language (by [`Lang::index`]) with its
/// constant messages already in it (see [`pretranslate`]).
static TEMPLATES: LazyLock<[Tera; 2]> = LazyLock::new(|| [build(Lang::Zh), build(Lang::En)]);

fn build(lang: Lang) -> Tera {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    super::lang::register(&mut tera);
    if let Err(e) = add_templates(&mut tera, lang) {
        // The templates are compiled in and covered by tests; a broken one
        // is a build defect, reported loudly and served as plain errors.
        tracing::error!("templates failed to parse: {e:?}");
    }
    tera
}

/// `source` with every `t(key="…")` that has no other argument replaced by
/// its message in `lang`, and `lang_tag()` by the language's tag: a
/// constant message is the same on every page, so Tera need not call
/// Fluent for it on every render (over 500 such calls in the templates;
/// issue 15). `{{ t(key="…") }}` becomes the message as escaped text, as
/// Tera's autoescape would print it; elsewhere (`{% set sep =
/// t(key="list-sep") %}`, a call's argument) it becomes a string literal.
/// A message that no quote character can delimit is left as a call.
fn pretranslate(source: &str, lang: Lang) -> String {
    const CALL: &str = "t(key=";
    let mut out = String::with_capacity(source.len() + source.len() / 4);
    let mut rest = source;
    while let Some(at) = rest.find(CALL) {
        let (before, call) = rest.split_at(at);
        let preceded_by_name = before
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
        let quote = call[CALL.len()..].chars().next();
        let key_and_end = match quote {
            Some(q @ ('"' | '\'')) if !preceded_by_name => {
                let body = &call[CALL.len() + 1..];
                body.find(q).and_then(|end| {
                    let key = &body[..end];
                    body[end + 1..]
                        .starts_with(')')
                        .then_some((key, CALL.len() + 1 + end + 2))
                })
            }
            _ => None,
        };
        let Some((key, len)) = key_and_end else {
            out.push_str(before);
            out.push_str(CALL);
            rest = &call[CALL.len()..];
            continue;
        };
        let text = crate::i18n::tr_in(lang, key, None);
        if before.ends_with("{{ ") && call[len..].starts_with(" }}") {
            out.push_str(&before[..before.len() - 3]);
            let escaped = tera::escape_html(&text);
            if escaped.contains("{{") || escaped.contains("{%") || escaped.contains("{#") {
                out.push_str("{% raw %}");
                out.push_str(&escaped);
                out.push_str("{% endraw %}");
            } else {
                out.push_str(&escaped);
            }
            rest = &call[len + 3..];
            continue;
        }
        out.push_str(before);
        match ['"', '\'', '`'].into_iter().find(|q| !text.contains(*q)) {
            Some(q) => {
                out.push(q);
                out.push_str(&text);
                out.push(q);
            }
            None => out.push_str(&call[..len]),
        }
        rest = &call[len..];
    }
    out.push_str(rest);
    out.replace("{{ lang_tag() }}", lang.tag())
}

/// Adds every compiled-in template to `tera`, pretranslated into `lang`.
fn add_templates(tera: &mut Tera, lang: Lang) -> Result<(), tera::Error> {
    let sources = embedded![
        "base.html",
        "macros.html",
        "index.html",
        "office.html",
        "worker.html",
        "case_fields.html",
        "districts.html",
        "districts_table.html",
        "districts_provinces.html",
        "district.html",
        "error.html",
        "verify.html",
        "certificate.html",
        "certificate_check.html",
        "disclosures.html",
        "announcements.html",
        "announcement.html",
        "pager.html",
        "feed.xml",
        "complaint_new.html",
        "complaint_receipt.html",
        "complaint_status.html",
        "report_contact.html",
        "report_correction.html",
        "report_unlicensed.html",
        "search.html",
        "search_filters.html",
        "impersonation.html",
        "history.html",
        "admin/layout.html",
        "admin/login.html",
        "admin/dashboard.html",
        "admin/import_new.html",
        "admin/import_report.html",
        "admin/imports.html",
        "admin/complaints.html",
        "admin/complaint.html",
        "admin/compliance.html",
        "admin/audit.html",
        "admin/error.html",
    ];
    tera.add_raw_templates(
        sources
            .into_iter()
            .map(|(name, source)| (name, pretranslate(source, lang))),
    )
}

/// Parses the templates on a thread of their own, once per process, so
/// that the first page after a start does not wait for it: both
/// languages' 39 templates, pretranslated, made the first page a second
/// after a start take 40–60 ms against 0.7 ms for the next (now 1.7–2.8
/// ms), and every request queued behind it on that worker waited too
/// (issue 15; `scripts/bench.sh` prints the first page after a start).
pub fn warm_up() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::thread::spawn(|| LazyLock::force(&TEMPLATES));
    });
}

/// Renders a template in the current request's language.
pub fn render(name: &str, ctx: &Context) -> Result<String, tera::Error> {
    TEMPLATES[crate::i18n::current().index()].render(name, ctx)
}

/// Renders a template in the current request's language as the bytes of
/// an answer: Tera writes UTF-8 already, and [`render`]'s `String` costs a
/// check of every byte again (1.4 % of a profile's instructions; issue 15).
pub fn render_bytes(name: &str, ctx: &Context) -> Result<Vec<u8>, tera::Error> {
    // A profile is 13–16 KB: one buffer, not five doublings from Tera's 2 KB.
    let mut out = Vec::with_capacity(16 * 1024);
    TEMPLATES[crate::i18n::current().index()].render_to(name, ctx, &mut out)?;
    Ok(out)
}

/// The error page; falls back to plain text if even that fails.
pub fn error_page(status: StatusCode, code: &str, message: &str) -> String {
    let mut ctx = Context::new();
    ctx.insert("status", &status.as_u16());
    ctx.insert("code", code);
    ctx.insert("message", message);
    ctx.insert(
        "title",
        &format!("{} {}", status.as_u16(), super::lang::tr("error-title")),
    );
    render("error.html", &ctx).unwrap_or_else(|e| {
        tracing::error!("error page failed to render: {e:?}");
        format!("{} {message}", status.as_u16())
    })
}

#[cfg(test)]
mod tests {
    use super::{Lang, pretranslate};

    /// Renders `source` as an HTML template with `t()` registered, in
    /// `lang`, inside the request-language scope the portal renders in.
    fn render(source: &str, lang: Lang) -> String {
        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec![".html"]);
        super::super::lang::register(&mut tera);
        tera.add_raw_template("t.html", source).unwrap();
        let ctx = tera::Context::new();
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(crate::i18n::in_lang(lang, async {
                tera.render("t.html", &ctx).unwrap()
            }))
    }

    #[test]
    fn a_pretranslated_template_renders_as_the_calls_did() {
        let source = r#"<html lang="{{ lang_tag() }}"><p>{{ t(key="site-name") }}</p>
{% set sep = t(key="list-sep") %}{{ ["a", "b"] | join(sep=sep) }}
<a title="{{ t(key='feed-follow') }}">{{ t(key="parens", x=t(key="nav-home")) }}</a>
{{- t(key="footer", today="2026-12-05") -}}{{ t(key="site-name") | upper }}"#;
        for lang in [Lang::Zh, Lang::En] {
            let translated = pretranslate(source, lang);
            assert!(
                !translated.contains(r#"t(key="site-name")"#)
                    && !translated.contains(r#"t(key="list-sep")"#)
                    && !translated.contains("lang_tag()"),
                "constant messages are no longer calls: {translated}"
            );
            assert!(translated.contains(r#"t(key="footer", today="#));
            assert_eq!(render(&translated, lang), render(source, lang), "{lang:?}");
        }
    }

    #[test]
    fn only_whole_constant_calls_are_replaced() {
        for source in [
            r#"{{ at(key="site-name") }}"#,
            r#"{{ x.t(key="site-name") }}"#,
            r#"{{ t(key=name) }}"#,
            r#"{{ t(key="parens", x="y") }}"#,
            r#"{{ t(key="site-name"  ) }}"#,
        ] {
            assert_eq!(pretranslate(source, Lang::Zh), source);
        }
    }

    #[test]
    fn every_template_parses() {
        for lang in [super::Lang::Zh, super::Lang::En] {
            every_template_parses_in(lang);
        }
    }

    fn every_template_parses_in(lang: super::Lang) {
        let mut tera = tera::Tera::default();
        super::super::lang::register(&mut tera);
        if let Err(e) = super::add_templates(&mut tera, lang) {
            panic!("{}", crate::web::errors::cause_chain(&e));
        }
    }
}
