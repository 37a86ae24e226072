//! Unit tests of the return's figures: the sign of each document kind, voids, the side of other
//! postings, and (proptest) that the net is always tax on sales less tax on purchases.

use jiff::Timestamp;
use proptest::prelude::*;
use uuid::Uuid;

use super::{DocumentTax, figures};
use crate::domain::accounts::{Account, AccountType};
use crate::domain::documents::DocumentKind;
use crate::domain::taxes::{TaxKind, TaxRate};

fn account(code: &str, t: AccountType) -> Account {
    Account {
        id: Uuid::now_v7(),
        company_id: Uuid::nil(),
        code: code.into(),
        name: format!("Account {code}"),
        account_type: t,
        subtype: "tax".into(),
        parent_id: None,
        currency: None,
        cash_flow: None,
        is_active: true,
        created_at: Timestamp::UNIX_EPOCH,
        updated_at: Timestamp::UNIX_EPOCH,
    }
}

fn rate(name: &str, sales: &Account, purchases: &Account) -> TaxRate {
    TaxRate {
        id: Uuid::now_v7(),
        company_id: Uuid::nil(),
        name: name.into(),
        kind: TaxKind::Vat,
        rate_ppm: 200_000,
        is_inclusive: false,
        sales_account_id: sales.id,
        purchase_account_id: purchases.id,
        is_active: true,
        created_at: Timestamp::UNIX_EPOCH,
        updated_at: Timestamp::UNIX_EPOCH,
    }
}

fn doc(rate: &TaxRate, kind: DocumentKind, voided: bool, net: i64, tax: i64) -> DocumentTax {
    DocumentTax {
        rate_id: rate.id,
        kind,
        voided,
        net,
        tax,
    }
}

#[test]
fn credits_and_voids_reduce_and_other_postings_take_their_side() {
    let (output, input) = (
        account("2200", AccountType::Liability),
        account("1400", AccountType::Asset),
    );
    let standard = rate("VAT 20%", &output, &input);
    let documents = [
        doc(&standard, DocumentKind::Invoice, false, 1000, 200),
        doc(&standard, DocumentKind::CreditNote, false, 100, 20),
        doc(&standard, DocumentKind::Invoice, true, 50, 10),
        doc(&standard, DocumentKind::Bill, false, 400, 80),
        doc(&standard, DocumentKind::VendorCredit, false, 40, 8),
    ];
    let other = [(output.id, 3, 10), (input.id, 15, 0)];
    let f = figures(&[standard], &[input.clone(), output.clone()], &documents, &other).unwrap();
    let rows: Vec<(String, i64, i64, i64, i64)> = f
        .rows
        .iter()
        .map(|r| {
            (
                r.name.clone(),
                r.sales_net,
                r.sales_tax,
                r.purchases_net,
                r.purchases_tax,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("VAT 20%".into(), 850, 170, 360, 72),
            ("Other postings to 1400 Account 1400".into(), 0, 0, 0, 15),
            ("Other postings to 2200 Account 2200".into(), 0, 7, 0, 0),
        ]
    );
    assert_eq!(f.net_payable().unwrap(), 177 - 87);
}

proptest! {
    #[test]
    fn the_net_is_tax_on_sales_less_tax_on_purchases(
        docs in prop::collection::vec((0usize..4, any::<bool>(), -1_000_000i64..1_000_000, -1_000_000i64..1_000_000), 0..40),
        other in prop::collection::vec((any::<bool>(), 0i64..1_000_000, 0i64..1_000_000), 0..10),
    ) {
        let (output, input) = (account("2200", AccountType::Liability), account("1400", AccountType::Asset));
        let r = rate("VAT", &output, &input);
        let documents: Vec<DocumentTax> = docs
            .iter()
            .map(|&(k, voided, net, tax)| doc(&r, DocumentKind::ALL[k], voided, net, tax))
            .collect();
        let postings: Vec<(uuid::Uuid, i64, i64)> = other
            .iter()
            .map(|&(sales, d, c)| (if sales { output.id } else { input.id }, d, c))
            .collect();
        let f = figures(std::slice::from_ref(&r), &[output.clone(), input.clone()], &documents, &postings).unwrap();
        // What the ledger's tax accounts move: credits on the output account less debits, and
        // debits on the input account less credits, with the documents' signs.
        let mut expected = 0i64;
        for d in &documents {
            let sign = if d.voided { -1 } else { 1 };
            expected += sign * match d.kind {
                DocumentKind::Invoice => d.tax,
                DocumentKind::CreditNote => -d.tax,
                DocumentKind::Bill => -d.tax,
                DocumentKind::VendorCredit => d.tax,
            };
        }
        for (account, d, c) in &postings {
            expected += if *account == output.id { c - d } else { -(d - c) };
        }
        prop_assert_eq!(f.net_payable().unwrap(), expected);
    }
}
