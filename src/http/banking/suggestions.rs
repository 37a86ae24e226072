//! What matching proposes for an account's unmatched lines, with its reasons in words, and what
//! a bookkeeper answers: confirm a candidate (an invoice or bill gets a payment from the line; a
//! payment or entry is linked) or reject it (never proposed for that line again). Both are
//! learned: the counterparty's contact rises or falls in later scores.

use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::account;
use super::lines::{LineDto, line_dto};
use crate::domain::audit;
use crate::domain::audit::AuditTrail;
use crate::domain::banking::accounts::BankAccount;
use crate::domain::banking::matching::{Candidate, CandidateKind, TargetKind};
use crate::domain::banking::rules::BankRule;
use crate::domain::banking::statements::{self, LineAction, StatementStore, StoredLine};
use crate::domain::documents::payments::{self, AllocationInput, PaymentInput};
use crate::domain::ledger::Ctx;
use crate::domain::money;
use crate::http::company::{Id, InCompany, JsonBody, perm};
use crate::http::conventions::ListQuery;
use crate::http::error::{ApiError, Reply};
use crate::store::Tx;
use crate::store::banking::{self as store, matching};
use crate::{params, store::list::ListRequest};

/// One candidate for a line.
#[derive(Serialize, ToSchema)]
pub struct SuggestionDto {
    /// `invoice`, `bill`, `payment` or `journal_entry`.
    pub kind: &'static str,
    pub id: Uuid,
    /// The document's number, the payment's or entry's reference.
    pub reference: String,
    #[schema(required = true)]
    pub contact: Option<String>,
    #[schema(format = Date)]
    pub date: String,
    /// Signed as on the bank: positive is money in.
    pub amount: String,
    pub open_amount: String,
    /// 0–100.
    pub score: u32,
    pub reasons: Vec<String>,
    /// The reasons in one sentence.
    pub explanation: String,
}

/// The rule that assigns a line.
#[derive(Serialize, ToSchema)]
pub struct RuleHitDto {
    pub id: Uuid,
    pub name: String,
    #[schema(required = true)]
    pub account: Option<Uuid>,
    #[schema(required = true)]
    pub contact: Option<Uuid>,
    #[schema(required = true)]
    pub tax_rate: Option<Uuid>,
    pub description: String,
}

/// A line with its candidates.
#[derive(Serialize, ToSchema)]
pub struct LineSuggestionsDto {
    pub line: LineDto,
    /// Best first, at most 5.
    pub suggestions: Vec<SuggestionDto>,
    #[schema(required = true)]
    pub rule: Option<RuleHitDto>,
    /// The best is sure enough (score and margin) to be matched without review.
    pub auto: bool,
}

fn suggestion_dto(m: &crate::domain::banking::matching::Match, c: &Candidate) -> SuggestionDto {
    let d = money::decimals(&c.currency);
    let reasons: Vec<String> = m.reasons.iter().map(ToString::to_string).collect();
    SuggestionDto {
        kind: matching::kind_name(c.kind),
        id: c.id,
        reference: c.number.clone(),
        contact: (!c.contact_name.is_empty()).then(|| c.contact_name.clone()),
        date: c.date.to_string(),
        amount: money::format(c.amount, d),
        open_amount: money::format(c.open_amount, d),
        score: m.score,
        explanation: reasons.join(", "),
        reasons,
    }
}

pub fn rule_hit(r: &BankRule) -> RuleHitDto {
    RuleHitDto {
        id: r.id,
        name: r.name.clone(),
        account: r.account_id,
        contact: r.contact_id,
        tax_rate: r.tax_rate_id,
        description: r.description.clone(),
    }
}

/// `GET /api/banking/accounts/{id}/suggestions/`: the unmatched lines, oldest first, a page at
/// a time, each with its candidates.
pub async fn list(c: InCompany<perm::ViewLedger>, Id(id): Id, q: ListQuery) -> Reply {
    let request = ListRequest {
        page: q.request.page,
        page_size: q.request.page_size,
        search: None,
        ordering: Some("date".into()),
        filters: vec![("status".into(), "unmatched".into())],
    };
    let page = c
        .read(move |tx, ctx| {
            let account = account(tx, ctx, id)?;
            let page = store::lines_of_account(tx, &account, &request)?;
            let count = page.count;
            let items = matching::suggestions(tx, &account, &ctx.books.currency, page.items)?;
            Ok(crate::store::list::Page { count, items })
        })
        .await?;
    Ok(q.render(page, |s| LineSuggestionsDto {
        line: line_dto(&s.line),
        suggestions: s.matches.iter().map(|(m, c)| suggestion_dto(m, c)).collect(),
        rule: s.rule.as_ref().map(rule_hit),
        auto: s.auto,
    }))
}

