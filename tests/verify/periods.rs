//! `oasys verify` against tampering with what closes the books and what records them: period
//! closes (their company, the hard close, the lock in force when a close cannot be recomputed),
//! the company settings without a close in the chain, filed tax returns and their tax lock, and
//! the audit trail's record of a bulk posting. The helpers (`tamper`, `with_ctx`, `fails_with`)
//! are `Ledger`'s, in `tests/verify.rs`.

use oasys::domain::ledger::close_period;
use oasys::store::{Tx, Value};

use super::*;

/// The detail of the audit row of the period close (the ledger has one).
fn period_detail(ledger: &Ledger) -> String {
    let store = ledger.store();
    store
        .tenant_read(&ledger.scope(), |tx| {
            tx.query_one(
                "SELECT detail FROM audit_log WHERE company_id = $1 AND object_type = 'period'",
                params![ledger.company],
            )?
            .text(0)
        })
        .unwrap()
}

// ------------------------------------------------------------------ period closes

#[test]
fn a_period_close_naming_another_object_is_named() {
    for backend in backends() {
        let ledger = Ledger::build(backend);
        let (company, other) = (ledger.company, Uuid::now_v7());
        ledger.tamper(|tx| {
            let n = tx.execute(
                "UPDATE ledger_chain SET object_id = $1 WHERE company_id = $2 AND seq = 41",
                params![other, company],
            )?;
            assert_eq!(n, 1);
            Ok(())
        });
        ledger.fails_with(&[
            &format!("chain link 41: a period close must name its company, not {other}"),
            "chain link 41: period close: its hash cannot be recomputed",
        ]);
    }
}

/// The only close link removed: the settings still lock the books, and nothing in the chain
/// says who did; the checkpoint signed at the close names a link that is gone.
#[test]
fn a_removed_period_close_leaves_the_lock_unexplained() {
    for backend in backends() {
        let ledger = Ledger::build(backend);
        let company = ledger.company;
        ledger.tamper(|tx| {
            let n = tx.execute(
                "DELETE FROM ledger_chain WHERE company_id = $1 AND seq = 41",
                params![company],
            )?;
            assert_eq!(n, 1);
            Ok(())
        });
        ledger.fails_with(&[
            "chain link 42: chain link 41 is missing",
            "chain link 41: a checkpoint was signed at this link, which is missing",
            &format!(
                "the company settings lock the books (lock date {CLOSED_THROUGH}, hard close none), \
                 but no period close is in the chain"
            ),
        ]);
    }
}

/// Someone with the database and the checkpoint key rewrites the last close so that it lifts
/// the hard close, and makes its link, checkpoint and the settings agree: every hash and
/// signature verifies, and the hard close moved back is still named.
#[test]
fn a_hard_close_moved_back_is_named_even_with_every_hash_recomputed() {
    for backend in backends() {
        let ledger = Ledger::build(backend);
        let (company, actor) = (ledger.company, ledger.actor);
        let (hard, soft) = (day("2024-02-10"), day("2024-02-20"));
        ledger.with_ctx(|tx, ctx| {
            close_period(tx, ctx, hard, true).map_err(ledger_error)?;
            close_period(tx, ctx, soft, false).map_err(ledger_error)?;
            Ok(())
        });
        ledger.passes();
        ledger.tamper(|tx| {
            let prev = tx
                .query_one(
                    "SELECT hash FROM ledger_chain WHERE company_id = $1 AND seq = 83",
                    params![company],
                )?
                .text(0)?;
            let hash = chain::link_hash(
                company,
                84,
                Kind::Close,
                company,
                &prev,
                &chain::close_payload(Some(soft), None, actor),
            );
            let detail = tx
                .query_one(
                    "SELECT detail FROM audit_log WHERE company_id = $1 AND object_type = 'period' AND detail LIKE $2",
                    params![company, "%2024-02-20%"],
                )?
                .text(0)?;
            let mut forged: serde_json::Value = serde_json::from_str(&detail).unwrap();
            forged["hard_lock_date"]["after"] = "".into();
            let n = tx.execute(
                "UPDATE audit_log SET detail = $1 WHERE company_id = $2 AND object_type = 'period' AND detail = $3",
                params![forged.to_string(), company, &detail],
            )?;
            assert_eq!(n, 1);
            tx.execute(
                "UPDATE ledger_chain SET hash = $1 WHERE company_id = $2 AND seq = 84",
                params![Value::digest(&hash), company],
            )?;
            let n = tx.execute(
                "UPDATE chain_checkpoints SET hash = $1, signature = $2 WHERE company_id = $3 AND seq = 84",
                params![&hash, chain::signature(KEY.as_bytes(), company, 84, &hash), company],
            )?;
            assert_eq!(n, 1);
            tx.execute(
                "UPDATE company_settings SET hard_lock_date = NULL WHERE company_id = $1",
                params![company],
            )?;
            Ok(())
        });
        let out = ledger.fails_with(&["chain link 84: period close moves the hard close back from 2024-02-10 to none"]);
        assert!(out.contains("1 problem(s)"), "{out}");
    }
}

