//! `/api/invoicing/payments/`: payments received and made, their allocations, voiding. A
//! recorded payment is never edited: it is voided (its entry reversed) and recorded again.

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::company::{Id, InCompany, JsonBody, perm};
use super::conventions::optional_date;
use super::error::{ApiError, Reply};
use super::journal::ReverseBody;
use super::resource::{Edit, Resource};
use crate::domain::documents::payments::{self, AllocationInput, PaymentInput};
use crate::domain::documents::{Allocation, DocumentStore, Payment};
use crate::domain::exchange_rates::format_rate;
use crate::domain::ledger::Ctx;
use crate::domain::money;
use crate::store::list::{ListRequest, Page};
use crate::store::{Tx, documents};

/// One allocation as sent: the document and how much of the payment goes to it (by default,
/// what is due on it, up to what is left of the payment).
#[derive(Deserialize, ToSchema)]
#[schema(as = AllocationInput)]
pub struct AllocationBody {
    document: Option<Uuid>,
    /// A decimal string such as `"116.00"`.
    amount: Option<String>,
}

/// A payment as it is recorded.
#[derive(Deserialize, ToSchema)]
#[schema(as = PaymentInput)]
pub struct PaymentBody {
    /// `received` (from a customer) or `made` (to a vendor).
    #[schema(required = true)]
    direction: Option<String>,
    #[schema(required = true)]
    contact: Option<Uuid>,
    /// `YYYY-MM-DD`; the company's today when left out.
    #[schema(format = Date)]
    date: Option<String>,
    /// A decimal string above zero, such as `"116.00"`.
    #[schema(required = true)]
    amount: Option<String>,
    /// An active account of subtype `bank` or `cash`.
    #[schema(required = true)]
    bank_account: Option<Uuid>,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    allocations: Vec<AllocationBody>,
    /// ISO 4217; by default the company currency. `amount` is in it, and it may be allocated
    /// only to documents in it.
    currency: Option<String>,
    /// For another currency: units of the company currency per unit, such as `"1.08"`; by
    /// default the company's rate on or before `date`.
    exchange_rate: Option<String>,
}

/// The body of `…/{id}/allocate/`.
#[derive(Deserialize, ToSchema)]
#[schema(as = AllocateRequest)]
pub struct AllocateBody {
    #[serde(default)]
    allocations: Vec<AllocationBody>,
}

fn allocations(body: Vec<AllocationBody>) -> Vec<AllocationInput> {
    body.into_iter()
        .map(|a| AllocationInput {
            document: a.document,
            amount: a.amount,
        })
        .collect()
}

impl PaymentBody {
    fn input(self) -> Result<PaymentInput, ApiError> {
        Ok(PaymentInput {
            direction: self.direction,
            contact: self.contact,
            date: optional_date("date", self.date.as_deref())?,
            amount: self.amount,
            bank_account: self.bank_account,
            reference: self.reference,
            allocations: allocations(self.allocations),
            currency: self.currency.filter(|c| !c.is_empty()),
            exchange_rate: self.exchange_rate,
        })
    }
}

#[derive(Serialize, ToSchema)]
#[schema(as = Allocation)]
pub struct AllocationDto {
    amount: String,
    /// `YYYY-MM-DD`: from when the money counts against the document in reports as of a date,
    /// the later of the payment's date and the document's issue date.
    date: String,
    document: Uuid,
    /// The entry of the realised exchange difference, when the payment and the document were
    /// at different rates.
    exchange_entry: Option<Uuid>,
}

/// A payment as the API shows it.
// Fields in alphabetical order: the order the API has always written them in.
#[derive(Serialize, ToSchema)]
#[schema(as = Payment)]
pub struct PaymentDto {
    allocations: Vec<AllocationDto>,
    amount: String,
    bank_account: Uuid,
    contact: Uuid,
    contact_name: String,
    created_at: String,
    /// The payment's currency: `amount`, `unallocated` and the allocations are in it.
    currency: String,
    #[schema(format = Date)]
    date: String,
    /// `received` or `made`.
    direction: &'static str,
    /// For another currency than the company's: units of the company currency per unit.
    exchange_rate: Option<String>,
    id: Uuid,
    journal_entry: Uuid,
    reference: String,
    /// `posted` or `void`.
    status: &'static str,
    unallocated: String,
    void_entry: Option<Uuid>,
}