/// The body of `…/confirm/` and `…/reject/`.
#[derive(Deserialize, ToSchema)]
pub struct CandidateBody {
    /// `invoice`, `bill`, `payment` or `journal_entry`.
    pub kind: Option<String>,
    pub id: Option<String>,
}

fn candidate_of(body: JsonBody<CandidateBody>) -> Result<(CandidateKind, Uuid), ApiError> {
    let body = body.parse()?;
    let kind = body.kind.as_deref().and_then(matching::kind_of);
    let id = body.id.as_deref().and_then(|t| Uuid::parse_str(t.trim()).ok());
    match (kind, id) {
        (Some(k), Some(i)) => Ok((k, i)),
        (None, _) => Err(ApiError::field(
            "kind",
            "Choose invoice, bill, payment or journal_entry.",
        )),
        (_, None) => Err(ApiError::field("id", "The candidate's id is required.")),
    }
}

/// The line `id` of the caller's company, with its bank account (404 otherwise).
pub(crate) fn line_of(tx: &mut Tx, ctx: &Ctx<'_>, id: Uuid) -> Result<(StoredLine, BankAccount), ApiError> {
    let line = tx.find_line(ctx.books.company_id, id)?.ok_or(ApiError::NotFound)?;
    let account = account(tx, ctx, line.bank_account_id)?;
    Ok((line, account))
}

/// Payments and entries are kept in the company currency: a line of an account in another
/// currency cannot be booked from here.
pub(crate) fn same_currency(account: &BankAccount, ctx: &Ctx<'_>) -> Result<(), ApiError> {
    if account.currency == ctx.books.currency {
        Ok(())
    } else {
        Err(ApiError::field(
            "non_field_errors",
            format!(
                "This bank account is kept in {}, the books in {}: book its lines with a journal entry in {} and match it.",
                account.currency, ctx.books.currency, account.currency
            ),
        ))
    }
}

/// A payment of the whole line, allocated to `document` up to what is open on it.
fn pay_document(
    tx: &mut Tx,
    ctx: &Ctx<'_>,
    account: &BankAccount,
    line: StoredLine,
    (kind, id): (CandidateKind, Uuid),
) -> Result<StoredLine, ApiError> {
    let wrong = |m: &str| ApiError::field("id", m.to_owned());
    let doc = matching::open_documents(tx, ctx.books.company_id, Some(id))?
        .into_iter()
        .find(|d| d.kind == kind)
        .ok_or_else(|| wrong("No open document of this kind with this id."))?;
    if doc.open_amount.signum() != line.amount.signum() {
        return Err(wrong(if kind == CandidateKind::Invoice {
            "An invoice is paid by money in: this line is money out."
        } else {
            "A bill is paid by money out: this line is money in."
        }));
    }
    let d = ctx.books.decimals;
    let allocated = line.amount.abs().min(doc.open_amount.abs());
    let contact = doc.contact_id.ok_or_else(|| wrong("The document has no contact."))?;
    let input = PaymentInput {
        direction: Some(if line.amount > 0 { "received" } else { "made" }.to_owned()),
        contact: Some(contact),
        date: Some(line.date),
        amount: Some(money::format(line.amount.abs(), d)),
        bank_account: Some(account.account_id),
        reference: doc.number.chars().take(100).collect(),
        allocations: vec![AllocationInput {
            document: Some(doc.id),
            amount: Some(money::format(allocated, d)),
        }],
        currency: None,
        exchange_rate: None,
    };
    let payment = payments::record(tx, ctx, &input)?;
    let matched = statements::match_to(tx, ctx, line, ("payment", payment.id), payment.journal_entry_id)?;
    matching::learn(
        tx,
        ctx.books.company_id,
        &matched,
        (TargetKind::Contact, contact),
        true,
        ctx.now,
    )?;
    Ok(matched)
}