/// The close's audit row made unreadable: the close cannot be recomputed, so the lock in force
/// after it is taken from the settings, and an entry later moved into the closed period is
/// named. Undone, with the settings unlocked and the audit row naming no actor, only the close
/// itself is left to report.
#[test]
fn an_entry_moved_before_a_close_that_cannot_be_recomputed_is_named() {
    for backend in backends() {
        let ledger = Ledger::build(backend);
        let company = ledger.company;
        let target = ledger.entry(50);
        let detail = period_detail(&ledger);
        ledger.tamper(|tx| {
            tx.execute(
                "UPDATE audit_log SET detail = 'not json' WHERE company_id = $1 AND object_type = 'period'",
                params![company],
            )?;
            tx.execute(
                "UPDATE journal_entries SET date = '2024-01-15' WHERE id = $1",
                params![target.id],
            )?;
            Ok(())
        });
        ledger.fails_with(&[
            "chain link 41: period close: its hash cannot be recomputed from any period change",
            &format!(
                "entry #50 ({}), chain link {}: dated 2024-01-15, but posted after the books were closed through {CLOSED_THROUGH}",
                target.id, target.seq
            ),
        ]);
        ledger.tamper(|tx| {
            tx.execute(
                "UPDATE audit_log SET detail = $1, actor_id = NULL WHERE company_id = $2 AND object_type = 'period'",
                params![&detail, company],
            )?;
            tx.execute(
                "UPDATE journal_entries SET date = $1 WHERE id = $2",
                params![target.date.to_string(), target.id],
            )?;
            tx.execute(
                "UPDATE company_settings SET lock_date = NULL WHERE company_id = $1",
                params![company],
            )?;
            Ok(())
        });
        let out = ledger.fails_with(&["chain link 41: period close: its hash cannot be recomputed"]);
        assert!(out.contains("1 problem(s)"), "{out}");
    }
}

// ------------------------------------------------------------------ tax returns

