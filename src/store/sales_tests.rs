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
use proptest::{prop_assert, prop_assert_eq};

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

/// One step of the random sales flow.
#[derive(Debug, Clone)]
enum Step {
    /// Deliver `qty` thousandths of order line `line` (1 or 2).
    Deliver { line: i64, qty: i64 },
    /// Invoice `qty` thousandths of order line `line` from the order.
    InvoiceOrder { line: i64, qty: i64 },
    /// Invoice the `n`-th delivery made so far.
    InvoiceDelivery { n: usize },
}

fn step() -> impl proptest::strategy::Strategy<Value = Step> {
    use proptest::prelude::*;
    prop_oneof![
        (1i64..3, 1i64..8).prop_map(|(line, q)| Step::Deliver { line, qty: q * 500 }),
        (1i64..3, 1i64..8).prop_map(|(line, q)| Step::InvoiceOrder { line, qty: q * 500 }),
        (0usize..4).prop_map(|n| Step::InvoiceDelivery { n }),
    ]
}

/// What the order, its deliveries and the stock show after a step.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    /// Per line: (delivered, invoiced).
    lines: Vec<(i64, i64)>,
    /// The item's stock (thousandths) and the inventory GL balance.
    stock: (i64, i64),
    /// Delivered per line, summed from the delivery lines.
    delivered_by_lines: Vec<i64>,
    /// Invoiced per order line, summed from the invoice links.
    invoiced_by_links: Vec<i64>,
}

