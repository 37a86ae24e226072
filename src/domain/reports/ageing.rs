//! Ageing: what each contact owes or is owed, in buckets by days past due. Receivables age the
//! customers' open invoices, payables the vendors' open bills; unapplied credits and payments
//! count against them, aged from their own date.

use std::collections::BTreeMap;

use jiff::civil::Date;
use uuid::Uuid;

use super::{Overflow, add, sum};

/// The buckets, by days past due: current (not yet due), 1–30, 31–60, 61–90, over 90. The
/// names are the API's.
pub const BUCKETS: [&str; 5] = ["current", "1_30", "31_60", "61_90", "over_90"];

/// Which of [`BUCKETS`] an amount this many days past due falls in.
pub fn bucket(days_past_due: i64) -> usize {
    match days_past_due {
        ..=0 => 0,
        1..=30 => 1,
        31..=60 => 2,
        61..=90 => 3,
        _ => 4,
    }
}

/// Which side of the books an ageing report reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// What customers owe: invoices, less credit notes and payments received.
    Receivables,
    /// What the company owes vendors: bills, less vendor credits and payments made.
    Payables,
}

/// One open amount as of the report's date: a document's unpaid balance, dated its due date, or
/// an unapplied credit or payment, negative and dated its own date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenItem {
    pub contact_id: Uuid,
    pub contact_name: String,
    pub date: Date,
    /// In the company currency, as the control account carries it (at the item's own rate).
    pub amount: i64,
    /// The item's own currency (the document's or the payment's) and the amount in it.
    pub currency: String,
    pub amount_currency: i64,
}

/// Amounts per bucket of [`BUCKETS`], minor units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Buckets(pub [i64; 5]);

impl Buckets {
    /// Ages `items` as of `as_of` into buckets.
    pub fn of<'a>(items: impl IntoIterator<Item = &'a OpenItem>, as_of: Date) -> Result<Buckets, Overflow> {
        let mut buckets = Buckets::default();
        for item in items {
            buckets.add(item, as_of)?;
        }
        Ok(buckets)
    }

    fn add(&mut self, item: &OpenItem, as_of: Date) -> Result<(), Overflow> {
        self.add_amount(item, item.amount, as_of)
    }

    fn add_amount(&mut self, item: &OpenItem, amount: i64, as_of: Date) -> Result<(), Overflow> {
        let days = i64::from((as_of - item.date).get_days());
        let b = &mut self.0[bucket(days)];
        *b = add(*b, amount, "open amounts")?;
        Ok(())
    }

    /// All buckets together.
    pub fn total(&self) -> Result<i64, Overflow> {
        sum(self.0, "open amounts")
    }
}

/// One contact's line of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactAgeing {
    pub contact_id: Uuid,
    pub contact_name: String,
    pub buckets: Buckets,
    pub total: i64,
    /// The same in each currency the contact's items are in, in that currency.
    pub currencies: BTreeMap<String, Buckets>,
}

/// The ageing report: a line per contact with anything open, by name, and the totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ageing {
    pub as_of: Date,
    pub rows: Vec<ContactAgeing>,
    pub totals: Buckets,
    pub total: i64,
    /// The totals in each currency the items are in, in that currency.
    pub currencies: BTreeMap<String, Buckets>,
}

/// Ages `items` as of `as_of`, per contact (ordered by name, then id) and in total.
pub fn age(items: &[OpenItem], as_of: Date) -> Result<Ageing, Overflow> {
    type PerCurrency = BTreeMap<String, Buckets>;
    let mut per: BTreeMap<(&str, Uuid), (Buckets, PerCurrency)> = BTreeMap::new();
    let mut totals = Buckets::default();
    let mut currencies = PerCurrency::new();
    for item in items {
        let (buckets, own) = per.entry((&item.contact_name, item.contact_id)).or_default();
        buckets.add(item, as_of)?;
        own.entry(item.currency.clone())
            .or_default()
            .add_amount(item, item.amount_currency, as_of)?;
        totals.add(item, as_of)?;
        currencies
            .entry(item.currency.clone())
            .or_default()
            .add_amount(item, item.amount_currency, as_of)?;
    }
    let rows = per
        .into_iter()
        .map(|((name, id), (buckets, currencies))| {
            Ok(ContactAgeing {
                contact_id: id,
                contact_name: name.to_owned(),
                total: buckets.total()?,
                buckets,
                currencies,
            })
        })
        .collect::<Result<Vec<_>, Overflow>>()?;
    Ok(Ageing {
        as_of,
        rows,
        total: totals.total()?,
        totals,
        currencies,
    })
}