/// A return filed through the library (its settlement posted, the tax lock a link of the
/// chain), then its settlement unposted, marked reversed, pointed elsewhere, and the return
/// removed: each named, the ledger verifying again after each is undone.
#[test]
fn a_filed_tax_return_tampered_with_is_named() {
    for backend in backends() {
        let ledger = Ledger::build(backend.clone());
        let company = ledger.company;
        let (from, to) = (day("2024-03-01"), day("2024-03-31"));
        let filed = ledger.with_ctx(|tx, ctx| {
            let tax = tx
                .query_one(
                    "SELECT id FROM accounts WHERE company_id = $1 AND subtype = 'tax' ORDER BY code LIMIT 1",
                    params![company],
                )?
                .uuid(0)?;
            let line = |account: Uuid, debit: Option<&str>, credit: Option<&str>| LineInput {
                account_id: Some(account),
                description: "sales tax collected".into(),
                debit: debit.map(str::to_owned),
                credit: credit.map(str::to_owned),
                currency: None,
                exchange_rate: None,
                company_amount: None,
            };
            let entry = EntryInput {
                date: Some(day("2024-03-10")),
                reference: "TAX-1".into(),
                description: "Tax collected".into(),
                lines: vec![
                    line(ledger.accounts[0], Some("50.00"), None),
                    line(tax, None, Some("50.00")),
                ],
            };
            post_new(tx, ctx, &entry).map_err(ledger_error)?;
            oasys::domain::tax_returns::file(tx, ctx, from, to, None).map_err(ledger_error)
        });
        let settlement = filed.settlement_entry_id.expect("the return settled the tax account");
        ledger.passes();
        let period = format!("the tax return of {from} – {to}");

        let set_entry = |column: &'static str, value: Value| {
            move |tx: &mut Tx| {
                let n = tx.execute(
                    &format!("UPDATE journal_entries SET {column} = $1 WHERE id = $2"),
                    params![value, settlement],
                )?;
                assert_eq!(n, 1);
                Ok(())
            }
        };
        ledger.tamper(set_entry("status", Value::from("cancelled")));
        ledger.fails_with(&[&format!("the settlement entry of {period} is not posted")]);
        ledger.tamper(set_entry("status", Value::from("posted")));
        ledger.passes();

        ledger.tamper(set_entry("reversed_by_id", Value::from(ledger.entry(3).id)));
        ledger.fails_with(&[&format!("the settlement entry of {period} was reversed")]);
        ledger.tamper(set_entry("reversed_by_id", Value::Null));
        ledger.passes();

        // Pointed at no entry: the foreign key must go first (on SQLite, a direct connection
        // with foreign keys off; on PostgreSQL, the constraint dropped).
        let elsewhere = Uuid::now_v7();
        let repoint = |to: Uuid| match &backend {
            Backend::Sqlite => {
                let n = ledger
                    .sqlite()
                    .execute(
                        "UPDATE tax_returns SET settlement_entry_id = ?1 WHERE id = ?2",
                        [to.as_bytes().as_slice(), filed.id.as_bytes().as_slice()],
                    )
                    .unwrap();
                assert_eq!(n, 1);
            }
            Backend::Postgres(_) => {
                let mut client = ledger.postgres();
                client
                    .batch_execute(
                        "ALTER TABLE tax_returns DROP CONSTRAINT IF EXISTS tax_returns_settlement_entry_id_fkey",
                    )
                    .unwrap();
                let n = client
                    .execute(
                        "UPDATE tax_returns SET settlement_entry_id = $1 WHERE id = $2",
                        &[&to.to_string(), &filed.id.to_string()],
                    )
                    .unwrap();
                assert_eq!(n, 1);
            }
        };
        repoint(elsewhere);
        ledger.fails_with(&[&format!(
            "{period} names settlement entry {elsewhere}, which is not in the books"
        )]);
        repoint(settlement);
        ledger.passes();

        // The return removed altogether: its tax lock names nothing, and the settings' lock is
        // no return's end.
        let lock_seq = ledger.store().tenant_read(&ledger.scope(), |tx| {
            tx.query_one(
                "SELECT seq FROM ledger_chain WHERE company_id = $1 AND kind = 'tax_lock'",
                params![company],
            )?
            .int(0)
        });
        let lock_seq = lock_seq.unwrap();
        ledger.tamper(|tx| {
            tx.execute("DELETE FROM tax_return_boxes WHERE return_id = $1", params![filed.id])?;
            let n = tx.execute("DELETE FROM tax_returns WHERE id = $1", params![filed.id])?;
            assert_eq!(n, 1);
            Ok(())
        });
        ledger.fails_with(&[
            &format!(
                "chain link {lock_seq}: a tax lock names tax return {}, which is not in the books",
                filed.id
            ),
            &format!("the company settings lock tax postings through {to}, but the latest filed tax return ends none"),
        ]);
    }
}

// ------------------------------------------------------------------ the audit trail

/// A bulk posting is recorded once, with the range of numbers it posted: a range widened past
/// what was posted is named.
#[test]
fn a_bulk_posting_record_that_does_not_match_the_journal_is_named() {
    for backend in backends() {
        let ledger = Ledger::build(backend);
        let company = ledger.company;
        ledger.with_ctx(|tx, ctx| {
            let inputs: Vec<_> = (0..3)
                .map(|i| input(day("2024-03-01"), 300 + i, &ledger.accounts))
                .collect();
            match oasys::store::bulk::post_many(tx, ctx, &inputs, &|_| {}) {
                Ok(posted) => {
                    assert_eq!(posted.len(), 3);
                    Ok(())
                }
                Err(oasys::store::bulk::BulkError::Store(e)) => Err(e),
                Err(oasys::store::bulk::BulkError::Entry(i, e)) => panic!("entry {i}: {e}"),
            }
        });
        ledger.passes();
        ledger.tamper(|tx| {
            let n = tx.execute(
                "UPDATE audit_log SET last_number = last_number + 2 WHERE company_id = $1 AND last_number IS NOT NULL",
                params![company],
            )?;
            assert_eq!(n, 1);
            Ok(())
        });
        let out = ledger.fails_with(&[
            "the audit trail records a bulk posting of entries 82-86, but 3 of those 5 numbers are posted entries",
        ]);
        assert!(out.contains("1 problem(s)"), "{out}");
    }
}