/// Random deliveries and invoices of a two-line order (each line 3 widgets, 5 in stock): after
/// every step, accepted or refused, no line is delivered or invoiced beyond its quantity, what
/// the order lines say they delivered and invoiced equals what the deliveries and the invoice
/// links add up to, and the stock (and the inventory account) went down by exactly what was
/// delivered. A refused step changes nothing.
#[test]
fn random_deliveries_and_invoices_keep_the_order_stock_and_links_in_step() {
    use proptest::test_runner::{Config as PropConfig, TestCaseError, TestRunner};
    for (store, _dir) in stores() {
        let cases = if store.backend_name() == "sqlite" { 12 } else { 4 };
        let mut runner = TestRunner::new(PropConfig {
            cases,
            failure_persistence: None,
            max_shrink_iters: 64,
            ..PropConfig::default()
        });
        let steps = proptest::collection::vec(step(), 1..10);
        let outcome = runner.run(&steps, |steps| {
            let f = Firm::new(&store);
            let company = f.company.id;
            let (widget, gadget, warehouse, order) = store
                .tenant_write(&f.scope, |tx| -> Result<_, ApiError> {
                    let ctx = f.ctx();
                    let widget = stock_item(tx, company, "WID", "none")?;
                    let gadget = stock_item(tx, company, "GAD", "none")?;
                    let wh = inventory::settings(tx, &ctx).map_err(|e| ApiError::Internal(e.to_string()))?;
                    let mut moves = Vec::new();
                    for item in [widget, gadget] {
                        let mut m = MoveInput::new(MoveKind::Receipt, date(2026, 1, 5), item, wh.default_warehouse_id, 5_000);
                        m.unit_cost = Some(1000);
                        moves.push(m);
                    }
                    inventory::post_moves(tx, &ctx, &moves).map_err(|e| ApiError::Internal(e.to_string()))?;
                    let customer = Uuid::now_v7();
                    tx.execute(
                        "INSERT INTO contacts (id, company_id, is_customer, name, created_at, updated_at) \
                         VALUES ($1, $2, TRUE, 'Bloggs', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                        params![customer, company],
                    )?;
                    let account = one(tx, "SELECT id FROM accounts WHERE company_id = $1 AND code = '4100'", company)?;
                    let line = |item: Uuid| LineInput {
                        item: Some(item),
                        quantity: Some("3".into()),
                        unit_price: Some("25.00".into()),
                        account: Some(account),
                        ..LineInput::default()
                    };
                    let order = sales::create(
                        tx,
                        &ctx,
                        SalesKind::Order,
                        &SalesInput {
                            contact: Some(customer),
                            date: Some(date(2026, 2, 1)),
                            lines: vec![line(widget), line(gadget)],
                            ..SalesInput::default()
                        },
                    )?;
                    Ok((widget, gadget, wh.default_warehouse_id, order.id))
                })
                .map_err(|e| TestCaseError::fail(format!("setup: {e:?}")))?;
            let seen = || -> Result<Seen, TestCaseError> {
                store
                    .tenant_read(&f.scope, |tx| -> Result<Seen, ApiError> {
                        let o = sales::find(tx, &f.ctx(), SalesKind::Order, order)?;
                        let mut by_lines = Vec::new();
                        let mut by_links = Vec::new();
                        for n in [1i64, 2] {
                            by_lines.push(
                                tx.query_one(
                                    "SELECT COALESCE(SUM(l.quantity_milli), 0) FROM sales_delivery_lines l \
                                     JOIN sales_deliveries d ON d.id = l.delivery_id WHERE d.order_id = $1 AND l.order_line_no = $2",
                                    params![order, n],
                                )?
                                .int(0)?,
                            );
                            by_links.push(
                                tx.query_one(
                                    "SELECT COALESCE(SUM(quantity_milli), 0) FROM sales_invoice_links \
                                     WHERE order_id = $1 AND order_line_no = $2",
                                    params![order, n],
                                )?
                                .int(0)?,
                            );
                        }
                        let (w, _) = summed(tx, company, widget, warehouse)?;
                        let (g, _) = summed(tx, company, gadget, warehouse)?;
                        Ok(Seen {
                            lines: o.lines.iter().map(|l| (l.delivered_milli, l.invoiced_milli)).collect(),
                            stock: (w + g, gl_balance(tx, company, "inventory")?),
                            delivered_by_lines: by_lines,
                            invoiced_by_links: by_links,
                        })
                    })
                    .map_err(|e| TestCaseError::fail(format!("read: {e:?}")))
            };
            let mut deliveries: Vec<Uuid> = Vec::new();
            for s in &steps {
                let before = seen()?;
                let result = store.tenant_write(&f.scope, |tx| -> Result<Option<Uuid>, ApiError> {
                    let ctx = f.ctx();
                    Ok(match s {
                        Step::Deliver { line, qty } => {
                            let input = DeliverInput {
                                date: Some(date(2026, 2, 2)),
                                lines: Some(vec![pick(*line, &sales::from_milli(*qty).to_string())]),
                                ..DeliverInput::default()
                            };
                            Some(sales::deliver(tx, &ctx, order, &input)?.id)
                        }
                        Step::InvoiceOrder { line, qty } => {
                            let input = InvoiceInput {
                                date: Some(date(2026, 2, 3)),
                                lines: Some(vec![pick(*line, &sales::from_milli(*qty).to_string())]),
                            };
                            sales::invoice_order(tx, &ctx, order, &input)?;
                            None
                        }
                        Step::InvoiceDelivery { n } => {
                            let Some(d) = deliveries.get(*n) else { return Ok(None) };
                            sales::invoice_delivery(tx, &ctx, *d, &InvoiceInput::default())?;
                            None
                        }
                    })
                });
                let after = seen()?;
                match result {
                    Ok(made) => deliveries.extend(made),
                    Err(_) => prop_assert_eq!(&after, &before, "a refused {:?} changed something", s),
                }
                for (i, (d, inv)) in after.lines.iter().enumerate() {
                    prop_assert!(*d <= 3_000 && *inv <= 3_000, "line {} beyond its quantity: {:?}", i + 1, after);
                }
                let delivered: i64 = after.lines.iter().map(|l| l.0).sum();
                prop_assert_eq!(after.stock, (10_000 - delivered, 10_000 - delivered), "stock after {:?}", s);
                prop_assert_eq!(
                    after.lines.iter().map(|l| l.0).collect::<Vec<_>>(),
                    after.delivered_by_lines.clone()
                );
                prop_assert_eq!(
                    after.lines.iter().map(|l| l.1).collect::<Vec<_>>(),
                    after.invoiced_by_links.clone()
                );
            }
            Ok(())
        });
        if let Err(e) = outcome {
            panic!("{} sales property failed: {e}", store.backend_name());
        }
    }
}
