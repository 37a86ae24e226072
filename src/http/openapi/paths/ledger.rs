//! Operations of the ledger: the chart of accounts, journal entries, periods and the audit log.

use utoipa::openapi::path::HttpMethod::{Delete, Get, Patch, Post, Put};

use super::super::crud::{Crud, crud};
use super::super::ops::{Body, Kind, Op, named, op, shape};
use super::super::schemas::page;
use crate::http::accounting::AccountBody;
use crate::http::dto::AccountDto;
use crate::http::journal::{BulkBody, BulkPosted, EntryBody, EntryDto, ReverseBody};
use crate::http::periods::{AuditDto, CloseBody, ReopenBody, SettingsBody, SettingsDto, YearEnd, YearEndBody};

pub fn ledger() -> Vec<Op> {
    let entry_filters = [
        ("status", Kind::Text),
        ("date", Kind::Date),
        ("date_from", Kind::Date),
        ("date_to", Kind::Date),
        ("number", Kind::Int),
        ("reference", Kind::Text),
        ("account", Kind::Id),
        ("amount_min", Kind::Text),
        ("amount_max", Kind::Text),
        ("created_by", Kind::Id),
    ];
    let verb = |path, id, summary| {
        op(Post, path, id, "Journal", summary)
            .idempotent()
            .writes()
            .ok(shape::<EntryDto>())
    };
    let accounts = crud::<AccountDto, AccountBody>(Crud {
        path: "/api/accounting/chart-of-accounts/",
        tag: "Accounts",
        one: "Account",
        many: "Accounts",
        a: "an account",
        list: "The chart of accounts",
        filters: &[
            ("type", Kind::Text),
            ("subtype", Kind::Text),
            ("is_active", Kind::Bool),
            ("parent", Kind::Id),
        ],
        create: "AccountCreate",
        rules: Some("An account with postings never changes type: deactivate it instead."),
        delete: true,
    });
    accounts
        .into_iter()
        .chain([
            op(
                Get,
                "/api/accounting/journal-entries/",
                "listEntries",
                "Journal",
                "Journal entries",
            )
            .about("`amount_min`/`amount_max` are decimal amounts in the company currency.")
            .list(&entry_filters)
            .ok(page(shape::<EntryDto>())),
            op(
                Post,
                "/api/accounting/journal-entries/",
                "createEntry",
                "Journal",
                "Create a draft entry",
            )
            .body(Body::Json(named("JournalEntryInput")))
            .idempotent()
            .writes()
            .created(shape::<EntryDto>()),
            op(
                Post,
                "/api/accounting/journal-entries/bulk/",
                "bulkPost",
                "Journal",
                "Post up to 10,000 entries at once",
            )
            .about("All of them, or none and the errors by index (`entries[3].lines[0].account`).")
            .body(Body::Json(shape::<BulkBody>()))
            .idempotent()
            .writes()
            .created(shape::<BulkPosted>()),
            op(
                Get,
                "/api/accounting/journal-entries/{id}/",
                "getEntry",
                "Journal",
                "One entry",
            )
            .ok(shape::<EntryDto>()),
            op(
                Patch,
                "/api/accounting/journal-entries/{id}/",
                "updateEntry",
                "Journal",
                "Change a draft",
            )
            .body(Body::Json(shape::<EntryBody>()))
            .writes()
            .ok(shape::<EntryDto>()),
            op(
                Put,
                "/api/accounting/journal-entries/{id}/",
                "replaceEntry",
                "Journal",
                "Replace a draft",
            )
            .body(Body::Json(named("JournalEntryInput")))
            .writes()
            .ok(shape::<EntryDto>()),
            op(
                Delete,
                "/api/accounting/journal-entries/{id}/",
                "deleteEntry",
                "Journal",
                "Delete a draft",
            )
            .writes(),
            verb(
                "/api/accounting/journal-entries/{id}/post/",
                "postEntry",
                "Post a draft: numbered, chained, final",
            ),
            verb(
                "/api/accounting/journal-entries/{id}/approve/",
                "approveEntry",
                "Approve a draft",
            ),
            verb(
                "/api/accounting/journal-entries/{id}/cancel/",
                "cancelEntry",
                "Cancel a draft",
            ),
            op(
                Post,
                "/api/accounting/journal-entries/{id}/reverse/",
                "reverseEntry",
                "Journal",
                "Reverse a posted entry",
            )
            .about("Without a body (or a `date`), the reversal is dated like the original.")
            .body(Body::Optional(shape::<ReverseBody>()))
            .idempotent()
            .writes()
            .created(shape::<EntryDto>()),
            op(
                Get,
                "/api/accounting/periods/",
                "getPeriods",
                "Periods",
                "Fiscal year, lock dates, approval rules",
            )
            .ok(shape::<SettingsDto>()),
            op(
                Patch,
                "/api/accounting/periods/",
                "updatePeriods",
                "Periods",
                "Change the fiscal year and approval rules",
            )
            .body(Body::Json(shape::<SettingsBody>()))
            .idempotent()
            .writes()
            .ok(shape::<SettingsDto>()),
            op(
                Post,
                "/api/accounting/periods/close/",
                "closePeriod",
                "Periods",
                "Close the books up to a date",
            )
            .about("`hard: true` closes for good: a hard close is never reopened.")
            .body(Body::Json(shape::<CloseBody>()))
            .idempotent()
            .writes()
            .ok(shape::<SettingsDto>()),
            op(
                Post,
                "/api/accounting/periods/reopen/",
                "reopenPeriod",
                "Periods",
                "Move the soft lock date back",
            )
            .about("Without a `date`, the soft lock is removed (the hard close stays).")
            .body(Body::Json(shape::<ReopenBody>()))
            .idempotent()
            .writes()
            .ok(shape::<SettingsDto>()),
            op(
                Post,
                "/api/accounting/periods/year-end/",
                "yearEnd",
                "Periods",
                "Close a fiscal year into retained earnings",
            )
            .body(Body::Json(shape::<YearEndBody>()))
            .idempotent()
            .writes()
            .ok(shape::<YearEnd>()),
            op(
                Get,
                "/api/accounting/audit-log/",
                "auditLog",
                "Periods",
                "The company's audit trail",
            )
            .list(&[
                ("action", Kind::Text),
                ("object_type", Kind::Text),
                ("object_id", Kind::Id),
                ("actor", Kind::Id),
            ])
            .ok(page(shape::<AuditDto>())),
        ])
        .collect()
}
