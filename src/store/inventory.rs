//! Inventory as stored (schema 22): settings, warehouses and locations, stock moves, the current
//! levels per item and warehouse and the FIFO layers: `InventoryStore` for both backends.

use jiff::civil::Date;
use uuid::Uuid;

use super::ledger::parse_date;
use super::platform::{parse_ts, ts};
use super::{Row, StoreError, Tx, Value};
use crate::domain::accounts::Account;
use crate::domain::inventory::{
    InventorySettings, InventoryStore, Layer, Level, Location, Method, MoveKind, MoveSource, StockItem, StockMove,
    Tracking, Warehouse,
};
use crate::domain::items::ItemKind;
use crate::params;

const SETTINGS: &str = "company_id, method, allow_negative, invoice_creates_delivery, inventory_account_id, \
     cogs_account_id, grni_account_id, adjustment_account_id, price_difference_account_id, default_warehouse_id, \
     updated_at";

pub const MOVE_COLUMNS: &str = "id, company_id, kind, date, seq, item_id, warehouse_id, location_id, quantity, value, \
     revalued, amount, adjusts_id, counter_account_id, lot, source_kind, source_id, source_line, transfer_id, \
     journal_entry_id, memo, created_by, created_at";

pub const WAREHOUSE_COLUMNS: &str = "id, company_id, code, name, address, is_active, created_at, updated_at";

fn settings_from_row(r: &Row) -> Result<InventorySettings, StoreError> {
    let method = r.text(1)?;
    Ok(InventorySettings {
        company_id: r.uuid(0)?,
        method: Method::parse(&method).ok_or_else(|| StoreError::Corrupt(format!("unknown method {method:?}")))?,
        allow_negative: r.bool(2)?,
        invoice_creates_delivery: r.bool(3)?,
        inventory_account_id: r.uuid(4)?,
        cogs_account_id: r.uuid(5)?,
        grni_account_id: r.uuid(6)?,
        adjustment_account_id: r.uuid(7)?,
        price_difference_account_id: r.uuid(8)?,
        default_warehouse_id: r.uuid(9)?,
        updated_at: parse_ts(&r.text(10)?)?,
    })
}

pub fn move_from_row(r: &Row) -> Result<StockMove, StoreError> {
    let kind = r.text(2)?;
    let source = match (r.opt_text(15)?, r.opt_uuid(16)?) {
        (Some(kind), Some(id)) => Some(MoveSource {
            kind,
            id,
            line: r.opt_int(17)?,
        }),
        _ => None,
    };
    Ok(StockMove {
        id: r.uuid(0)?,
        company_id: r.uuid(1)?,
        kind: MoveKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("unknown move kind {kind:?}")))?,
        date: parse_date(&r.text(3)?)?,
        seq: r.int(4)?,
        item_id: r.uuid(5)?,
        warehouse_id: r.uuid(6)?,
        location_id: r.opt_uuid(7)?,
        quantity: r.int(8)?,
        value: r.int(9)?,
        revalued: r.int(10)?,
        amount: r.opt_int(11)?,
        adjusts_id: r.opt_uuid(12)?,
        counter_account_id: r.opt_uuid(13)?,
        lot: r.opt_text(14)?,
        source,
        transfer_id: r.opt_uuid(18)?,
        journal_entry_id: r.opt_uuid(19)?,
        memo: r.text(20)?,
        created_by: r.uuid(21)?,
        created_at: parse_ts(&r.text(22)?)?,
    })
}

pub fn warehouse_from_row(r: &Row) -> Result<Warehouse, StoreError> {
    Ok(Warehouse {
        id: r.uuid(0)?,
        company_id: r.uuid(1)?,
        code: r.text(2)?,
        name: r.text(3)?,
        address: r.text(4)?,
        is_active: r.bool(5)?,
        created_at: parse_ts(&r.text(6)?)?,
        updated_at: parse_ts(&r.text(7)?)?,
    })
}

