//! Operations of banking: bank accounts, statement imports and lines, reconciliations.

use super::super::crud::{Crud, crud};
use super::super::ops::Access::Company;
use super::super::ops::Kind::{Bool, Date, Id, Text};
use super::super::ops::{Op, op, shape, tagged};
use crate::http::banking::create::{ExpenseBody, FeeBody, PaymentBody, TransferBody};
use crate::http::banking::imports::{ImportDto, PreviewDto, StatementUpload};
use crate::http::banking::jobs::JobDto;
use crate::http::banking::lines::{LineDto, MatchBody};
use crate::http::banking::reconciliations::{CreateBody, ReconciliationDto, ReportDto};
use crate::http::banking::rules::{BankRuleBody, BankRuleDto};
use crate::http::banking::suggestions::{CandidateBody, LineSuggestionsDto};
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
    let rules = crud::<BankRuleDto, BankRuleBody>(Crud {
        path: "/api/banking/rules/",
        tag: "Banking",
        delete: true,
        one: "BankRule",
        many: "BankRules",
        a: "a bank rule",
        list: "Bank rules, in the order they are tried",
        create: "BankRuleCreate",
        rules: Some(
            "A rule needs a condition (text, regex, amount range or counterparty account) and an account or contact; a bad regular expression is a 400 under `text_regex`.",
        ),
        filters: &[("is_active", Bool), ("bank_account", Id)],
    });
    [accounts, rules, the_rest(), matching()]
        .into_iter()
        .flatten()
        .collect()
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
                    naming the line and field. With `background=true` the commit runs as a job: 202 with the job \
                    (and its address in `Location`) at once; poll `GET /api/banking/import-jobs/{id}/`. A firm runs \
                    at most 2 imports at once (429 with `Retry-After` for a third).")
            .multipart(shape::<StatementUpload>()).writes()
            .also(200, "The preview (`preview=true`): nothing written", shape::<PreviewDto>())
            .also(202, "The background job (`background=true`), just started", shape::<JobDto>())
            .or(429, "The firm runs as many background imports as it may at once")
            .created(shape::<ImportDto>()),
        op("GET /api/banking/import-jobs/{id}/", "getStatementImportJob", "A background statement import")
            .about("Its stage (`queued`, `parsing`, `checking`, `writing`, `done`, `failed`), the lines written of the \
                    file's total, and at the end the import (`result`) or the status and body a synchronous import \
                    would have answered (`error_status`, `error`: nothing was written). Jobs of the caller's company \
                    only; a finished job is kept for 30 minutes (at most 20 per firm), on the server that took the \
                    upload.")
            .ok(shape::<JobDto>()),
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

#[rustfmt::skip]
fn matching() -> Vec<Op> {
    tagged("Banking", Company, [
        op("GET /api/banking/accounts/{id}/suggestions/", "listBankSuggestions", "Unmatched lines with their candidates")
            .about("Oldest first, a page at a time. Each line carries at most 5 candidates (open invoices and bills, \
                    unreconciled payments and entries on the bank's GL account), best first, with a score 0–100 and \
                    its reasons in words, the rule that assigns the line, and whether the best may be matched \
                    without review.")
            .list::<LineSuggestionsDto>(&[]),
        op("POST /api/banking/lines/{id}/confirm/", "confirmBankSuggestion", "Confirm a candidate")
            .about("An invoice or bill gets a payment of the line dated the line's date, allocated up to what is open; \
                    a payment or entry is linked. Learned for the counterparty.")
            .json(shape::<CandidateBody>()).writes().ok(shape::<LineDto>()),
        op("POST /api/banking/lines/{id}/reject/", "rejectBankSuggestion", "Reject a candidate")
            .about("Never proposed for this line again; learned for the counterparty.")
            .json(shape::<CandidateBody>()).writes().ok(shape::<LineDto>()),
        op("POST /api/banking/lines/{id}/payment/", "paymentFromLine", "Record a payment from the line")
            .about("Received for money in, made for money out, allocated as asked; the line is matched to it.")
            .json(shape::<PaymentBody>()).writes().created(shape::<LineDto>()),
        op("POST /api/banking/lines/{id}/expense/", "expenseFromLine", "Book an expense or income from the line")
            .about("A posted entry: the account (net) and the tax rate's purchase or sales tax account (tax) against \
                    the bank's GL account; the line is matched to it.")
            .json(shape::<ExpenseBody>()).writes().created(shape::<LineDto>()),
        op("POST /api/banking/lines/{id}/transfer/", "transferFromLine", "Book a transfer to another bank account")
            .about("A posted entry between the two GL accounts; the other account's unmatched line of the opposite \
                    amount within 7 days is matched to it too.")
            .json(shape::<TransferBody>()).writes().created(shape::<LineDto>()),
        op("POST /api/banking/lines/{id}/fee/", "feeFromLine", "Book a bank fee from the line")
            .about("To `account`, by default the company's bank fees account (else a 400 under `account`).")
            .json(shape::<FeeBody>()).writes().created(shape::<LineDto>()),
    ])
}
