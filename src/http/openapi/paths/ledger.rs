//! Operations of the ledger: the chart of accounts, journal entries, periods and the audit log.

use super::super::crud::{Crud, crud};
use super::super::ops::Access::Company;
use super::super::ops::Kind::{self, Bool, Date, Id, Int, Text};
use super::super::ops::{Op, named, op, shape, tagged};
use crate::http::accounting::AccountBody;
use crate::http::dto::AccountDto;
use crate::http::journal::{BulkBody, BulkPosted, EntryBody, EntryDto, ReverseBody};
use crate::http::periods::{AuditDto, CloseBody, ReopenBody, SettingsBody, SettingsDto, YearEnd, YearEndBody};

#[rustfmt::skip]
const ENTRY_FILTERS: &[(&str, Kind)] = &[
    ("status", Text), ("date", Date), ("date_from", Date), ("date_to", Date), ("number", Int),
    ("reference", Text), ("account", Id), ("amount_min", Text), ("amount_max", Text), ("created_by", Id),
];

pub fn ledger() -> Vec<Op> {
    let accounts = crud::<AccountDto, AccountBody>(Crud {
        path: "/api/accounting/chart-of-accounts/",
        tag: "Accounts",
        delete: true,
        one: "Account",
        many: "Accounts",
        a: "an account",
        list: "The chart of accounts",
        create: "AccountCreate",
        rules: Some("An account with postings never changes type: deactivate it instead."),
        filters: &[("type", Text), ("subtype", Text), ("is_active", Bool), ("parent", Id)],
    });
    [accounts, journal(), periods()].into_iter().flatten().collect()
}

#[rustfmt::skip]
fn journal() -> Vec<Op> {
    tagged("Journal", Company, [
        op("GET /api/accounting/journal-entries/", "listEntries", "Journal entries").list::<EntryDto>(ENTRY_FILTERS)
            .about("`amount_min`/`amount_max` are decimal amounts in the company currency."),
        op("POST /api/accounting/journal-entries/", "createEntry", "Create a draft entry").json(named("JournalEntryInput"))
            .idempotent().created(shape::<EntryDto>()),
        op("POST /api/accounting/journal-entries/bulk/", "bulkPost", "Post up to 10,000 entries at once").json(shape::<BulkBody>())
            .about("All of them, or none and the errors by index (`entries[3].lines[0].account`).")
            .idempotent().created(shape::<BulkPosted>()),
        op("GET /api/accounting/journal-entries/{id}/", "getEntry", "One entry").ok(shape::<EntryDto>()),
        op("PATCH /api/accounting/journal-entries/{id}/", "updateEntry", "Change a draft").json(shape::<EntryBody>())
            .writes().ok(shape::<EntryDto>()),
        op("PUT /api/accounting/journal-entries/{id}/", "replaceEntry", "Replace a draft").json(named("JournalEntryInput"))
            .writes().ok(shape::<EntryDto>()),
        op("DELETE /api/accounting/journal-entries/{id}/", "deleteEntry", "Delete a draft").writes(),
        op("POST /api/accounting/journal-entries/{id}/post/", "postEntry", "Post a draft: numbered, chained, final")
            .idempotent().ok(shape::<EntryDto>()),
        op("POST /api/accounting/journal-entries/{id}/approve/", "approveEntry", "Approve a draft").idempotent().ok(shape::<EntryDto>()),
        op("POST /api/accounting/journal-entries/{id}/cancel/", "cancelEntry", "Cancel a draft").idempotent().ok(shape::<EntryDto>()),
        op("POST /api/accounting/journal-entries/{id}/reverse/", "reverseEntry", "Reverse a posted entry")
            .about("Without a body (or a `date`), the reversal is dated like the original.")
            .optional(shape::<ReverseBody>()).idempotent().created(shape::<EntryDto>()),
    ])
}

#[rustfmt::skip]
fn periods() -> Vec<Op> {
    tagged("Periods", Company, [
        op("GET /api/accounting/periods/", "getPeriods", "Fiscal year, lock dates, approval rules").ok(shape::<SettingsDto>()),
        op("PATCH /api/accounting/periods/", "updatePeriods", "Change the fiscal year and approval rules")
            .json(shape::<SettingsBody>()).idempotent().ok(shape::<SettingsDto>()),
        op("POST /api/accounting/periods/close/", "closePeriod", "Close the books up to a date").json(shape::<CloseBody>())
            .about("`hard: true` closes for good: a hard close is never reopened.").idempotent().ok(shape::<SettingsDto>()),
        op("POST /api/accounting/periods/reopen/", "reopenPeriod", "Move the soft lock date back").json(shape::<ReopenBody>())
            .about("Without a `date`, the soft lock is removed (the hard close stays).").idempotent().ok(shape::<SettingsDto>()),
        op("POST /api/accounting/periods/year-end/", "yearEnd", "Close a fiscal year into retained earnings")
            .json(shape::<YearEndBody>()).idempotent().ok(shape::<YearEnd>()),
        op("GET /api/accounting/audit-log/", "auditLog", "The company's audit trail")
            .about("`entry` gives everything recorded about one journal entry, including the one record of the bulk posting that posted it (which names the range of entry numbers it posted).")
            .list::<AuditDto>(&[("action", Text), ("object_type", Text), ("object_id", Id), ("actor", Id), ("entry", Id)]),
    ])
}
