//! legal-portal: a public directory and credit portal for grassroots legal
//! services (基层法律服务所 and 基层法律服务工作者).
#![warn(missing_docs)]

pub mod complaints;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod i18n;
pub mod import;
pub mod search;
pub mod secrets;
pub mod web;
pub mod webhooks;
