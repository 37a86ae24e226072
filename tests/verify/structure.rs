//! `oasys verify` against tampering with the ledger's structure rather than its amounts: entry
//! numbers, the counters, the chain's links and their kinds, the copies on lines, reversals,
//! malformed lines, and rows the walk cannot read. Each test changes the firm's rows through the
//! store (one SQL text for both backends, ids bound as parameters), runs the real binary and
//! expects the message that names the problem; where a test undoes its change, the ledger must
//! verify again, so the message came from that change alone.

use oasys::store::{Tx, Value};

use super::*;

// ------------------------------------------------------------------ numbers and counters

#[test]
fn a_posted_entry_without_a_number_is_named() {
    for backend in backends() {
        let ledger = Ledger::build(backend);
        let target = ledger.entry(40);
        ledger.tamper(|tx| {
            let n = tx.execute(
                "UPDATE journal_entries SET number = NULL WHERE id = $1",
                params![target.id],
            )?;
            assert_eq!(n, 1);
            Ok(())
        });
        ledger.fails_with(&[
            &format!("entry {}, chain link 40: posted without a number", target.id),
            "entry #40: missing: the numbers jump from 39 to 41",
        ]);
    }
}

/// Numbers start at 1 and rise by one: a number that does not (0 here, or on PostgreSQL, whose
/// uniqueness constraint a tamperer can drop, a number used twice) is named, and so is a jump
/// of more than one number.
#[test]
fn numbers_that_do_not_rise_by_one_are_named() {
    for backend in backends() {
        let ledger = Ledger::build(backend.clone());
        let (first, last) = (ledger.entry(1), ledger.entry(81));
        ledger.tamper(|tx| {
            tx.execute("UPDATE journal_entries SET number = 0 WHERE id = $1", params![first.id])?;
            tx.execute("UPDATE journal_entries SET number = 90 WHERE id = $1", params![last.id])?;
            Ok(())
        });
        ledger.fails_with(&[
            &format!(
                "entry #0 ({}), chain link 1: number 0 follows 0: numbers must rise by one",
                first.id
            ),
            "entry #1: missing: the numbers jump from 0 to 2",
            "entry #81: missing, through #89: the numbers jump from 80 to 90",
            "the journal counter is at 81, behind the last entry #90",
        ]);
        if let Backend::Postgres(_) = backend {
            let ledger = Ledger::build(backend);
            let (five, six) = (ledger.entry(5), ledger.entry(6));
            ledger.tamper(|tx| {
                tx.execute(
                    "ALTER TABLE journal_entries DROP CONSTRAINT journal_entries_company_id_number_key",
                    &[],
                )?;
                tx.execute("UPDATE journal_entries SET number = 5 WHERE id = $1", params![six.id])?;
                Ok(())
            });
            let out = ledger.fails_with(&["number 5 follows 5: numbers must rise by one"]);
            assert!(
                out.contains(&format!("entry #5 ({}), chain link 6: number 5 follows 5", six.id))
                    || out.contains(&format!("entry #5 ({}), chain link 5: number 5 follows 5", five.id)),
                "{out}"
            );
        }
    }
}

/// The journal counter one ahead of the last entry, and the chain counter behind the last link;
/// then, undone, the chain counter one ahead of the last link.
#[test]
fn counters_out_of_step_with_the_ledger_are_named() {
    for backend in backends() {
        let ledger = Ledger::build(backend);
        let company = ledger.company;
        let shift = |journal: i64, chain: i64| {
            move |tx: &mut Tx| {
                for (name, by) in [("journal", journal), ("chain", chain)] {
                    let n = tx.execute(
                        "UPDATE counters SET value = value + $1 WHERE company_id = $2 AND name = $3",
                        params![by, company, name],
                    )?;
                    assert_eq!(n, 1);
                }
                Ok(())
            }
        };
        ledger.tamper(shift(1, -1));
        ledger.fails_with(&[
            "entry #82: missing: the journal counter is at 82, the last entry is #81",
            "the chain counter is at 81, behind the last link 82",
        ]);
        ledger.tamper(shift(-1, 2));
        let out = ledger.fails_with(&[
            "chain link 83: link 83 is missing: the chain counter is at 83, the chain ends at 82: it was truncated",
        ]);
        assert!(out.contains("1 problem(s)"), "{out}");
        ledger.tamper(shift(0, -1));
        ledger.passes();
    }
}