/// Links a recorded payment into or out of the bank's GL account with the line's amount.
fn link_payment(
    tx: &mut Tx,
    ctx: &Ctx<'_>,
    account: &BankAccount,
    line: StoredLine,
    id: Uuid,
) -> Result<StoredLine, ApiError> {
    let row = tx
        .query_opt(
            "SELECT direction, amount, bank_account_id, is_void, journal_entry_id, contact_id FROM payments \
             WHERE company_id = $1 AND id = $2",
            params![ctx.books.company_id, id],
        )?
        .ok_or_else(|| ApiError::field("id", "No payment with this id."))?;
    let signed = if row.str(0)? == "made" {
        -row.int(1)?
    } else {
        row.int(1)?
    };
    if row.uuid(2)? != account.account_id || row.bool(3)? || signed != line.amount {
        return Err(ApiError::field(
            "id",
            "This payment is void, or not of this bank account and the line's amount.",
        ));
    }
    let contact = row.uuid(5)?;
    let matched = statements::match_to(tx, ctx, line, ("payment", id), row.uuid(4)?)?;
    matching::learn(
        tx,
        ctx.books.company_id,
        &matched,
        (TargetKind::Contact, contact),
        true,
        ctx.now,
    )?;
    Ok(matched)
}

/// `POST /api/banking/lines/{id}/confirm/`.
pub async fn confirm(
    c: InCompany<perm::EditLedger>,
    Id(id): Id,
    body: JsonBody<CandidateBody>,
) -> Reply<Json<LineDto>> {
    c.change(move |tx, ctx| {
        let (line, account) = line_of(tx, ctx, id)?;
        let candidate = candidate_of(body)?;
        statements::must_be_open(&line)?;
        let matched = match candidate {
            (CandidateKind::JournalLine, entry) => {
                statements::act_on_line(tx, ctx, &account, line, LineAction::MatchEntry(entry)).map_err(|e| {
                    match ApiError::from(e) {
                        ApiError::Validation(_) => ApiError::field(
                            "id",
                            "No posted entry moving this bank's GL account by the line's amount.",
                        ),
                        other => other,
                    }
                })?
            }
            (CandidateKind::Payment, payment) => {
                same_currency(&account, ctx)?;
                link_payment(tx, ctx, &account, line, payment)?
            }
            document => {
                same_currency(&account, ctx)?;
                pay_document(tx, ctx, &account, line, document)?
            }
        };
        Ok(line_dto(&matched))
    })
    .await
    .map(Json)
}

/// The contact a candidate belongs to, when it is one of the company's documents or payments.
fn contact_of(tx: &mut Tx, company: Uuid, (kind, id): (CandidateKind, Uuid)) -> Result<Option<Uuid>, ApiError> {
    let table = match kind {
        CandidateKind::Invoice | CandidateKind::Bill => "documents",
        CandidateKind::Payment => "payments",
        CandidateKind::JournalLine => "journal_entries",
    };
    let column = if kind == CandidateKind::JournalLine {
        "NULL"
    } else {
        "contact_id"
    };
    let row = tx
        .query_opt(
            &format!("SELECT {column} FROM {table} WHERE company_id = $1 AND id = $2"),
            params![company, id],
        )?
        .ok_or_else(|| ApiError::field("id", "No such candidate in this company."))?;
    Ok(row.opt_uuid(0)?)
}

/// `POST /api/banking/lines/{id}/reject/`.
pub async fn reject(c: InCompany<perm::EditLedger>, Id(id): Id, body: JsonBody<CandidateBody>) -> Reply<Json<LineDto>> {
    c.change(move |tx, ctx| {
        let (line, _) = line_of(tx, ctx, id)?;
        let candidate = candidate_of(body)?;
        let contact = contact_of(tx, ctx.books.company_id, candidate)?;
        matching::reject(tx, line.id, candidate, ctx.now)?;
        if let Some(contact) = contact {
            matching::learn(
                tx,
                ctx.books.company_id,
                &line,
                (TargetKind::Contact, contact),
                false,
                ctx.now,
            )?;
        }
        let fields = vec![
            ("rejected_kind", matching::kind_name(candidate.0).to_owned()),
            ("rejected_id", candidate.1.to_string()),
        ];
        let record = audit::changes(ctx, "reject", ("statement_line", line.id), None, Some(&fields));
        tx.append_audit(&record)?;
        Ok(line_dto(&line))
    })
    .await
    .map(Json)
}
