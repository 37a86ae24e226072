//! The API test suite: every test starts the real server on an ephemeral port, speaks HTTP to
//! it, and runs once on SQLite and once on PostgreSQL when `OASYS_TEST_DATABASE_URL` is set.
//! `helpers` starts servers and runs the binary; `fixtures` makes the firms, users and requests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod fixtures;
mod helpers;
#[path = "../receipts/mod.rs"]
mod receipts;

mod asof;
mod auth;
mod backup;
mod backup_restore;
mod banking;
mod banking_flows;
mod banking_jobs;
mod budgets;
mod caller_cache;
mod capture;
mod capture_ai;
mod cli;
mod cli_report;
mod cli_serve;
mod consolidation;
mod contacts;
mod contacts_conventions;
mod conventions;
mod delivery;
mod doctor;
mod doctor_config;
mod document_drafts;
mod documents;
mod drf;
mod exchange_rates;
mod exports;
mod extraction;
mod files;
mod files_archives;
mod financial;
mod foreign_currency;
mod hardening_approval;
mod hardening_auth;
mod hardening_bulk;
mod hardening_child;
mod hardening_files;
mod hardening_import;
mod hardening_keys;
mod hardening_login;
mod hardening_logo;
mod hardening_mail;
mod hardening_timeouts;
mod inventory;
mod inventory_reports;
mod inventory_units;
mod ledger;
mod ledger_approval;
mod ledger_bulk;
mod ledger_chart;
mod ledger_concurrency;
mod ledger_reports;
mod ledger_validation;
mod many_firms;
mod metrics;
mod openapi;
mod platform_drf;
mod purchases;
mod receivables;
mod sales;
mod sales_stock;
mod scheduler;
mod search;
mod security;
mod snapshots;
mod tax_returns;
mod tenants;
mod transfer;