// ------------------------------------------------------------------ entries against their links

/// A second link naming an entry already in the chain: the entry does not say it is that link,
/// and it is in the chain twice.
#[test]
fn an_entry_in_the_chain_twice_is_named() {
    for backend in backends() {
        let ledger = Ledger::build(backend);
        let target = ledger.entry(5);
        let company = ledger.company;
        ledger.tamper(|tx| {
            tx.execute("INSERT INTO ledger_chain (company_id, seq, kind, object_id, hash, created_at) VALUES ($1, 83, 'post', $2, $3, 0)",
                params![company, target.id, Value::digest(&"ab".repeat(32))],
            )?;
            tx.execute("UPDATE counters SET value = 83 WHERE company_id = $1 AND name = 'chain'",
                params![company],
            )?;
            Ok(())
        });
        ledger.fails_with(&[
            &format!(
                "entry #5 ({}), chain link 83: the entry says it is chain link 5",
                target.id
            ),
            &format!(
                "entry {}, chain link 83: in the chain more than once (links 5 and 83)",
                target.id
            ),
        ]);
    }
}

/// An entry whose `chain_seq` points elsewhere is named at its own link, and not reported a
/// second time as missing from the chain: it is there, at another place.
#[test]
fn an_entry_pointing_at_the_wrong_link_is_named_once() {
    for backend in backends() {
        let ledger = Ledger::build(backend);
        let target = ledger.entry(7);
        ledger.tamper(|tx| {
            tx.execute(
                "UPDATE journal_entries SET chain_seq = 500 WHERE id = $1",
                params![target.id],
            )?;
            Ok(())
        });
        let out = ledger.fails_with(&[&format!(
            "entry #7 ({}), chain link 7: the entry says it is chain link 500",
            target.id
        )]);
        assert!(out.contains("1 problem(s)"), "{out}");
        assert!(!out.contains("not in the hash chain"), "{out}");
    }
}

/// Every entry's `chain_seq` moved: the first hundred are looked up in the chain one by one
/// (each found at its own link, so named there only); the rest are named without a lookup,
/// so a mass tamper costs a bounded number of queries.
#[test]
fn a_mass_move_of_chain_positions_is_named_without_a_lookup_per_entry() {
    let ledger = sqlite_ledger();
    ledger.with_ctx(|tx, ctx| {
        let inputs: Vec<_> = (0..100)
            .map(|i| input(day("2024-03-01"), 400 + i, &ledger.accounts))
            .collect();
        match oasys::store::bulk::post_many(tx, ctx, &inputs, &|_| {}) {
            Ok(_) => Ok(()),
            Err(oasys::store::bulk::BulkError::Store(e)) => Err(e),
            Err(oasys::store::bulk::BulkError::Entry(i, e)) => panic!("entry {i}: {e}"),
        }
    });
    let company = ledger.company;
    ledger.tamper(|tx| {
        let n = tx.execute(
            "UPDATE journal_entries SET chain_seq = chain_seq + 1000 WHERE company_id = $1",
            params![company],
        )?;
        assert_eq!(n, 181);
        Ok(())
    });
    let out = ledger.fails_with(&[
        "chain link 7: the entry says it is chain link 1007",
        "262 problem(s)",
        "… and 212 more",
    ]);
    assert!(!out.contains("not in the hash chain"), "{out}");
    // The binary shows the first 50 findings; the library returns them all.
    let report = oasys::store::verify::verify_tenant(&ledger.store(), &ledger.scope(), KEY.as_bytes()).unwrap();
    let messages: Vec<String> = report.companies[0].findings.iter().map(ToString::to_string).collect();
    let unlooked: Vec<&String> = messages
        .iter()
        .filter(|m| m.contains("but its chain link does not name it"))
        .collect();
    assert_eq!(unlooked.len(), 81, "{messages:#?}");
    assert!(unlooked[0].starts_with("entry #101 ("), "{messages:#?}");
    assert_eq!(
        messages
            .iter()
            .filter(|m| m.contains("the entry says it is chain link"))
            .count(),
        181
    );
}

