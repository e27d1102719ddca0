//! The bureau's API under `/admin/api/`, each call needing a bearer token
//! of the right scope and each audited.

pub mod complaints;

use actix_web::web;

/// Routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    complaints::configure(cfg);
}
