//! The sales flow on the real store, both backends, against the inventory engine: a delivery
//! takes the goods out at their cost (inventory and its GL account go down together), over-
//! delivering and delivering more than is in stock are refused naming the line with nothing
//! written, and an invoice of goods not delivered delivers them when it is issued.

use jiff::civil::date;
use uuid::Uuid;

use super::inventory_tests::{Firm, gl_balance, stock_item, summed};
use super::{Store, StoreConfig, StoreError, Tx};
use crate::domain::documents::{DocumentInput, DocumentKind, LineInput, operations};
use crate::domain::inventory::{self, MoveInput, MoveKind};
use crate::domain::sales::{self, DeliverInput, InvoiceInput, LinePick, SalesInput, SalesKind, SalesStatus};
use crate::http::error::ApiError;
use crate::params;

fn stores() -> Vec<(Store, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let mut out = vec![(
        Store::open(&StoreConfig::Sqlite {
            data_dir: dir.path().to_path_buf(),
            cache_size: 4,
        })
        .unwrap(),
        Some(dir),
    )];
    if let Ok(url) = std::env::var("OASYS_TEST_DATABASE_URL")
        && !url.is_empty()
    {
        out.push((
            Store::open(&StoreConfig::Postgres {
                url,
                platform_schema: format!("sal_{}", Uuid::new_v4().simple()),
                pool_size: 2,
            })
            .unwrap(),
            None,
        ));
    }
    out
}

fn one(tx: &mut Tx, sql: &str, company: Uuid) -> Result<Uuid, StoreError> {
    tx.query_one(sql, params![company])?.uuid(0)
}

fn count(tx: &mut Tx, table: &str) -> i64 {
    tx.query_one(&format!("SELECT COUNT(*) FROM {table}"), &[])
        .unwrap()
        .int(0)
        .unwrap()
}

fn pick(line: i64, quantity: &str) -> LinePick {
    LinePick {
        line: Some(line),
        quantity: Some(quantity.into()),
    }
}