/// A posted entry set back to cancelled: the chain still records its posting, its lines keep
/// their posting copies, its number is gone from the sequence, the audit trail names it.
#[test]
fn an_entry_no_longer_posted_is_named() {
    for backend in backends() {
        let ledger = Ledger::build(backend);
        let target = ledger.entry(30);
        ledger.tamper(|tx| {
            tx.execute(
                "UPDATE journal_entries SET status = 'cancelled' WHERE id = $1",
                params![target.id],
            )?;
            Ok(())
        });
        ledger.fails_with(&[
            &format!(
                "entry #30 ({}), chain link 30: the chain records its posting, but its status is cancelled",
                target.id
            ),
            &format!(
                "entry #30 ({}), chain link 30: 3 line(s) of this cancelled entry carry a posting date or number",
                target.id
            ),
            "entry #30: missing: the numbers jump from 29 to 31",
            &format!(
                "entry {}: the audit trail records its posting, but it is no longer a posted entry",
                target.id
            ),
        ]);
    }
}

/// A status the installation does not know makes the entry's row unreadable: named, with the
/// link that records it.
#[test]
fn an_unreadable_entry_row_is_named() {
    for backend in backends() {
        let ledger = Ledger::build(backend);
        let target = ledger.entry(25);
        ledger.tamper(|tx| {
            tx.execute(
                "UPDATE journal_entries SET status = 'bogus' WHERE id = $1",
                params![target.id],
            )?;
            Ok(())
        });
        ledger.fails_with(&[
            &format!(
                "entry #25 ({}), chain link 25: the entry's row cannot be read: ",
                target.id
            ),
            "unknown status \"bogus\"",
            &format!(
                "entry {}, chain link 25: the chain records its post, but the entry is gone",
                target.id
            ),
        ]);
    }
}

/// The reversal no longer says what it reverses (then, undone, the original no longer says it
/// was reversed): each side names the other.
#[test]
fn a_reversal_and_its_original_that_disagree_are_named() {
    for backend in backends() {
        let ledger = Ledger::build(backend);
        let (original, reversal) = (ledger.entry(45), ledger.at_seq(82));
        let set = |column: &'static str, of: Uuid, to: Option<Uuid>| {
            move |tx: &mut Tx| {
                let value = to.map_or(Value::Null, Value::from);
                let n = tx.execute(
                    &format!("UPDATE journal_entries SET {column} = $1 WHERE id = $2"),
                    params![value, of],
                )?;
                assert_eq!(n, 1);
                Ok(())
            }
        };
        ledger.tamper(set("reverses_id", reversal.id, None));
        ledger.fails_with(&[
            &format!(
                "entry #81 ({}), chain link 82: the link is a reverse, but the entry is a post",
                reversal.id
            ),
            &format!(
                "entry #45 ({}), chain link {}: marked as reversed by {}, which is missing, not posted, or does not reverse it",
                original.id, original.seq, reversal.id
            ),
        ]);
        ledger.tamper(set("reverses_id", reversal.id, Some(original.id)));
        ledger.passes();
        ledger.tamper(set("reversed_by_id", original.id, None));
        let out = ledger.fails_with(&[&format!(
            "entry #81 ({}), chain link 82: reverses entry {}, which is missing, not posted, or not marked as reversed by it",
            reversal.id, original.id
        )]);
        assert!(out.contains("1 problem(s)"), "{out}");
    }
}

/// An entry left with one line, a negative amount, a line with both a debit and a credit.
#[test]
fn malformed_lines_are_named() {
    for backend in backends() {
        let ledger = Ledger::build(backend);
        let (one, negative, both) = (ledger.entry(10), ledger.entry(11), ledger.entry(12));
        ledger.tamper(|tx| {
            tx.execute(
                "DELETE FROM journal_lines WHERE entry_id = $1 AND line_no > 1",
                params![one.id],
            )?;
            tx.execute(
                "UPDATE journal_lines SET debit = -5 WHERE entry_id = $1 AND line_no = 1",
                params![negative.id],
            )?;
            tx.execute(
                "UPDATE journal_lines SET credit = 2000 WHERE entry_id = $1 AND line_no = 2",
                params![both.id],
            )?;
            Ok(())
        });
        ledger.fails_with(&[
            &format!(
                "entry #10 ({}), chain link 10: has 1 line(s); an entry needs at least two",
                one.id
            ),
            &format!("entry #11 ({}), chain link 11: line 1: negative amount", negative.id),
            &format!(
                "entry #12 ({}), chain link 12: line 2: has both a debit and a credit, or neither",
                both.id
            ),
        ]);
    }
}

