//! A company's inventory settings, made on first use: the valuation method, the negative-stock
//! switch, the default accounts (found in the chart by subtype, created when missing) and a main
//! warehouse. Changing the method of a company that has moves is refused.

use uuid::Uuid;

use super::{InvDb, InventoryError, InventorySettings, InventoryStore, Warehouse};
use crate::domain::accounts::{Account, AccountType};
use crate::domain::books::{AuditRecord, Ctx};

/// How stock is valued, per company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// First in, first out: layers per receipt.
    Fifo,
    /// Moving average: one pool per item and warehouse.
    Average,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Fifo => "fifo",
            Method::Average => "average",
        }
    }

    pub fn parse(s: &str) -> Option<Method> {
        [Method::Fifo, Method::Average].into_iter().find(|m| m.as_str() == s)
    }
}

/// The accounts inventory posts to, by subtype: (subtype, preferred code, name, type).
pub const ACCOUNTS: [(&str, &str, &str, AccountType); 5] = [
    ("inventory", "1200", "Inventory", AccountType::Asset),
    ("grni", "2150", "Goods Received Not Invoiced", AccountType::Liability),
    ("cost_of_sales", "5000", "Cost of Goods Sold", AccountType::Expense),
    (
        "inventory_adjustment",
        "5100",
        "Inventory Adjustments",
        AccountType::Expense,
    ),
    ("price_difference", "5200", "Price Differences", AccountType::Expense),
];

type Result<T, S> = std::result::Result<T, InventoryError<<S as crate::domain::ledger::LedgerStore>::Error>>;

