//! Tax rates (VAT, GST, sales tax): what they are, their rules, and the exact conversion between
//! the percentages of the API (`"20"`, `"7.5"`) and the parts per million that are stored.

use jiff::Timestamp;
use rust_decimal::Decimal;
use uuid::Uuid;

mod operations;

pub use operations::{TaxError, TaxRateChanges, TaxStore};

use super::FieldErrors;
use super::accounts::{Account, AccountType};
use super::money::{self, MoneyError};
use super::references::{Lookup, check_account};

/// Stored units per percent: a rate is kept as an integer number of millionths of the base, so
/// `20%` is `200000` and the smallest rate step, `0.0001%`, is `1`.
pub const PPM_PER_PERCENT: i64 = 10_000;
/// 100%.
pub const MAX_PPM: i64 = 100 * PPM_PER_PERCENT;
/// Decimals of a percentage the API accepts: exactly what `ppm` can hold.
pub const PERCENT_DECIMALS: u32 = 4;
pub const MAX_NAME_CHARS: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaxKind {
    Vat,
    Gst,
    SalesTax,
    Other,
}

impl TaxKind {
    pub const ALL: [TaxKind; 4] = [TaxKind::Vat, TaxKind::Gst, TaxKind::SalesTax, TaxKind::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            TaxKind::Vat => "vat",
            TaxKind::Gst => "gst",
            TaxKind::SalesTax => "sales_tax",
            TaxKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<TaxKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxRate {
    pub id: Uuid,
    pub company_id: Uuid,
    pub name: String,
    pub kind: TaxKind,
    /// Percent × 10,000 (see [`PPM_PER_PERCENT`]).
    pub rate_ppm: i64,
    /// Prices entered with this rate include the tax: the tax is split out of the gross.
    pub is_inclusive: bool,
    /// Collects the tax charged on sales (a liability).
    pub sales_account_id: Uuid,
    /// Holds the tax paid on purchases that can be recovered (an asset, or the same liability).
    pub purchase_account_id: Uuid,
    pub is_active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Why a percentage was refused; the messages are the API's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RateError {
    #[error("A valid number is required.")]
    NotANumber,
    #[error("Ensure that there are no more than 4 decimal places.")]
    TooManyDecimals,
    #[error("Ensure this value is between 0 and 100.")]
    OutOfRange,
}

/// A percentage as the API writes it (`"20"`, `"7.5"`, `"0.0001"`) → parts per million, exactly:
/// a fifth decimal is refused, never rounded, and so is anything outside 0–100.
pub fn parse_percent(text: &str) -> Result<i64, RateError> {
    let percent = money::parse(text).map_err(|_| RateError::NotANumber)?;
    ppm_from_percent(percent)
}

/// See [`parse_percent`].
pub fn ppm_from_percent(percent: Decimal) -> Result<i64, RateError> {
    if percent.is_sign_negative() && !percent.is_zero() {
        return Err(RateError::OutOfRange);
    }
    let ppm = money::to_minor(percent, PERCENT_DECIMALS).map_err(|e| match e {
        MoneyError::TooManyDecimals(_) => RateError::TooManyDecimals,
        MoneyError::TooLarge | MoneyError::Negative => RateError::OutOfRange,
        MoneyError::NotANumber => RateError::NotANumber,
    })?;
    if (0..=MAX_PPM).contains(&ppm) {
        Ok(ppm)
    } else {
        Err(RateError::OutOfRange)
    }
}

/// Parts per million → the percentage, with no trailing zeros (`200000` → `20`).
pub fn percent(ppm: i64) -> Decimal {
    Decimal::new(ppm, PERCENT_DECIMALS).normalize()
}

/// The percentage as the API writes it: `"20"`, `"7.5"`, `"0.0001"`.
pub fn format_percent(ppm: i64) -> String {
    percent(ppm).to_string()
}

/// The rate as a fraction of the base (`200000` → `0.2`), for tax computations.
pub fn fraction(ppm: i64) -> Decimal {
    Decimal::new(ppm, 6)
}

/// A tax rate as created or changed: for a change, the stored rate with the request's fields
/// laid over it. Accounts are `None` only when neither given nor found by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxRateInput {
    pub name: String,
    pub kind: String,
    pub rate_ppm: i64,
    pub is_inclusive: bool,
    pub sales_account_id: Option<Uuid>,
    pub purchase_account_id: Option<Uuid>,
    pub is_active: bool,
}

impl From<&TaxRate> for TaxRateInput {
    fn from(t: &TaxRate) -> Self {
        TaxRateInput {
            name: t.name.clone(),
            kind: t.kind.as_str().to_owned(),
            rate_ppm: t.rate_ppm,
            is_inclusive: t.is_inclusive,
            sales_account_id: Some(t.sales_account_id),
            purchase_account_id: Some(t.purchase_account_id),
            is_active: t.is_active,
        }
    }
}

impl Default for TaxRateInput {
    /// A new rate: exclusive and active, with no name, kind, rate or accounts until told.
    fn default() -> Self {
        TaxRateInput {
            name: String::new(),
            kind: String::new(),
            rate_ppm: 0,
            is_inclusive: false,
            sales_account_id: None,
            purchase_account_id: None,
            is_active: true,
        }
    }
}

/// The account types a rate's accounts may have: tax charged on sales is owed (a liability);
/// tax paid on purchases is recoverable (an asset) or offset against the same liability.
pub const SALES_ACCOUNT_TYPES: &[AccountType] = &[AccountType::Liability];
pub const PURCHASE_ACCOUNT_TYPES: &[AccountType] = &[AccountType::Asset, AccountType::Liability];

/// The rules of a tax rate: a name not used by another rate of the company (`name_taken`), a
/// known kind, a rate of 0–100%, and both accounts present, active and of the right type.
pub fn check(
    input: &TaxRateInput,
    name_taken: bool,
    sales_account: Lookup<'_, Account>,
    purchase_account: Lookup<'_, Account>,
) -> Result<TaxKind, FieldErrors> {
    let mut errors = FieldErrors::default();
    if input.name.trim().is_empty() {
        errors.add("name", "This field may not be blank.");
    }
    if input.name.chars().count() > MAX_NAME_CHARS {
        errors.add(
            "name",
            format!("Ensure this field has no more than {MAX_NAME_CHARS} characters."),
        );
    }
    if name_taken {
        errors.add("name", "A tax rate with this name already exists.");
    }
    let kind = TaxKind::parse(&input.kind);
    if kind.is_none() {
        errors.add("kind", format!("\"{}\" is not a valid choice.", input.kind));
    }
    if !(0..=MAX_PPM).contains(&input.rate_ppm) {
        errors.add("rate", RateError::OutOfRange.to_string());
    }
    for (field, id) in [
        ("sales_account", input.sales_account_id),
        ("purchase_account", input.purchase_account_id),
    ] {
        if id.is_none() {
            errors.add(field, "This field is required.");
        }
    }
    check_account(&mut errors, "sales_account", sales_account, SALES_ACCOUNT_TYPES);
    check_account(
        &mut errors,
        "purchase_account",
        purchase_account,
        PURCHASE_ACCOUNT_TYPES,
    );
    errors.into_result()?;
    kind.ok_or_else(|| FieldErrors::single("kind", "This field is required."))
}

/// Where tax is rounded: on every line (then summed), or once per rate over the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rounding {
    #[default]
    Line,
    Document,
}

