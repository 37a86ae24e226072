//! What can be done to a tax rate: find it, create or change it (with its row in the audit
//! trail). A new rate's accounts default to the company's `tax` accounts.

use uuid::Uuid;

use super::{TaxRate, TaxRateInput, check, format_percent, parse_percent};
use crate::domain::accounts::AccountType;
use crate::domain::audit::{self, AuditFields};
use crate::domain::books::Ctx;
use crate::domain::references::{self, ReferenceStore, fetch, lookup};
use crate::domain::{Change, FieldErrors, Kept};

/// The subtype of the accounts a new rate's tax goes to when the request does not say (the
/// chart templates' `tax` accounts).
pub const TAX_SUBTYPE: &str = "tax";

/// What the tax rates' operations need from storage (the store implements it for a
/// transaction); a rate itself is found through [`ReferenceStore::find_tax_rate`].
pub trait TaxStore: ReferenceStore {
    /// The company's first active account (by code) of this type and subtype.
    fn default_tax_account(
        &mut self,
        company: Uuid,
        account_type: AccountType,
        subtype: &str,
    ) -> Result<Option<Uuid>, Self::Error>;
    /// Whether another rate of the company (not `except`) already has this name.
    fn tax_name_taken(&mut self, company: Uuid, name: &str, except: Option<Uuid>) -> Result<bool, Self::Error>;
    fn insert_tax_rate(&mut self, rate: &TaxRate) -> Result<(), Self::Error>;
    fn update_tax_rate(&mut self, rate: &TaxRate) -> Result<(), Self::Error>;
}

/// Why a tax rate could not be found or saved.
#[derive(Debug, thiserror::Error)]
pub enum TaxError<E: std::error::Error + 'static> {
    #[error("invalid tax rate: {0}")]
    Invalid(FieldErrors),
    #[error("no such tax rate")]
    NotFound,
    #[error(transparent)]
    Store(E),
}

/// What a request sets; `None` leaves a field as it is (or, for a new rate, at its default).
/// `rate` is a percentage as the API writes it (`"7.5"`).
#[derive(Debug, Clone, Default)]
pub struct TaxRateChanges {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub rate: Option<String>,
    pub is_inclusive: Option<bool>,
    /// `Some(None)`: the default account for a new rate; refused for a stored one.
    pub sales_account: Option<Option<Uuid>>,
    pub purchase_account: Option<Option<Uuid>>,
    pub is_active: Option<bool>,
}

impl<S: TaxStore> Kept<S> for TaxRate {
    type Changes = TaxRateChanges;
    type Error = TaxError<S::Error>;

    /// The tax rate `id` of the context's company.
    fn find(store: &mut S, ctx: &Ctx<'_>, id: Uuid) -> Result<TaxRate, Self::Error> {
        store
            .find_tax_rate(ctx.books.company_id, id)
            .map_err(TaxError::Store)?
            .ok_or(TaxError::NotFound)
    }