/// The company's settings, made on first use (FIFO, negative stock refused, the accounts of
/// [`ACCOUNTS`] and a warehouse `MAIN`).
pub fn settings<S: InventoryStore>(store: &mut S, ctx: &Ctx<'_>) -> Result<InventorySettings, S> {
    let company = ctx.books.company_id;
    if let Some(s) = store.inventory_settings(company).db()? {
        return Ok(s);
    }
    let mut ids = [Uuid::nil(); 5];
    for (slot, (subtype, code, name, kind)) in ids.iter_mut().zip(ACCOUNTS) {
        *slot = match store.account_by_subtype(company, subtype).db()? {
            Some(a) if a.is_active && a.account_type == kind => a.id,
            _ => create_account(store, ctx, subtype, code, name, kind)?,
        };
    }
    let code = if store.warehouse_code_taken(company, "MAIN", None).db()? {
        format!("MAIN-{}", ctx.now.as_second())
    } else {
        "MAIN".to_owned()
    };
    let warehouse = Warehouse {
        id: Uuid::now_v7(),
        company_id: company,
        code,
        name: "Main warehouse".into(),
        address: String::new(),
        is_active: true,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    let warehouse_id = warehouse.id;
    store.insert_warehouse(&warehouse).db()?;
    let s = InventorySettings {
        company_id: company,
        method: Method::Fifo,
        allow_negative: false,
        invoice_creates_delivery: true,
        inventory_account_id: ids[0],
        grni_account_id: ids[1],
        cogs_account_id: ids[2],
        adjustment_account_id: ids[3],
        price_difference_account_id: ids[4],
        default_warehouse_id: warehouse_id,
        updated_at: ctx.now,
    };
    store.insert_inventory_settings(&s).db()?;
    Ok(s)
}

/// What a request changes in the settings; `None` keeps the value.
#[derive(Debug, Clone, Default)]
pub struct SettingsChanges {
    pub method: Option<String>,
    pub allow_negative: Option<bool>,
    pub invoice_creates_delivery: Option<bool>,
    pub inventory_account_id: Option<Uuid>,
    pub cogs_account_id: Option<Uuid>,
    pub grni_account_id: Option<Uuid>,
    pub adjustment_account_id: Option<Uuid>,
    pub price_difference_account_id: Option<Uuid>,
    pub default_warehouse_id: Option<Uuid>,
}

/// Changes the settings (made first if need be), audited. The method cannot change once the
/// company has moves (409); accounts must be active accounts of the company of the right type,
/// the warehouse an active one of the company.
pub fn update<S: InventoryStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    changes: SettingsChanges,
) -> Result<InventorySettings, S> {
    let company = ctx.books.company_id;
    let before = settings(store, ctx)?;
    let mut after = before.clone();
    let mut errors = crate::domain::FieldErrors::default();
    if let Some(m) = &changes.method {
        match Method::parse(m) {
            Some(m) => after.method = m,
            None => errors.add("method", format!("\"{m}\" is not a valid choice.")),
        }
    }
    if let Some(v) = changes.allow_negative {
        after.allow_negative = v;
    }
    if let Some(v) = changes.invoice_creates_delivery {
        after.invoice_creates_delivery = v;
    }
    for (field, set, target, kinds) in [
        (
            "inventory_account",
            changes.inventory_account_id,
            &mut after.inventory_account_id,
            &[AccountType::Asset][..],
        ),
        (
            "cogs_account",
            changes.cogs_account_id,
            &mut after.cogs_account_id,
            &[AccountType::Expense][..],
        ),
        (
            "grni_account",
            changes.grni_account_id,
            &mut after.grni_account_id,
            &[AccountType::Liability][..],
        ),
        (
            "adjustment_account",
            changes.adjustment_account_id,
            &mut after.adjustment_account_id,
            &[AccountType::Expense, AccountType::Revenue][..],
        ),
        (
            "price_difference_account",
            changes.price_difference_account_id,
            &mut after.price_difference_account_id,
            &[AccountType::Expense, AccountType::Revenue][..],
        ),
    ] {
        let Some(id) = set else { continue };
        match store.account(company, id).db()? {
            None => errors.add(field, "Unknown account for this company."),
            Some(a) if !a.is_active => errors.add(field, "This account is inactive."),
            Some(a) if !kinds.contains(&a.account_type) => errors.add(
                field,
                format!(
                    "Choose an account of type {}.",
                    kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(" or ")
                ),
            ),
            Some(_) => *target = id,
        }
    }
    if let Some(id) = changes.default_warehouse_id {
        match store.warehouse(company, id).db()? {
            Some(w) if w.is_active => after.default_warehouse_id = id,
            Some(_) => errors.add("default_warehouse", "This warehouse is archived."),
            None => errors.add("default_warehouse", "Unknown warehouse for this company."),
        }
    }
    errors.into_result().map_err(InventoryError::Invalid)?;
    if after.method != before.method && store.has_moves(company).db()? {
        return Err(InventoryError::Conflict(
            "The valuation method cannot change once the company has stock moves.".into(),
        ));
    }
    after.updated_at = ctx.now;
    if after == before {
        return Ok(after);
    }
    store.update_inventory_settings(&after).db()?;
    let mut fields = Vec::new();
    if after.method != before.method {
        fields.push((
            "method".to_owned(),
            before.method.as_str().to_owned(),
            after.method.as_str().to_owned(),
        ));
    }
    if after.allow_negative != before.allow_negative {
        fields.push((
            "allow_negative".to_owned(),
            before.allow_negative.to_string(),
            after.allow_negative.to_string(),
        ));
    }
    for (name, b, a) in [
        (
            "inventory_account",
            before.inventory_account_id,
            after.inventory_account_id,
        ),
        ("cogs_account", before.cogs_account_id, after.cogs_account_id),
        ("grni_account", before.grni_account_id, after.grni_account_id),
        (
            "adjustment_account",
            before.adjustment_account_id,
            after.adjustment_account_id,
        ),
        (
            "price_difference_account",
            before.price_difference_account_id,
            after.price_difference_account_id,
        ),
        (
            "default_warehouse",
            before.default_warehouse_id,
            after.default_warehouse_id,
        ),
    ] {
        if a != b {
            fields.push((name.to_owned(), b.to_string(), a.to_string()));
        }
    }
    if after.invoice_creates_delivery != before.invoice_creates_delivery {
        fields.push((
            "invoice_creates_delivery".to_owned(),
            before.invoice_creates_delivery.to_string(),
            after.invoice_creates_delivery.to_string(),
        ));
    }
    store
        .audit(&AuditRecord {
            company_id: company,
            actor: ctx.actor,
            action: "update",
            object_type: "inventory_settings",
            object_id: company,
            changes: fields,
        })
        .db()?;
    Ok(after)
}

fn create_account<S: InventoryStore>(
    store: &mut S,
    ctx: &Ctx<'_>,
    subtype: &str,
    code: &str,
    name: &str,
    kind: AccountType,
) -> Result<Uuid, S> {
    let company = ctx.books.company_id;
    let base: i64 = code.parse().unwrap_or(9000);
    let mut chosen = None;
    for n in 0..1000 {
        let candidate = (base + n).to_string();
        if !store.account_code_taken(company, &candidate).db()? {
            chosen = Some(candidate);
            break;
        }
    }
    let code = chosen.ok_or_else(|| InventoryError::Conflict(format!("No free account code for {name}.")))?;
    let account = Account {
        id: Uuid::now_v7(),
        company_id: company,
        code,
        name: name.to_owned(),
        account_type: kind,
        subtype: subtype.to_owned(),
        parent_id: None,
        currency: None,
        cash_flow: None,
        is_active: true,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    store.create_account(&account).db()?;
    store
        .audit(&AuditRecord {
            company_id: company,
            actor: ctx.actor,
            action: "create",
            object_type: "account",
            object_id: account.id,
            changes: vec![
                ("code".into(), String::new(), account.code.clone()),
                ("name".into(), String::new(), account.name.clone()),
                ("subtype".into(), String::new(), subtype.to_owned()),
            ],
        })
        .db()?;
    Ok(account.id)
}
