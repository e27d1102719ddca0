//! Tera templates, compiled into the binary so one file is the whole portal.

use std::sync::LazyLock;

use actix_web::http::StatusCode;
use tera::{Context, Tera};

macro_rules! embedded {
    ($($name:literal),+ $(,)?) => {
        [$(($name, include_str!(concat!("../../templates/", $name)))),+]
    };
}

/// Every template, parsed once.
pub static TEMPLATES: LazyLock<Tera> = LazyLock::new(|| {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    super::lang::register(&mut tera);
    if let Err(e) = add_templates(&mut tera) {
        // The templates are compiled in and covered by tests; a broken one
        // is a build defect, reported loudly and served as plain errors.
        tracing::error!("templates failed to parse: {e:?}");
    }
    tera
});

/// Adds every compiled-in template to `tera`.
fn add_templates(tera: &mut Tera) -> Result<(), tera::Error> {
    tera.add_raw_templates(embedded![
        "base.html",
        "macros.html",
        "index.html",
        "office.html",
        "worker.html",
        "districts.html",
        "districts_table.html",
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
    ])
}

/// Renders a template.
pub fn render(name: &str, ctx: &Context) -> Result<String, tera::Error> {
    TEMPLATES.render(name, ctx)
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
    #[test]
    fn every_template_parses() {
        let mut tera = tera::Tera::default();
        super::super::lang::register(&mut tera);
        if let Err(e) = super::add_templates(&mut tera) {
            let mut cause = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                cause.push_str(": ");
                cause.push_str(&s.to_string());
                source = s.source();
            }
            panic!("{cause}");
        }
    }
}