fn location_from_row(r: &Row) -> Result<Location, StoreError> {
    Ok(Location {
        id: r.uuid(0)?,
        company_id: r.uuid(1)?,
        warehouse_id: r.uuid(2)?,
        code: r.text(3)?,
        name: r.text(4)?,
        created_at: parse_ts(&r.text(5)?)?,
    })
}

fn settings_values(s: &InventorySettings) -> [Value; 11] {
    crate::values![
        s.company_id,
        s.method.as_str(),
        s.allow_negative,
        s.invoice_creates_delivery,
        s.inventory_account_id,
        s.cogs_account_id,
        s.grni_account_id,
        s.adjustment_account_id,
        s.price_difference_account_id,
        s.default_warehouse_id,
        ts(s.updated_at)
    ]
}

fn move_values(m: &StockMove) -> [Value; 23] {
    crate::values![
        m.id,
        m.company_id,
        m.kind.as_str(),
        m.date.to_string(),
        m.seq,
        m.item_id,
        m.warehouse_id,
        m.location_id,
        m.quantity,
        m.value,
        m.revalued,
        m.amount,
        m.adjusts_id,
        m.counter_account_id,
        m.lot.clone(),
        m.source.as_ref().map(|s| s.kind.clone()),
        m.source.as_ref().map(|s| s.id),
        m.source.as_ref().and_then(|s| s.line),
        m.transfer_id,
        m.journal_entry_id,
        &m.memo,
        m.created_by,
        ts(m.created_at)
    ]
}

/// The locations of a warehouse, by code.
pub fn locations(tx: &mut Tx, company: Uuid, warehouse: Uuid) -> Result<Vec<Location>, StoreError> {
    tx.query(
        "SELECT id, company_id, warehouse_id, code, name, created_at FROM warehouse_locations \
         WHERE company_id = $1 AND warehouse_id = $2 ORDER BY code",
        params![company, warehouse],
    )?
    .iter()
    .map(location_from_row)
    .collect()
}

