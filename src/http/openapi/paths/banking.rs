//! Operations of banking: bank accounts, statement imports and lines, reconciliations.

use super::super::crud::{Crud, crud};
use super::super::ops::Access::Company;
use super::super::ops::Kind::{Bool, Date, Id, Text};
use super::super::ops::{Op, op, shape, tagged};
use crate::http::banking::imports::{ImportDto, PreviewDto, StatementUpload};
use crate::http::banking::lines::{LineDto, MatchBody};
use crate::http::banking::reconciliations::{CreateBody, ReconciliationDto, ReportDto};
use crate::http::banking::{BankAccountBody, BankAccountDto};

pub fn banking() -> Vec<Op> {
    let accounts = crud::<BankAccountDto, BankAccountBody>(Crud {
        path: "/api/banking/accounts/",
        tag: "Banking",
        delete: false,
        one: "BankAccount",
        many: "BankAccounts",
        a: "a bank account",
        list: "Bank accounts, with their book, statement and unreconciled figures",
        create: "BankAccountCreate",
        rules: Some(
            "The GL account must be an active account of subtype bank kept in the account's currency; an IBAN must pass its mod-97 check.",
        ),
        filters: &[("is_active", Bool), ("currency", Text), ("account", Id), ("iban", Text)],
    });
    [accounts, the_rest()].into_iter().flatten().collect()
}

#[rustfmt::skip]
fn the_rest() -> Vec<Op> {
    tagged("Banking", Company, [
        op("POST /api/banking/accounts/{id}/archive/", "archiveBankAccount", "Archive a bank account")
            .about("It stays with its lines and reconciliations, and takes no more imports.")
            .writes().ok(shape::<BankAccountDto>()),
        op("GET /api/banking/accounts/{id}/imports/", "listStatementImports", "The account's statement imports")
            .list::<ImportDto>(&[]),
        op("POST /api/banking/accounts/{id}/imports/", "importStatement", "Preview or import a statement file")
            .about("`multipart/form-data`. With `preview=true` the parsed lines, period, balances and balance check are \
                    answered (200) and nothing is written; otherwise the new lines are written in one transaction \
                    (201). Lines the account already has are counted as duplicates, never added twice. A file that \
                    is not a statement, or whose lines do not add up to its closing balance, is a 400 under `file` \
                    naming the line and field.")
            .multipart(shape::<StatementUpload>()).writes().ok(shape::<PreviewDto>()).created(shape::<ImportDto>()),
        op("GET /api/banking/accounts/{id}/lines/", "listStatementLines", "The account's statement lines")
            .list::<LineDto>(&[("status", Text), ("import", Id), ("date_from", Date), ("date_to", Date)]),
        op("POST /api/banking/lines/{id}/match/", "matchStatementLine", "Match a line to a posted entry")
            .json(shape::<MatchBody>()).writes().ok(shape::<LineDto>()),
        op("POST /api/banking/lines/{id}/unmatch/", "unmatchStatementLine", "Unmatch a line")
            .writes().ok(shape::<LineDto>()),
        op("POST /api/banking/lines/{id}/ignore/", "ignoreStatementLine", "Ignore a line")
            .writes().ok(shape::<LineDto>()),
        op("GET /api/banking/reconciliations/", "listReconciliations", "Reconciliation sessions")
            .list::<ReconciliationDto>(&[("status", Text), ("bank_account", Id)]),
        op("POST /api/banking/reconciliations/", "createReconciliation", "Start a reconciliation")
            .json(shape::<CreateBody>()).writes().created(shape::<ReconciliationDto>()),
        op("GET /api/banking/reconciliations/{id}/", "getReconciliation", "One reconciliation")
            .ok(shape::<ReconciliationDto>()),
        op("POST /api/banking/reconciliations/{id}/submit/", "submitReconciliation", "Submit for approval")
            .about("The closing balance must equal the book balance of the reconciled lines.")
            .writes().ok(shape::<ReconciliationDto>()),
        op("POST /api/banking/reconciliations/{id}/approve/", "approveReconciliation", "Approve and lock its lines")
            .about("When the company requires entry approval, by someone other than who created or submitted it.")
            .writes().ok(shape::<ReconciliationDto>()),
        op("POST /api/banking/reconciliations/{id}/reopen/", "reopenReconciliation", "Reopen (audited)")
            .writes().ok(shape::<ReconciliationDto>()),
        op("GET /api/banking/reconciliations/{id}/report/", "reconciliationReport", "The reconciliation report")
            .ok(shape::<ReportDto>()),
    ])
}
