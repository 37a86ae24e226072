//! The API test suite: every test starts the real server on an ephemeral port, speaks HTTP to
//! it, and runs once on SQLite and once on PostgreSQL when `OASYS_TEST_DATABASE_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod helpers;

mod auth;
mod backup;
mod cli;
mod contacts;
mod conventions;
mod delivery;
mod doctor;
mod document_drafts;
mod documents;
mod drf;
mod ledger;
mod ledger_concurrency;
mod metrics;
mod openapi;
mod security;
mod tenants;
mod transfer;
