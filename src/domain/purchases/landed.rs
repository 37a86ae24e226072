//! Landed costs (freight, duty) from a bill: an amount of the bill's lines that bill no receipt,
//! spread over a receipt's stock lines by value or by quantity (each share the cumulative
//! half-to-even part, so the shares add up to the amount exactly) and put on the goods through
//! the inventory engine, against the bill line's account.

use jiff::civil::Date;
use uuid::Uuid;

use super::{LandedCost, PurDb, PurchaseError, PurchaseStore, Result, stock};
use crate::domain::FieldErrors;
use crate::domain::audit;
use crate::domain::documents::operations::find as find_document;
use crate::domain::documents::{DocumentKind, DocumentStatus};
use crate::domain::ledger::Ctx;
use crate::domain::money;

#[derive(Debug, Clone, Default)]
pub struct LandedInput {
    pub receipt: Option<Uuid>,
    /// Decimal text in the company currency.
    pub amount: Option<String>,
    /// `value` (the default) or `quantity`.
    pub basis: Option<String>,
    /// The bill's account the cost was debited to; default: the first bill line that bills no
    /// receipt.
    pub account: Option<Uuid>,
    /// Default: the bill's issue date.
    pub date: Option<Date>,
}

/// Spreads part of bill `bill_id` over a receipt's goods.
pub fn apply<S: PurchaseStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    bill_id: Uuid,
    input: &LandedInput,
) -> Result<LandedCost, S> {
    let company = ctx.books.company_id;
    store.lock_document(company, bill_id).db()?;
    let bill = find_document(store, ctx, DocumentKind::Bill, bill_id)?;
    if matches!(bill.status, DocumentStatus::Draft | DocumentStatus::Void) {
        return Err(PurchaseError::State(
            "Only an issued bill's costs are landed on goods.".into(),
        ));
    }
    if bill.currency != ctx.books.currency {
        return Err(PurchaseError::State(format!(
            "Landed costs come from bills in {}.",
            ctx.books.currency
        )));
    }
    let mut errors = FieldErrors::default();
    let receipt = match input.receipt {
        None => {
            errors.add("receipt", "This field is required.");
            None
        }
        Some(id) => match store.receipt(company, id).db()? {
            Some(r) => Some(r),
            None => {
                errors.add("receipt", "Choose a receipt of this company.");
                None
            }
        },
    };
    let amount = match input
        .amount
        .as_deref()
        .map(|t| money::parse(t).and_then(|d| money::to_minor(d, ctx.books.decimals)))
    {
        None => {
            errors.add("amount", "This field is required.");
            None
        }
        Some(Ok(a)) if a > 0 => Some(a),
        Some(Ok(_)) => {
            errors.add("amount", "Enter an amount above 0.");
            None
        }
        Some(Err(e)) => {
            errors.add("amount", e.to_string());
            None
        }
    };
    let basis: &'static str = match input.basis.as_deref() {
        None | Some("value") => "value",
        Some("quantity") => "quantity",
        Some(_) => {
            errors.add("basis", "Choose \"value\" or \"quantity\".");
            "value"
        }
    };
    let links = store.bill_links(company, bill_id).db()?;
    let unlinked: Vec<_> = bill
        .lines
        .iter()
        .filter(|l| !links.iter().any(|k| k.bill_line_no == l.line_no))
        .collect();
    let account = input.account.or_else(|| unlinked.first().map(|l| l.account_id));
    match account {
        None => errors.add(
            "account",
            "This bill has no line for a cost: every line bills goods received.",
        ),
        Some(a) if !unlinked.iter().any(|l| l.account_id == a) => {
            errors.add("account", "Choose the account of one of the bill's cost lines.")
        }
        Some(_) => {}
    }
    let available: i64 = unlinked
        .iter()
        .filter(|l| Some(l.account_id) == account)
        .map(|l| l.net_amount)
        .sum::<i64>()
        - store.landed_from_bill(company, bill_id).db()?;
    if let Some(a) = amount
        && a > available
    {
        errors.add(
            "amount",
            format!(
                "Only {} of this bill's cost lines is left to land on goods.",
                money::format(available.max(0), ctx.books.decimals)
            ),
        );
    }
    errors.into_result()?;
    let (Some(receipt), Some(amount), Some(account)) = (receipt, amount, account) else {
        return Err(PurchaseError::NotFound);
    };
    let mut moves = Vec::new();
    for l in &receipt.lines {
        if let (Some(mv), Some(item)) = (l.stock_move_id, l.item_id)
            && stock::accounts(store, ctx, item)?.is_some()
        {
            moves.push((mv, l.line_no));
        }
    }
    if moves.is_empty() {
        return Err(FieldErrors::single("receipt", "This receipt has no stock goods to land a cost on.").into());
    }
    let date = input.date.unwrap_or(bill.issue_date);
    let reference = bill.number.clone().unwrap_or_default();
    let ids: Vec<Uuid> = moves.iter().map(|m| m.0).collect();
    let (entry, shares) = stock::landed(
        store,
        ctx,
        (&reference, date, account, basis == "value"),
        (bill_id, &ids, amount),
    )?;
    let lines = shares
        .iter()
        .filter_map(|(mv, part)| moves.iter().find(|m| m.0 == *mv).map(|m| (m.1, *part)))
        .collect();
    let cost = LandedCost {
        id: Uuid::now_v7(),
        company_id: company,
        bill_id,
        receipt_id: receipt.id,
        basis,
        amount,
        account_id: account,
        date,
        journal_entry_id: entry,
        lines,
        created_by: ctx.actor,
        created_at: ctx.now,
    };
    store.insert_landed_cost(&cost).db()?;
    let r = audit::changes(
        ctx,
        "create",
        ("landed_cost", cost.id),
        None,
        Some(&vec![
            ("bill", reference),
            ("receipt", receipt.number.clone()),
            ("amount", money::format(amount, ctx.books.decimals)),
            ("basis", basis.to_owned()),
        ]),
    );
    store.audit(&r).db()?;
    Ok(cost)
}
