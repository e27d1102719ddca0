//! Pure types and rules of the portal: no I/O, no HTTP, no SQL.
//!
//! Everything that enters the portal is parsed into these checked types once,
//! at the edge, and is valid from then on.

pub mod case_check;
pub mod certificate;
pub mod complaint;
pub mod dates;
pub mod exit;
pub mod geo;
pub mod impersonation;
pub mod license;
pub mod mask;
pub mod message;
pub mod plan_rules;
pub mod province;
pub mod report;
pub mod standing;
pub mod text;
pub mod vocab;

pub use license::{LicenseNo, LicenseNoError};
pub use standing::{Standing, StandingReport};
