//! The ageing reports and the general ledger as sheets, for their CSV, XLSX and PDF exports
//! (`?format=`): the same rows as the JSON answer, in the company currency.

use super::dto::{AgeingDto, GeneralLedgerDto};
use super::export::{Line, LineKind, Sheet};

impl AgeingDto {
    /// A line per contact by days past due, then the totals (`title`: which side).
    pub fn sheet(&self, title: &'static str, slug: &str, decimals: u32) -> Sheet {
        let amounts = |a: &super::dto::AgedDto| {
            let b = &a.buckets;
            vec![
                b.current.clone(),
                b.days_1_30.clone(),
                b.days_31_60.clone(),
                b.days_61_90.clone(),
                b.over_90.clone(),
                a.total.clone(),
            ]
        };
        let mut lines: Vec<Line> = self
            .rows
            .iter()
            .map(|r| Line {
                kind: LineKind::Account,
                depth: 0,
                texts: vec![r.contact_name.clone()],
                amounts: amounts(&r.amounts),
            })
            .collect();
        lines.push(Line {
            kind: LineKind::Total,
            depth: 0,
            texts: vec!["Total".into()],
            amounts: amounts(&self.totals),
        });
        Sheet {
            file: format!("{slug}-{}", self.as_of),
            title,
            text_headers: vec!["Contact"],
            amount_headers: [
                "Current",
                "1–30 days",
                "31–60 days",
                "61–90 days",
                "Over 90 days",
                "Total",
            ]
            .map(str::to_owned)
            .to_vec(),
            decimals,
            currency: self.currency.clone(),
            period: self.as_of.clone(),
            lines,
        }
    }
}

impl GeneralLedgerDto {
    /// The opening balance, every posting of the period with the running balance, and the
    /// closing balance.
    pub fn sheet(&self, decimals: u32) -> Sheet {
        let balance_line = |name: &str, balance: &str| Line {
            kind: LineKind::Total,
            depth: 0,
            texts: vec![String::new(), String::new(), String::new(), name.to_owned()],
            amounts: vec![String::new(), String::new(), balance.to_owned()],
        };
        let mut lines = vec![balance_line("Opening balance", &self.opening_balance)];
        lines.extend(self.results.iter().map(|r| Line {
            kind: LineKind::Account,
            depth: 0,
            texts: vec![
                r.date.clone(),
                r.number.map(|n| n.to_string()).unwrap_or_default(),
                r.reference.clone(),
                r.description.clone(),
            ],
            amounts: vec![r.debit.clone(), r.credit.clone(), r.balance.clone()],
        }));
        lines.push(balance_line("Closing balance", &self.closing_balance));
        Sheet {
            file: format!("general-ledger-{}-{}", self.account.code, self.date_to),
            title: "General ledger",
            text_headers: vec!["Date", "Number", "Reference", "Description"],
            amount_headers: ["Debit", "Credit", "Balance"].map(str::to_owned).to_vec(),
            decimals,
            currency: self.currency.clone(),
            period: format!(
                "{} {} · {} – {}",
                self.account.code, self.account.name, self.date_from, self.date_to
            ),
            lines,
        }
    }
}