impl Rounding {
    pub fn as_str(self) -> &'static str {
        match self {
            Rounding::Line => "line",
            Rounding::Document => "document",
        }
    }

    pub fn parse(s: &str) -> Option<Rounding> {
        [Rounding::Line, Rounding::Document]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_convert_exactly() {
        assert_eq!(parse_percent("20"), Ok(200_000));
        assert_eq!(parse_percent("7.5"), Ok(75_000));
        assert_eq!(parse_percent("0.0001"), Ok(1));
        assert_eq!(parse_percent("0"), Ok(0));
        assert_eq!(parse_percent("100"), Ok(MAX_PPM));
        assert_eq!(
            parse_percent(" 20.0000 "),
            Ok(200_000),
            "trailing zeros are not decimals"
        );
        assert_eq!(parse_percent("-0"), Ok(0));
        assert_eq!(parse_percent("0.00001"), Err(RateError::TooManyDecimals));
        assert_eq!(parse_percent("12.34567"), Err(RateError::TooManyDecimals));
        assert_eq!(parse_percent("101"), Err(RateError::OutOfRange));
        assert_eq!(parse_percent("100.0001"), Err(RateError::OutOfRange));
        assert_eq!(parse_percent("-1"), Err(RateError::OutOfRange));
        assert_eq!(parse_percent("99999999999999999999999999"), Err(RateError::OutOfRange));
        assert_eq!(parse_percent("2e1"), Err(RateError::NotANumber));
        assert_eq!(parse_percent("twenty"), Err(RateError::NotANumber));
        assert_eq!(parse_percent(""), Err(RateError::NotANumber));
    }

    #[test]
    fn percentages_are_written_without_trailing_zeros() {
        assert_eq!(format_percent(200_000), "20");
        assert_eq!(format_percent(75_000), "7.5");
        assert_eq!(format_percent(1), "0.0001");
        assert_eq!(format_percent(0), "0");
        assert_eq!(format_percent(MAX_PPM), "100");
        for ppm in [0, 1, 9, 10, 12_345, 75_000, 200_000, 999_999, MAX_PPM] {
            assert_eq!(parse_percent(&format_percent(ppm)), Ok(ppm), "{ppm}");
        }
        assert_eq!(fraction(200_000), Decimal::new(2, 1));
        assert_eq!(fraction(1) * Decimal::from(1_000_000), Decimal::ONE);
    }

    fn account(kind: AccountType, active: bool) -> Account {
        let now = Timestamp::now();
        Account {
            id: Uuid::now_v7(),
            company_id: Uuid::now_v7(),
            code: "2200".into(),
            name: "Sales Tax Payable".into(),
            account_type: kind,
            subtype: "tax".into(),
            parent_id: None,
            currency: None,
            cash_flow: None,
            is_active: active,
            created_at: now,
            updated_at: now,
        }
    }

    fn input() -> TaxRateInput {
        TaxRateInput {
            name: "VAT 20%".into(),
            kind: "vat".into(),
            rate_ppm: 200_000,
            is_inclusive: false,
            sales_account_id: Some(Uuid::now_v7()),
            purchase_account_id: Some(Uuid::now_v7()),
            is_active: true,
        }
    }

    #[test]
    fn a_rate_needs_a_name_a_kind_and_accounts_of_the_right_type() {
        let liability = account(AccountType::Liability, true);
        let asset = account(AccountType::Asset, true);
        let revenue = account(AccountType::Revenue, true);
        assert_eq!(
            check(&input(), false, Lookup::Found(&liability), Lookup::Found(&asset)),
            Ok(TaxKind::Vat)
        );
        assert_eq!(
            check(&input(), false, Lookup::Found(&liability), Lookup::Found(&liability)),
            Ok(TaxKind::Vat),
            "purchases may offset the same liability"
        );
        let e = check(&input(), false, Lookup::Found(&asset), Lookup::Found(&revenue)).unwrap_err();
        assert_eq!(e.0["sales_account"], ["Choose an account of type liability."]);
        assert_eq!(
            e.0["purchase_account"],
            ["Choose an account of type asset or liability."]
        );

        let bad = TaxRateInput {
            name: " ".into(),
            kind: "income".into(),
            rate_ppm: MAX_PPM + 1,
            sales_account_id: None,
            ..input()
        };
        let e = check(&bad, false, Lookup::Unchecked, Lookup::Missing).unwrap_err();
        let fields: Vec<&str> = e.0.keys().map(String::as_str).collect();
        assert_eq!(fields, ["kind", "name", "purchase_account", "rate", "sales_account"]);
        let e = check(&input(), true, Lookup::Unchecked, Lookup::Unchecked).unwrap_err();
        assert_eq!(e.0["name"], ["A tax rate with this name already exists."]);
    }

    #[test]
    fn kinds_round_trip() {
        for k in TaxKind::ALL {
            assert_eq!(TaxKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(TaxKind::parse("VAT"), None);
    }
}