fn field(e: ApiError) -> String {
    match e {
        ApiError::Validation(f) => f.0.keys().cloned().collect::<Vec<_>>().join(","),
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[test]
fn deliveries_and_invoices_take_goods_out_of_stock_and_refusals_write_nothing() {
    for (store, _dir) in stores() {
        let f = Firm::new(&store);
        let company = f.company.id;
        // 20 widgets at 10.00 in the default warehouse; a customer.
        let (widget, warehouse, customer, sales_account) = store
            .tenant_write(&f.scope, |tx| -> Result<_, ApiError> {
                let ctx = f.ctx();
                let widget = stock_item(tx, company, "WID", "none").map_err(sales_db)?;
                let wh = inventory::settings(tx, &ctx).map_err(|e| ApiError::Internal(e.to_string()))?;
                let mut receipt = MoveInput::new(
                    MoveKind::Receipt,
                    date(2026, 1, 5),
                    widget,
                    wh.default_warehouse_id,
                    20_000,
                );
                receipt.unit_cost = Some(1000);
                inventory::post_moves(tx, &ctx, &[receipt]).map_err(|e| ApiError::Internal(e.to_string()))?;
                let customer = Uuid::now_v7();
                tx.execute(
                    "INSERT INTO contacts (id, company_id, is_customer, name, created_at, updated_at) \
                     VALUES ($1, $2, TRUE, 'Bloggs', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                    params![customer, company],
                )
                .map_err(sales_db)?;
                let account = one(
                    tx,
                    "SELECT id FROM accounts WHERE company_id = $1 AND code = '4100'",
                    company,
                )
                .map_err(sales_db)?;
                Ok((widget, wh.default_warehouse_id, customer, account))
            })
            .unwrap();
        let order_of = |qty: &str| SalesInput {
            contact: Some(customer),
            date: Some(date(2026, 2, 1)),
            lines: vec![LineInput {
                item: Some(widget),
                quantity: Some(qty.into()),
                unit_price: Some("25.00".into()),
                account: Some(sales_account),
                ..LineInput::default()
            }],
            ..SalesInput::default()
        };
        let order = store
            .tenant_write(&f.scope, |tx| {
                Ok::<_, ApiError>(sales::create(tx, &f.ctx(), SalesKind::Order, &order_of("10"))?)
            })
            .unwrap();
        let deliver = |order: Uuid, lines: Vec<LinePick>| {
            store.tenant_write(&f.scope, |tx| -> Result<_, ApiError> {
                Ok(sales::deliver(
                    tx,
                    &f.ctx(),
                    order,
                    &DeliverInput {
                        date: Some(date(2026, 2, 2)),
                        lines: Some(lines.clone()),
                        ..DeliverInput::default()
                    },
                )?)
            })
        };
        let delivery = deliver(order.id, vec![pick(1, "4")]).unwrap();
        assert!(delivery.lines[0].stock_move_id.is_some());
        let inventory_now = |store: &Store| {
            store
                .tenant_read(&f.scope, |tx| {
                    Ok::<_, StoreError>((
                        gl_balance(tx, company, "inventory")?,
                        summed(tx, company, widget, warehouse)?,
                        count(tx, "sales_deliveries"),
                    ))
                })
                .unwrap()
        };
        assert_eq!(inventory_now(&store), (16_000, (16_000, 16_000), 1));

        // Over-delivering (6 left) and more than is in stock: refused by line, nothing written.
        assert_eq!(
            field(deliver(order.id, vec![pick(1, "7")]).unwrap_err()),
            "lines[0].quantity"
        );
        let big = store
            .tenant_write(&f.scope, |tx| {
                Ok::<_, ApiError>(sales::create(tx, &f.ctx(), SalesKind::Order, &order_of("30"))?)
            })
            .unwrap();
        let e = deliver(big.id, vec![pick(1, "17")]).unwrap_err();
        let ApiError::Validation(errors) = &e else {
            panic!("{e:?}")
        };
        assert!(
            errors.0["lines[0].quantity"][0].contains("Not enough stock"),
            "{errors:?}"
        );
        assert_eq!(inventory_now(&store), (16_000, (16_000, 16_000), 1));
        let again = store
            .tenant_read(&f.scope, |tx| {
                Ok::<_, ApiError>(sales::find(tx, &f.ctx(), SalesKind::Order, big.id)?)
            })
            .unwrap();
        assert_eq!(again.lines[0].delivered_milli, 0);
        assert_eq!(again.status, SalesStatus::Open);

        // The rest invoiced from the order: the 6 not delivered are delivered by the invoice.
        let invoice = store
            .tenant_write(&f.scope, |tx| -> Result<_, ApiError> {
                Ok(sales::invoice_order(
                    tx,
                    &f.ctx(),
                    order.id,
                    &InvoiceInput {
                        date: Some(date(2026, 2, 3)),
                        lines: None,
                    },
                )?)
            })
            .unwrap();
        assert_eq!(invoice.total, 25_000);
        assert_eq!(inventory_now(&store), (10_000, (10_000, 10_000), 2));
        let done = store
            .tenant_read(&f.scope, |tx| {
                Ok::<_, ApiError>(sales::find(tx, &f.ctx(), SalesKind::Order, order.id)?)
            })
            .unwrap();
        assert_eq!(done.status, SalesStatus::Invoiced);
        assert_eq!(
            (done.lines[0].delivered_milli, done.lines[0].invoiced_milli),
            (10_000, 10_000)
        );

        // A plain invoice of 3 widgets delivers them when issued; one of 11 is refused by line.
        let plain = |qty: &str| DocumentInput {
            contact: Some(customer),
            issue_date: Some(date(2026, 2, 4)),
            lines: vec![LineInput {
                item: Some(widget),
                quantity: Some(qty.into()),
                unit_price: Some("25.00".into()),
                account: Some(sales_account),
                ..LineInput::default()
            }],
            ..DocumentInput::default()
        };
        store
            .tenant_write(&f.scope, |tx| -> Result<_, ApiError> {
                let d = operations::create_draft(tx, &f.ctx(), DocumentKind::Invoice, &plain("3"))?;
                Ok(operations::issue(tx, &f.ctx(), DocumentKind::Invoice, d.id)?)
            })
            .unwrap();
        assert_eq!(inventory_now(&store), (7_000, (7_000, 7_000), 3));
        let draft = store
            .tenant_write(&f.scope, |tx| {
                Ok::<_, ApiError>(operations::create_draft(
                    tx,
                    &f.ctx(),
                    DocumentKind::Invoice,
                    &plain("11"),
                )?)
            })
            .unwrap();
        let e = store
            .tenant_write(&f.scope, |tx| {
                Ok::<_, ApiError>(operations::issue(tx, &f.ctx(), DocumentKind::Invoice, draft.id)?)
            })
            .unwrap_err();
        assert!(format!("{e:?}").contains("lines[0].quantity"), "{e:?}");
        assert_eq!(inventory_now(&store), (7_000, (7_000, 7_000), 3));
    }
}

fn sales_db(e: StoreError) -> ApiError {
    ApiError::from(e)
}