impl InventoryStore for Tx<'_> {
    fn inventory_settings(&mut self, company: Uuid) -> Result<Option<InventorySettings>, StoreError> {
        self.query_opt(
            &format!("SELECT {SETTINGS} FROM inventory_settings WHERE company_id = $1"),
            params![company],
        )?
        .as_ref()
        .map(settings_from_row)
        .transpose()
    }

    fn insert_inventory_settings(&mut self, s: &InventorySettings) -> Result<(), StoreError> {
        self.execute(
            &format!(
                "INSERT INTO inventory_settings ({SETTINGS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
            ),
            &settings_values(s),
        )?;
        Ok(())
    }

    fn update_inventory_settings(&mut self, s: &InventorySettings) -> Result<(), StoreError> {
        self.execute(
            "UPDATE inventory_settings SET method = $2, allow_negative = $3, invoice_creates_delivery = $4, \
             inventory_account_id = $5, cogs_account_id = $6, grni_account_id = $7, adjustment_account_id = $8, \
             price_difference_account_id = $9, default_warehouse_id = $10, updated_at = $11 WHERE company_id = $1",
            &settings_values(s),
        )?;
        Ok(())
    }

    fn account_code_taken(&mut self, company: Uuid, code: &str) -> Result<bool, StoreError> {
        super::accounts::code_taken(self, company, code, None)
    }

    fn create_account(&mut self, account: &Account) -> Result<(), StoreError> {
        super::accounts::insert(self, account)
    }

    fn stock_item(&mut self, company: Uuid, id: Uuid) -> Result<Option<StockItem>, StoreError> {
        self.query_opt(
            "SELECT id, code, name, kind, unit, purchase_price, tracking, inventory_account_id, cogs_account_id, \
             price_difference_account_id FROM items WHERE company_id = $1 AND id = $2",
            params![company, id],
        )?
        .map(|r| {
            let kind = r.text(3)?;
            let tracking = r.text(6)?;
            Ok(StockItem {
                id: r.uuid(0)?,
                code: r.text(1)?,
                name: r.text(2)?,
                kind: ItemKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("item kind {kind:?}")))?,
                unit: r.text(4)?,
                purchase_price: r.int(5)?,
                tracking: Tracking::parse(&tracking)
                    .ok_or_else(|| StoreError::Corrupt(format!("item tracking {tracking:?}")))?,
                inventory_account_id: r.opt_uuid(7)?,
                cogs_account_id: r.opt_uuid(8)?,
                price_difference_account_id: r.opt_uuid(9)?,
            })
        })
        .transpose()
    }

    fn warehouse(&mut self, company: Uuid, id: Uuid) -> Result<Option<Warehouse>, StoreError> {
        self.query_opt(
            &format!("SELECT {WAREHOUSE_COLUMNS} FROM warehouses WHERE company_id = $1 AND id = $2"),
            params![company, id],
        )?
        .as_ref()
        .map(warehouse_from_row)
        .transpose()
    }

    fn warehouse_code_taken(&mut self, company: Uuid, code: &str, except: Option<Uuid>) -> Result<bool, StoreError> {
        Ok(self
            .query_opt(
                "SELECT id FROM warehouses WHERE company_id = $1 AND code_key = $2 AND id <> $3",
                params![company, code.trim().to_lowercase(), except.unwrap_or_else(Uuid::nil)],
            )?
            .is_some())
    }

    fn insert_warehouse(&mut self, w: &Warehouse) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO warehouses (id, company_id, code, code_key, name, address, is_active, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            params![
                w.id,
                w.company_id,
                &w.code,
                w.code.trim().to_lowercase(),
                &w.name,
                &w.address,
                w.is_active,
                ts(w.created_at),
                ts(w.updated_at)
            ],
        )?;
        Ok(())
    }

    fn update_warehouse(&mut self, w: &Warehouse) -> Result<(), StoreError> {
        self.execute(
            "UPDATE warehouses SET code = $2, code_key = $3, name = $4, address = $5, is_active = $6, updated_at = $7 \
             WHERE id = $1",
            params![
                w.id,
                &w.code,
                w.code.trim().to_lowercase(),
                &w.name,
                &w.address,
                w.is_active,
                ts(w.updated_at)
            ],
        )?;
        Ok(())
    }

    fn location(&mut self, company: Uuid, id: Uuid) -> Result<Option<Location>, StoreError> {
        self.query_opt(
            "SELECT id, company_id, warehouse_id, code, name, created_at FROM warehouse_locations \
             WHERE company_id = $1 AND id = $2",
            params![company, id],
        )?
        .as_ref()
        .map(location_from_row)
        .transpose()
    }

    fn insert_location(&mut self, l: &Location) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO warehouse_locations (id, company_id, warehouse_id, code, name, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            params![l.id, l.company_id, l.warehouse_id, &l.code, &l.name, ts(l.created_at)],
        )?;
        Ok(())
    }

    fn take_seq(&mut self, company: Uuid, count: i64) -> Result<i64, StoreError> {
        self.execute(
            "UPDATE inventory_settings SET next_seq = next_seq + $2 WHERE company_id = $1",
            params![company, count],
        )?;
        Ok(self
            .query_one(
                "SELECT next_seq FROM inventory_settings WHERE company_id = $1",
                params![company],
            )?
            .int(0)?
            - count)
    }

    fn has_moves(&mut self, company: Uuid) -> Result<bool, StoreError> {
        Ok(self
            .query_opt(
                "SELECT id FROM stock_moves WHERE company_id = $1 LIMIT 1",
                params![company],
            )?
            .is_some())
    }

    fn stock_level(&mut self, company: Uuid, item: Uuid, warehouse: Uuid) -> Result<Option<Level>, StoreError> {
        self.query_opt(
            "SELECT quantity, value, last_date FROM stock_levels \
             WHERE company_id = $1 AND item_id = $2 AND warehouse_id = $3",
            params![company, item, warehouse],
        )?
        .map(|r| {
            Ok(Level {
                quantity: r.int(0)?,
                value: r.int(1)?,
                last_date: parse_date(&r.text(2)?)?,
            })
        })
        .transpose()
    }

    fn save_stock_level(
        &mut self,
        company: Uuid,
        item: Uuid,
        warehouse: Uuid,
        level: &Level,
    ) -> Result<(), StoreError> {
        let changed = self.execute(
            "UPDATE stock_levels SET quantity = $4, value = $5, last_date = $6 \
             WHERE company_id = $1 AND item_id = $2 AND warehouse_id = $3",
            params![
                company,
                item,
                warehouse,
                level.quantity,
                level.value,
                level.last_date.to_string()
            ],
        )?;
        if changed == 0 {
            self.execute(
                "INSERT INTO stock_levels (company_id, item_id, warehouse_id, quantity, value, last_date) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
                params![
                    company,
                    item,
                    warehouse,
                    level.quantity,
                    level.value,
                    level.last_date.to_string()
                ],
            )?;
        }
        Ok(())
    }

    fn layers(&mut self, company: Uuid, item: Uuid, warehouse: Uuid) -> Result<Vec<Layer>, StoreError> {
        self.query(
            "SELECT move_id, date, seq, quantity, value FROM stock_layers \
             WHERE company_id = $1 AND item_id = $2 AND warehouse_id = $3 ORDER BY date, seq",
            params![company, item, warehouse],
        )?
        .iter()
        .map(|r| {
            Ok(Layer {
                move_id: r.uuid(0)?,
                date: parse_date(&r.text(1)?)?,
                seq: r.int(2)?,
                quantity: r.int(3)?,
                value: r.int(4)?,
            })
        })
        .collect()
    }

    fn replace_layers(
        &mut self,
        company: Uuid,
        item: Uuid,
        warehouse: Uuid,
        layers: &[Layer],
    ) -> Result<(), StoreError> {
        self.execute(
            "DELETE FROM stock_layers WHERE company_id = $1 AND item_id = $2 AND warehouse_id = $3",
            params![company, item, warehouse],
        )?;
        if layers.is_empty() {
            return Ok(());
        }
        let mut values: Vec<Value> = Vec::with_capacity(layers.len() * 8);
        for l in layers {
            values.extend(crate::values![
                l.move_id,
                company,
                item,
                warehouse,
                l.date.to_string(),
                l.seq,
                l.quantity,
                l.value
            ]);
        }
        self.insert_many(
            "INSERT INTO stock_layers (move_id, company_id, item_id, warehouse_id, date, seq, quantity, value)",
            8,
            &values,
        )
    }

    fn insert_moves(&mut self, moves: &[StockMove]) -> Result<(), StoreError> {
        if moves.is_empty() {
            return Ok(());
        }
        let mut values: Vec<Value> = Vec::with_capacity(moves.len() * 23);
        for m in moves {
            values.extend(move_values(m));
        }
        self.insert_many(&format!("INSERT INTO stock_moves ({MOVE_COLUMNS})"), 23, &values)?;
        super::inventory_checkpoints::after_insert(self, moves)
    }

    fn stock_move(&mut self, company: Uuid, id: Uuid) -> Result<Option<StockMove>, StoreError> {
        self.query_opt(
            &format!("SELECT {MOVE_COLUMNS} FROM stock_moves WHERE company_id = $1 AND id = $2"),
            params![company, id],
        )?
        .as_ref()
        .map(move_from_row)
        .transpose()
    }

    fn moves_of(&mut self, company: Uuid, item: Uuid, warehouse: Uuid) -> Result<Vec<StockMove>, StoreError> {
        // What valuation reads, and no more: a back-dated move may read 100,000 of them.
        let mut out = Vec::new();
        let created_at = jiff::Timestamp::UNIX_EPOCH;
        self.for_each_row(
            "SELECT id, kind, date, seq, location_id, quantity, value, revalued, amount, adjusts_id, \
             counter_account_id, lot, source_kind, source_id, source_line, transfer_id FROM stock_moves \
             WHERE company_id = $1 AND item_id = $2 AND warehouse_id = $3 AND kind <> 'revaluation' \
             ORDER BY date, seq",
            params![company, item, warehouse],
            |r| {
                let kind = r.str(1)?;
                let source = match (r.opt_text(12)?, r.opt_uuid(13)?) {
                    (Some(kind), Some(id)) => Some(MoveSource {
                        kind,
                        id,
                        line: r.opt_int(14)?,
                    }),
                    _ => None,
                };
                out.push(StockMove {
                    id: r.uuid(0)?,
                    company_id: company,
                    kind: MoveKind::parse(kind)
                        .ok_or_else(|| StoreError::Corrupt(format!("unknown move kind {kind:?}")))?,
                    date: parse_date(r.str(2)?)?,
                    seq: r.int(3)?,
                    item_id: item,
                    warehouse_id: warehouse,
                    location_id: r.opt_uuid(4)?,
                    quantity: r.int(5)?,
                    value: r.int(6)?,
                    revalued: r.int(7)?,
                    amount: r.opt_int(8)?,
                    adjusts_id: r.opt_uuid(9)?,
                    counter_account_id: r.opt_uuid(10)?,
                    lot: r.opt_text(11)?,
                    source,
                    transfer_id: r.opt_uuid(15)?,
                    journal_entry_id: None,
                    memo: String::new(),
                    created_by: Uuid::nil(),
                    created_at,
                });
                Ok(())
            },
        )?;
        Ok(out)
    }

    fn on_hand_as_of(&mut self, company: Uuid, item: Uuid, warehouse: Uuid, date: Date) -> Result<i64, StoreError> {
        self.query_one(
            "SELECT COALESCE(SUM(quantity), 0) FROM stock_moves WHERE company_id = $1 AND item_id = $2 \
             AND warehouse_id = $3 AND date <= $4",
            params![company, item, warehouse, date.to_string()],
        )?
        .int(0)
    }

    fn transfer_in_of(&mut self, company: Uuid, transfer: Uuid) -> Result<Option<StockMove>, StoreError> {
        self.query_opt(
            &format!(
                "SELECT {MOVE_COLUMNS} FROM stock_moves WHERE company_id = $1 AND transfer_id = $2 \
                 AND kind = 'transfer_in'"
            ),
            params![company, transfer],
        )?
        .as_ref()
        .map(move_from_row)
        .transpose()
    }

    fn add_revalued(&mut self, _company: Uuid, changes: &[(Uuid, i64)]) -> Result<(), StoreError> {
        // A back-dated move may revalue 100,000 moves: each found by its id (unique in the firm's
        // database; the caller read every one of them from its own company), as many per
        // statement as suits the backend.
        for chunk in changes.chunks(self.rows_per_update()) {
            if let [(id, amount)] = chunk {
                self.execute(
                    "UPDATE stock_moves SET revalued = revalued + $2 WHERE id = $1",
                    params![*id, *amount],
                )?;
                continue;
            }
            let mut sql =
                String::from("UPDATE stock_moves SET revalued = stock_moves.revalued + v.column2 FROM (VALUES ");
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 2);
            for (i, (id, amount)) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("(${}, CAST(${} AS BIGINT))", 2 * i + 1, 2 * i + 2));
                values.push(Value::Id(*id));
                values.push(Value::Int(*amount));
            }
            sql.push_str(") AS v WHERE stock_moves.id = v.column1");
            self.execute(&sql, &values)?;
        }
        Ok(())
    }
}

impl From<StoreError> for crate::domain::inventory::InventoryError<StoreError> {
    fn from(e: StoreError) -> Self {
        crate::domain::inventory::InventoryError::Store(e)
    }
}