    /// Creates a tax rate (`current` = `None`) or changes one, under the rules of [`check`], and
    /// records it in the audit trail. A new rate's accounts, when left out or `null`, are the
    /// company's `tax` liability (sales) and `tax` asset (purchases, else the same liability).
    /// `errors` is what was already found wrong with the request: reported together with the
    /// rules' verdict, and nothing is written while there is any.
    fn save(
        store: &mut S,
        ctx: &Ctx<'_>,
        current: Option<TaxRate>,
        how: Change,
        changes: TaxRateChanges,
        mut errors: FieldErrors,
    ) -> Result<TaxRate, Self::Error> {
        references::require(
            &mut errors,
            how,
            &[
                ("name", changes.name.is_some()),
                ("kind", changes.kind.is_some()),
                ("rate", changes.rate.is_some()),
            ],
        );
        let base = current.as_ref();
        let mut input = base.map(TaxRateInput::from).unwrap_or_default();
        if let Some(v) = changes.name {
            input.name = v.trim().to_owned();
        }
        if let Some(v) = changes.kind {
            input.kind = v;
        }
        if let Some(text) = changes.rate {
            match parse_percent(&text) {
                Ok(ppm) => input.rate_ppm = ppm,
                Err(e) => errors.add("rate", e.to_string()),
            }
        }
        if let Some(v) = changes.is_inclusive {
            input.is_inclusive = v;
        }
        if let Some(v) = changes.is_active {
            input.is_active = v;
        }
        if let Some(v) = changes.sales_account {
            input.sales_account_id = v;
        }
        if let Some(v) = changes.purchase_account {
            input.purchase_account_id = v;
        }
        let company = ctx.books.company_id;
        if base.is_none() {
            let default = |store: &mut S, kind| store.default_tax_account(company, kind, TAX_SUBTYPE);
            if input.sales_account_id.is_none() {
                input.sales_account_id = default(store, AccountType::Liability).map_err(TaxError::Store)?;
            }
            if input.purchase_account_id.is_none() {
                input.purchase_account_id = default(store, AccountType::Asset)
                    .map_err(TaxError::Store)?
                    .or(input.sales_account_id);
            }
        }
        let sales = fetch(changes.sales_account, |id| store.find_account(company, id)).map_err(TaxError::Store)?;
        let purchase =
            fetch(changes.purchase_account, |id| store.find_account(company, id)).map_err(TaxError::Store)?;
        let name_taken = store
            .tax_name_taken(company, &input.name, base.map(|t| t.id))
            .map_err(TaxError::Store)?;
        let checked = check(&input, name_taken, lookup(&sales), lookup(&purchase));
        let kind = references::finish(errors, checked).map_err(TaxError::Invalid)?;
        // `check` refuses a rate without both accounts; this only says so to the compiler.
        let (Some(sales_account_id), Some(purchase_account_id)) = (input.sales_account_id, input.purchase_account_id)
        else {
            return Err(TaxError::Invalid(FieldErrors::single(
                "sales_account",
                "This field is required.",
            )));
        };
        let now = ctx.now;
        let rate = TaxRate {
            id: base.map_or_else(Uuid::now_v7, |t| t.id),
            company_id: company,
            name: input.name,
            kind,
            rate_ppm: input.rate_ppm,
            is_inclusive: input.is_inclusive,
            sales_account_id,
            purchase_account_id,
            is_active: input.is_active,
            created_at: base.map_or(now, |t| t.created_at),
            updated_at: now,
        };
        match base {
            Some(_) => store.update_tax_rate(&rate),
            None => store.insert_tax_rate(&rate),
        }
        .map_err(TaxError::Store)?;
        let before = base.map(audit_fields);
        let record = audit::changes(
            ctx,
            audit::saved(before.as_ref()),
            ("tax_rate", rate.id),
            before.as_ref(),
            Some(&audit_fields(&rate)),
        );
        store.append_audit(&record).map_err(TaxError::Store)?;
        Ok(rate)
    }
}