impl PaymentDto {
    fn new(p: &Payment, contact_name: String, allocs: &[Allocation], company: &str) -> Result<PaymentDto, ApiError> {
        let currency = p.currency_or(company).to_owned();
        let decimals = money::decimals(&currency);
        let m = |v: i64| money::format(v, decimals);
        Ok(PaymentDto {
            allocations: allocs
                .iter()
                .map(|a| AllocationDto {
                    amount: m(a.amount),
                    date: a.date.to_string(),
                    document: a.document_id,
                    exchange_entry: a.exchange_entry_id,
                })
                .collect(),
            amount: m(p.amount),
            bank_account: p.bank_account_id,
            contact: p.contact_id,
            contact_name,
            created_at: p.created_at.to_string(),
            currency,
            date: p.date.to_string(),
            direction: p.direction.as_str(),
            exchange_rate: p.exchange_rate.map(format_rate),
            id: p.id,
            journal_entry: p.journal_entry_id,
            reference: p.reference.clone(),
            status: if p.is_void { "void" } else { "posted" },
            unallocated: m(payments::unallocated(p, allocs)?),
            void_entry: p.void_entry_id,
        })
    }
}

/// Payments, served by the generic handlers of `http::resource` (list, show, record).
pub struct Payments;

impl Resource for Payments {
    type View = perm::ViewDocuments;
    type Edit = perm::IssueDocuments;
    /// The payment and its contact's name.
    type Record = (Payment, String);
    type Dto = PaymentDto;
    type Body = PaymentBody;

    fn list(tx: &mut Tx, ctx: &Ctx<'_>, request: &ListRequest) -> Result<Page<PaymentDto>, ApiError> {
        let page = documents::payment_page(tx, ctx.books.company_id, request)?;
        let mut items = Vec::with_capacity(page.items.len());
        for record in page.items {
            items.push(Self::show(tx, ctx, record)?);
        }
        Ok(Page {
            count: page.count,
            items,
        })
    }

    fn find(tx: &mut Tx, ctx: &Ctx<'_>, id: Uuid) -> Result<(Payment, String), ApiError> {
        documents::get_payment(tx, ctx.books.company_id, id)?.ok_or(ApiError::NotFound)
    }

    fn show(tx: &mut Tx, ctx: &Ctx<'_>, (payment, contact_name): (Payment, String)) -> Result<PaymentDto, ApiError> {
        let allocs = tx.allocations_from(ctx.books.company_id, payment.id)?;
        PaymentDto::new(&payment, contact_name, &allocs, &ctx.books.currency)
    }

    /// Records and posts a payment, then allocates it.
    fn save(
        tx: &mut Tx,
        ctx: &Ctx<'_>,
        edit: Edit<(Payment, String)>,
        body: PaymentBody,
    ) -> Result<(Payment, String), ApiError> {
        if edit.current.is_some() {
            return Err(ApiError::field(
                "non_field_errors",
                "A recorded payment is not changed: void it and record it again.",
            ));
        }
        let payment = payments::record(tx, ctx, &body.input()?)?;
        Self::find(tx, ctx, payment.id)
    }
}

/// The payment `id` as shown after a change.
fn shown(tx: &mut Tx, ctx: &Ctx<'_>, id: Uuid) -> Result<PaymentDto, ApiError> {
    let record = Payments::find(tx, ctx, id)?;
    Payments::show(tx, ctx, record)
}

/// Allocates more of a payment's unallocated amount (a customer's credit applied later).
pub async fn allocate(c: InCompany<perm::IssueDocuments>, Id(id): Id, mut body: JsonBody<AllocateBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::OK, move |tx, ctx| {
        Payments::find(tx, ctx, id)?;
        let allocations = allocations(body.parse()?.allocations);
        payments::allocate(tx, ctx, id, &allocations)?;
        shown(tx, ctx, id)
    })
    .await
}

/// Voids a payment on `{"date": …}` (by default its own date): its entry reversed, the
/// documents it paid open again.
pub async fn void(c: InCompany<perm::IssueDocuments>, Id(id): Id, mut body: JsonBody<ReverseBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::OK, move |tx, ctx| {
        Payments::find(tx, ctx, id)?;
        let date = optional_date("date", body.parse_or_default()?.date.as_deref())?;
        payments::void(tx, ctx, id, date)?;
        shown(tx, ctx, id)
    })
    .await
}