#[cfg(test)]
mod tests {
    use jiff::ToSpan;
    use jiff::civil::date;
    use proptest::prelude::*;

    use super::*;

    fn item(contact: u128, date: Date, amount: i64) -> OpenItem {
        OpenItem {
            contact_id: Uuid::from_u128(contact),
            contact_name: format!("Contact {contact}"),
            date,
            amount,
            currency: "USD".into(),
            amount_currency: amount,
        }
    }

    #[test]
    fn buckets_start_the_day_after_the_due_date() {
        let as_of = date(2026, 4, 30);
        let days = |d: i64| bucket(i64::from((as_of - as_of.checked_sub(d.days()).unwrap()).get_days()));
        let edges: Vec<usize> = [-5, 0, 1, 30, 31, 60, 61, 90, 91, 4000].into_iter().map(days).collect();
        assert_eq!(edges, [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
    }

    #[test]
    fn a_contact_line_sums_its_buckets_and_credits_count_against_it() {
        let as_of = date(2026, 4, 4);
        let items = [
            item(1, date(2026, 3, 15), 144_360),
            item(1, date(2026, 3, 10), -110_000),
            item(2, date(2026, 5, 1), 500),
        ];
        let report = age(&items, as_of).unwrap();
        assert_eq!(report.rows.len(), 2);
        assert_eq!(report.rows[0].buckets, Buckets([0, 34_360, 0, 0, 0]));
        assert_eq!(report.rows[1].buckets, Buckets([500, 0, 0, 0, 0]));
        assert_eq!(report.totals, Buckets([500, 34_360, 0, 0, 0]));
        assert_eq!(report.total, 34_860);
    }

    #[test]
    fn amounts_near_the_limit_are_refused_not_clamped() {
        let as_of = date(2026, 1, 1);
        let items = [item(1, as_of, i64::MAX - 1), item(1, as_of, 2)];
        assert_eq!(age(&items, as_of), Err(Overflow("open amounts")));
        // Two buckets that each fit but not together.
        let items = [item(1, as_of, i64::MAX), item(1, date(2025, 1, 1), 1)];
        assert_eq!(age(&items, as_of), Err(Overflow("open amounts")));
        // Sums that come back within range along the way are exact.
        let items = [item(1, as_of, i64::MAX), item(1, as_of, -5)];
        assert_eq!(age(&items, as_of).unwrap().total, i64::MAX - 5);
    }

    fn items() -> impl Strategy<Value = Vec<OpenItem>> {
        prop::collection::vec((0u128..4, -400i64..400, -1_000_000_000i64..1_000_000_000), 0..60).prop_map(|raw| {
            let as_of = date(2026, 6, 30);
            raw.into_iter()
                .map(|(c, days, amount)| item(c, as_of.checked_sub(days.days()).unwrap(), amount))
                .collect()
        })
    }

    proptest! {
        /// Every open item lands in exactly one bucket of its contact's line: the lines
        /// partition the items, and the buckets add up to the total of all items.
        #[test]
        fn buckets_partition_the_open_items(items in items()) {
            let as_of = date(2026, 6, 30);
            let report = age(&items, as_of).unwrap();
            let all: i64 = items.iter().map(|i| i.amount).sum();
            prop_assert_eq!(report.total, all);
            prop_assert_eq!(report.totals.0.iter().sum::<i64>(), all);
            for (b, total) in report.totals.0.iter().enumerate() {
                let in_bucket: i64 = items
                    .iter()
                    .filter(|i| bucket(i64::from((as_of - i.date).get_days())) == b)
                    .map(|i| i.amount)
                    .sum();
                prop_assert_eq!(*total, in_bucket, "bucket {}", BUCKETS[b]);
                let across_rows: i64 = report.rows.iter().map(|r| r.buckets.0[b]).sum();
                prop_assert_eq!(*total, across_rows);
            }
            let contacts: std::collections::BTreeSet<Uuid> = items.iter().map(|i| i.contact_id).collect();
            prop_assert_eq!(report.rows.len(), contacts.len());
            for row in &report.rows {
                let own: i64 = items.iter().filter(|i| i.contact_id == row.contact_id).map(|i| i.amount).sum();
                prop_assert_eq!(row.total, own);
                prop_assert_eq!(row.buckets.total().unwrap(), own);
            }
        }
    }
}