/// How the audit trail reads a tax rate.
fn audit_fields(t: &TaxRate) -> AuditFields {
    vec![
        ("name", t.name.clone()),
        ("kind", t.kind.as_str().to_owned()),
        ("rate", format_percent(t.rate_ppm)),
        ("is_inclusive", t.is_inclusive.to_string()),
        ("sales_account", t.sales_account_id.to_string()),
        ("purchase_account", t.purchase_account_id.to_string()),
        ("is_active", t.is_active.to_string()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::memory::{Memory, company, ctx};

    fn named(e: TaxError<std::convert::Infallible>) -> FieldErrors {
        match e {
            TaxError::Invalid(errors) => errors,
            other => panic!("expected field errors, got {other}"),
        }
    }

    fn vat(rate: &str) -> TaxRateChanges {
        TaxRateChanges {
            name: Some(" VAT ".into()),
            kind: Some("vat".into()),
            rate: Some(rate.into()),
            ..TaxRateChanges::default()
        }
    }

    #[test]
    fn a_new_rate_takes_the_company_s_tax_accounts() {
        let (company, books) = company("USD");
        let ctx = ctx(&company, &books);
        let mut store = Memory::default();
        let e = named(
            TaxRate::save(
                &mut store,
                &ctx,
                None,
                Change::Create,
                vat("20"),
                FieldErrors::default(),
            )
            .unwrap_err(),
        );
        assert_eq!(
            e.0["sales_account"],
            ["This field is required."],
            "no tax account to default to"
        );
        let payable = store.open_account(company.id, "2200", AccountType::Liability, TAX_SUBTYPE);
        let rate = TaxRate::save(
            &mut store,
            &ctx,
            None,
            Change::Create,
            vat("20"),
            FieldErrors::default(),
        )
        .unwrap();
        assert_eq!((rate.name.as_str(), rate.rate_ppm), ("VAT", 200_000));
        assert_eq!((rate.sales_account_id, rate.purchase_account_id), (payable, payable));
        let recoverable = store.open_account(company.id, "1400", AccountType::Asset, TAX_SUBTYPE);
        let changes = TaxRateChanges {
            name: Some("Reduced".into()),
            sales_account: Some(None),
            ..vat("5")
        };
        let rate = TaxRate::save(&mut store, &ctx, None, Change::Create, changes, FieldErrors::default()).unwrap();
        assert_eq!(
            (rate.sales_account_id, rate.purchase_account_id),
            (payable, recoverable)
        );
        assert_eq!(store.audit.len(), 2);
        assert_eq!(
            (store.audit[1].action, store.audit[1].object_type),
            ("create", "tax_rate")
        );
    }

    #[test]
    fn put_needs_a_name_a_kind_and_a_rate_and_accounts_stay() {
        let (company, books) = company("USD");
        let ctx = ctx(&company, &books);
        let mut store = Memory::default();
        store.open_account(company.id, "2200", AccountType::Liability, TAX_SUBTYPE);
        let made = TaxRate::save(
            &mut store,
            &ctx,
            None,
            Change::Create,
            vat("20"),
            FieldErrors::default(),
        )
        .unwrap();
        let renamed = TaxRateChanges {
            name: Some("VAT standard".into()),
            ..TaxRateChanges::default()
        };
        let e = named(
            TaxRate::save(
                &mut store,
                &ctx,
                Some(made.clone()),
                Change::Replace,
                renamed.clone(),
                FieldErrors::default(),
            )
            .unwrap_err(),
        );
        assert_eq!(e.0.keys().collect::<Vec<_>>(), ["kind", "rate"]);
        let changed = TaxRate::save(
            &mut store,
            &ctx,
            Some(made.clone()),
            Change::Update,
            renamed,
            FieldErrors::default(),
        )
        .unwrap();
        assert_eq!((changed.name.as_str(), changed.rate_ppm), ("VAT standard", 200_000));
        let cleared = TaxRateChanges {
            sales_account: Some(None),
            ..vat("17.5")
        };
        let e = named(
            TaxRate::save(
                &mut store,
                &ctx,
                Some(changed.clone()),
                Change::Replace,
                cleared,
                FieldErrors::default(),
            )
            .unwrap_err(),
        );
        assert_eq!(
            e.0.keys().collect::<Vec<_>>(),
            ["sales_account"],
            "a stored rate's account cannot be cleared"
        );
        assert_eq!(store.tax_rates, [changed]);
    }

    #[test]
    fn names_are_unique_and_rates_exact() {
        let (company, books) = company("USD");
        let ctx = ctx(&company, &books);
        let mut store = Memory::default();
        store.open_account(company.id, "2200", AccountType::Liability, TAX_SUBTYPE);
        TaxRate::save(
            &mut store,
            &ctx,
            None,
            Change::Create,
            vat("20"),
            FieldErrors::default(),
        )
        .unwrap();
        let e = named(
            TaxRate::save(
                &mut store,
                &ctx,
                None,
                Change::Create,
                vat("12.34567"),
                FieldErrors::default(),
            )
            .unwrap_err(),
        );
        assert_eq!(e.0["name"], ["A tax rate with this name already exists."]);
        assert_eq!(e.0["rate"], ["Ensure that there are no more than 4 decimal places."]);
        assert_eq!(store.tax_rates.len(), 1);
    }
}
