//! A document's tax summary: the base and the tax of each rate it uses, in the order the lines
//! first use them, as the API and the PDF show it. The sums are checked: amounts that do not fit
//! are [`DocumentError::Overflow`], never a clamped total.

use uuid::Uuid;

use super::{DocDb, Document, DocumentError, DocumentLine, DocumentStore};

/// One tax rate's totals on a document (minor units).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxLine {
    pub rate_id: Uuid,
    pub name: String,
    /// Parts per million of the base: 20 % is 200,000.
    pub rate_ppm: i64,
    pub base: i64,
    pub tax: i64,
}

/// The base and tax per rate of `lines`, in order of first use: `(rate, base, tax)`.
pub fn per_rate(lines: &[DocumentLine]) -> Option<Vec<(Uuid, i64, i64)>> {
    let mut totals: Vec<(Uuid, i64, i64)> = Vec::new();
    for line in lines {
        let Some(rate) = line.tax_rate_id else { continue };
        match totals.iter_mut().find(|(id, _, _)| *id == rate) {
            Some((_, base, tax)) => {
                *base = base.checked_add(line.net_amount)?;
                *tax = tax.checked_add(line.tax_amount)?;
            }
            None => totals.push((rate, line.net_amount, line.tax_amount)),
        }
    }
    Some(totals)
}

/// The document's tax per rate, each rate with its name and percentage. A rate the company no
/// longer has is left out.
pub fn tax_summary<S: DocumentStore>(store: &mut S, doc: &Document) -> Result<Vec<TaxLine>, DocumentError<S::Error>> {
    let mut summary = Vec::new();
    for (rate_id, base, tax) in per_rate(&doc.lines).ok_or(DocumentError::Overflow)? {
        if let Some(rate) = store.tax_rate(doc.company_id, rate_id).db()? {
            summary.push(TaxLine {
                rate_id,
                name: rate.name,
                rate_ppm: rate.rate_ppm,
                base,
                tax,
            });
        }
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;

    fn line(rate: Option<u128>, net: i64, tax: i64) -> DocumentLine {
        DocumentLine {
            line_no: 1,
            item_id: None,
            description: "line".into(),
            quantity: Decimal::ONE,
            unit_price: net,
            discount_percent: Decimal::ZERO,
            tax_rate_id: rate.map(Uuid::from_u128),
            account_id: Uuid::from_u128(99),
            net_amount: net,
            tax_amount: tax,
        }
    }

    #[test]
    fn rates_are_summed_in_order_of_first_use_and_untaxed_lines_left_out() {
        let lines = [
            line(Some(2), 1_000, 200),
            line(None, 500, 0),
            line(Some(1), 300, 21),
            line(Some(2), 50, 10),
        ];
        assert_eq!(
            per_rate(&lines),
            Some(vec![(Uuid::from_u128(2), 1_050, 210), (Uuid::from_u128(1), 300, 21)])
        );
        assert_eq!(per_rate(&[]), Some(Vec::new()));
    }

    #[test]
    fn a_sum_that_does_not_fit_is_refused_not_clamped() {
        let lines = [line(Some(1), i64::MAX, 0), line(Some(1), 1, 0)];
        assert_eq!(per_rate(&lines), None);
        let lines = [line(Some(1), 0, i64::MAX), line(Some(1), 0, 1)];
        assert_eq!(per_rate(&lines), None);
    }
}
