//! Inventory against its moves and the ledger: each stored stock level (item, warehouse) equals
//! the sums of its moves' quantities and values, and the value of the stock of each inventory
//! account (an item's own, else the company's) equals that account's balance in the ledger; each
//! stock checkpoint equals its moves' sums up to its date.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::{END, Verifier};
use crate::domain::inventory::quantity_text;
use crate::domain::money;
use crate::params;
use crate::store::{StoreError, Tx};

impl Verifier<'_> {
    pub(super) fn check_inventory(&mut self, tx: &mut Tx) -> Result<(), StoreError> {
        let company = self.company;
        if tx
            .query_opt(
                "SELECT company_id FROM inventory_settings WHERE company_id = $1",
                params![company],
            )?
            .is_none()
        {
            return Ok(());
        }
        type Totals = BTreeMap<(Uuid, Uuid), (i64, i64)>;
        let read = |tx: &mut Tx, sql: &str| -> Result<Totals, StoreError> {
            tx.query(sql, params![company])?
                .iter()
                .map(|r| Ok(((r.uuid(0)?, r.uuid(1)?), (r.int(2)?, r.int(3)?))))
                .collect()
        };
        let summed = read(
            tx,
            "SELECT item_id, warehouse_id, SUM(quantity), SUM(value) FROM stock_moves WHERE company_id = $1 \
             GROUP BY item_id, warehouse_id",
        )?;
        let levels = read(
            tx,
            "SELECT item_id, warehouse_id, quantity, value FROM stock_levels WHERE company_id = $1",
        )?;
        let keys: std::collections::BTreeSet<_> = summed.keys().chain(levels.keys()).copied().collect();
        for key in keys {
            let moves = summed.get(&key).copied().unwrap_or((0, 0));
            let level = levels.get(&key).copied().unwrap_or((0, 0));
            if moves != level {
                self.push(
                    None,
                    None,
                    END,
                    format!(
                        "the stock level of item {} in warehouse {} is {} worth {}, but its moves add up to {} \
                         worth {}",
                        key.0,
                        key.1,
                        quantity_text(level.0),
                        money::format(level.1, self.decimals),
                        quantity_text(moves.0),
                        money::format(moves.1, self.decimals)
                    ),
                );
            }
        }
        for (date, item, warehouse, level, moved) in crate::store::inventory_checkpoints::mismatches(tx, company)? {
            let level = level.map_or_else(
                || "missing".to_owned(),
                |(q, v)| format!("{} worth {}", quantity_text(q), money::format(v, self.decimals)),
            );
            self.push(
                None,
                None,
                END,
                format!(
                    "the stock checkpoint of {date} has item {item} in warehouse {warehouse} at {level}, but its moves \
                     up to that day add up to {} worth {}",
                    quantity_text(moved.0),
                    money::format(moved.1, self.decimals)
                ),
            );
        }
        let stock: BTreeMap<Uuid, i64> = tx
            .query(
                "SELECT COALESCE(i.inventory_account_id, s.inventory_account_id), SUM(m.value) \
                 FROM stock_moves m JOIN items i ON i.id = m.item_id \
                 JOIN inventory_settings s ON s.company_id = m.company_id \
                 WHERE m.company_id = $1 GROUP BY COALESCE(i.inventory_account_id, s.inventory_account_id)",
                params![company],
            )?
            .iter()
            .map(|r| Ok((r.uuid(0)?, r.int(1)?)))
            .collect::<Result<_, StoreError>>()?;
        for (account, value) in stock {
            let balance = tx
                .query_one(
                    "SELECT COALESCE(SUM(debit - credit), 0) FROM journal_lines \
                     WHERE account_id = $1 AND posted_date IS NOT NULL",
                    params![account],
                )?
                .int(0)?;
            if balance != value {
                let code = self
                    .accounts
                    .get(&account)
                    .cloned()
                    .unwrap_or_else(|| account.to_string());
                self.push(
                    None,
                    None,
                    END,
                    format!(
                        "the stock kept on inventory account {code} is worth {}, but the account's balance is {}",
                        money::format(value, self.decimals),
                        money::format(balance, self.decimals)
                    ),
                );
            }
        }
        Ok(())
    }
}
