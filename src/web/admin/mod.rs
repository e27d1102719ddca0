//! The bureau's API under `/admin/api/`: every call needs a bearer token of
//! the right scope (`web::auth`) and goes to the audit log under the token's
//! name.

pub mod complaints;
pub mod compliance;
pub mod exit;
pub mod import;
pub mod webhooks;

use actix_web::web;

/// Registers the admin routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.configure(import::configure)
        .configure(compliance::configure)
        .configure(exit::configure)
        .configure(complaints::configure)
        .configure(webhooks::configure);
}