// ------------------------------------------------------------------ the links themselves

/// Links removed from the middle of the chain, one and two at a time, and the first link moved
/// before the start.
#[test]
fn missing_and_misplaced_links_are_named() {
    for backend in backends() {
        let ledger = Ledger::build(backend);
        let company = ledger.company;
        let removed = ledger.at_seq(70);
        ledger.tamper(|tx| {
            let n = tx.execute(
                "DELETE FROM ledger_chain WHERE company_id = $1 AND seq IN (70, 72, 73)",
                params![company],
            )?;
            assert_eq!(n, 3);
            tx.execute(
                "UPDATE ledger_chain SET seq = 0 WHERE company_id = $1 AND seq = 1",
                params![company],
            )?;
            Ok(())
        });
        ledger.fails_with(&[
            "chain link 0: out of sequence: link 1 was expected",
            "chain link 2: chain link 1 is missing",
            "chain link 71: chain link 70 is missing",
            "chain link 74: chain links 72..=73 are missing",
            &format!(
                "entry #{} ({}): posted (dated {}), but not in the hash chain",
                removed.number, removed.id, removed.date
            ),
        ]);
    }
}

/// A link whose kind is not one of the chain's: named, and nothing else is wrong.
#[test]
fn a_link_of_an_unknown_kind_is_named() {
    for backend in backends() {
        let ledger = Ledger::build(backend);
        let company = ledger.company;
        ledger.tamper(|tx| {
            tx.execute(
                "UPDATE ledger_chain SET kind = 'transfer' WHERE company_id = $1 AND seq = 20",
                params![company],
            )?;
            Ok(())
        });
        let out = ledger.fails_with(&["chain link 20: unknown kind \"transfer\""]);
        assert!(out.contains("1 problem(s)"), "{out}");
    }
}

/// On PostgreSQL a link's object is text, so it can be made to name no id at all (a SQLite
/// firm stores it as a 16-byte BLOB, always an id).
#[test]
fn postgres_a_link_naming_no_id_is_named() {
    let Some(url) = postgres_url() else { return };
    let ledger = Ledger::build(Backend::Postgres(url));
    let target = ledger.entry(20);
    let company = ledger.company;
    ledger.tamper(|tx| {
        tx.execute(
            "UPDATE ledger_chain SET object_id = 'not-an-id' WHERE company_id = $1 AND seq = 20",
            params![company],
        )?;
        Ok(())
    });
    ledger.fails_with(&[
        "chain link 20: names \"not-an-id\", which is not an id",
        &format!(
            "entry #20 ({}): posted (dated {}), but not in the hash chain",
            target.id, target.date
        ),
    ]);
}

// ------------------------------------------------------------------ checkpoints

#[test]
fn removed_checkpoints_are_named() {
    for backend in backends() {
        let ledger = Ledger::build(backend);
        let company = ledger.company;
        ledger.tamper(|tx| {
            let n = tx.execute("DELETE FROM chain_checkpoints WHERE company_id = $1", params![company])?;
            assert_eq!(n, 2);
            Ok(())
        });
        let out = ledger.fails_with(&[
            "chain link 41: no checkpoint was signed at this period close: it was removed",
            "chain link 64: no checkpoint was signed here (one is every 64 links): it was removed",
        ]);
        assert!(out.contains("2 problem(s)"), "{out}");
    }
}

/// A checkpoint without the id of the key that signed it (as written before key ids were
/// recorded) whose signature does not verify: rewritten, or signed by another key.
#[test]
fn a_checkpoint_without_a_key_id_that_does_not_verify_is_named() {
    for backend in backends() {
        let ledger = Ledger::build(backend);
        let company = ledger.company;
        let forged = chain::signature(KEY.as_bytes(), company, 41, chain::GENESIS);
        ledger.tamper(|tx| {
            let n = tx.execute(
                "UPDATE chain_checkpoints SET key_id = NULL, signature = $1 WHERE company_id = $2 AND seq = 41",
                params![&forged, company],
            )?;
            assert_eq!(n, 1);
            Ok(())
        });
        let out = ledger.fails_with(&[
            "chain link 41: the checkpoint's signature does not verify: links 1..=41 were rewritten, \
             or this is not the checkpoint key that signed it",
        ]);
        assert!(out.contains("1 problem(s)"), "{out}");
    }
}
