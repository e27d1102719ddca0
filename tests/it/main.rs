//! Integration tests: the real portal, started in-process on a free port,
//! on a fresh database per test (a temporary SQLite file, or a
//! `test_<uuid>` PostgreSQL database when `TEST_DATABASE_URL` is set).

mod helpers;
mod pg_test_db;

mod browser;
mod case_check;
mod cli;
mod complaints;
mod compression;
mod console;
mod demo;
mod deployment;
mod districts;
mod errors;
mod export;
mod hardening;
mod health;
mod history;
mod i18n;
mod i18n_pages;
mod impersonation;
mod import;
mod layering;
mod lists;
mod migrations;
mod openapi;
mod page_cache;
mod profiles;
mod properties;
mod reliability;
mod reports;
mod search;
mod security;
mod standing;
mod sync;
mod verify;
mod webhooks;
