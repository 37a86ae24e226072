//! Accounts grouped by the account tree: each account's own amounts, its sub-accounts indented
//! beneath it and a subtotal after them; accounts whose whole subtree is zero in every column
//! are left out.

use std::collections::HashMap;

use uuid::Uuid;

use super::{Balances, ChartAccount, Row, RowKind};
use crate::domain::reports::{Overflow, add};

/// How deep the tree is followed (a damaged chart with a cycle cannot loop).
const MAX_DEPTH: usize = 64;

/// `sign × balance`, checked.
pub(super) fn signed(sign: i64, balance: i64) -> Result<i64, Overflow> {
    sign.checked_mul(balance).ok_or(Overflow("account balances"))
}

/// Column-wise `a + b`, checked.
pub(super) fn plus(a: &[i64], b: &[i64], what: &'static str) -> Result<Vec<i64>, Overflow> {
    a.iter().zip(b).map(|(x, y)| add(*x, *y, what)).collect()
}

/// A computed line (`kind` Account or Total) with no account.
pub(super) fn line(kind: RowKind, key: &'static str, name: &str, depth: usize, amounts: Vec<i64>) -> Row {
    Row {
        kind,
        key,
        account: None,
        code: String::new(),
        name: name.to_owned(),
        depth,
        amounts,
    }
}

/// A section heading.
pub(super) fn section(key: &'static str, name: &str) -> Row {
    line(RowKind::Section, key, name, 0, Vec::new())
}

/// The rows of the accounts `keep` selects, grouped by the tree, starting at `depth`, each
/// amount `sign ×` the account's balance in each column. Appends to `out`; returns the column
/// totals.
pub(super) fn grouped(
    chart: &[ChartAccount],
    keep: impl Fn(&ChartAccount) -> bool,
    columns: &[&Balances],
    sign: i64,
    depth: usize,
    out: &mut Vec<Row>,
) -> Result<Vec<i64>, Overflow> {
    let mut chosen: Vec<&ChartAccount> = chart.iter().filter(|a| keep(a)).collect();
    chosen.sort_by(|a, b| a.code.cmp(&b.code).then(a.id.cmp(&b.id)));
    let ids: std::collections::HashSet<Uuid> = chosen.iter().map(|a| a.id).collect();
    // An account whose parent is not shown here starts a tree of its own.
    let mut children: HashMap<Option<Uuid>, Vec<&ChartAccount>> = HashMap::new();
    for a in &chosen {
        let parent = a.parent_id.filter(|p| ids.contains(p) && *p != a.id);
        children.entry(parent).or_default().push(a);
    }
    let tree = Tree {
        children: &children,
        columns,
        sign,
    };
    let mut total = vec![0; columns.len()];
    for root in children.get(&None).map(Vec::as_slice).unwrap_or_default() {
        if let Some(sub) = tree.emit(root, depth, 0, out)? {
            total = plus(&total, &sub, "account balances")?;
        }
    }
    Ok(total)
}

struct Tree<'a> {
    children: &'a HashMap<Option<Uuid>, Vec<&'a ChartAccount>>,
    columns: &'a [&'a Balances],
    sign: i64,
}

impl Tree<'_> {
    /// The account's rows (if its subtree has anything) appended to `out`; its subtree's totals.
    fn emit(
        &self,
        a: &ChartAccount,
        depth: usize,
        level: usize,
        out: &mut Vec<Row>,
    ) -> Result<Option<Vec<i64>>, Overflow> {
        let own = self
            .columns
            .iter()
            .map(|b| signed(self.sign, b.get(&a.id).copied().unwrap_or(0)))
            .collect::<Result<Vec<i64>, Overflow>>()?;
        let mut below = Vec::new();
        let mut total = own.clone();
        if level < MAX_DEPTH {
            for child in self.children.get(&Some(a.id)).map(Vec::as_slice).unwrap_or_default() {
                if let Some(sub) = self.emit(child, depth + 1, level + 1, &mut below)? {
                    total = plus(&total, &sub, "account balances")?;
                }
            }
        }
        let row = |kind, name: String, amounts| Row {
            kind,
            key: "",
            account: Some(a.id),
            code: a.code.clone(),
            name,
            depth,
            amounts,
        };
        if below.is_empty() {
            if own.iter().all(|v| *v == 0) {
                return Ok(None);
            }
            out.push(row(RowKind::Account, a.name.clone(), own));
        } else {
            out.push(row(RowKind::Account, a.name.clone(), own));
            out.append(&mut below);
            out.push(row(RowKind::Subtotal, format!("Total {}", a.name), total.clone()));
        }
        Ok(Some(total))
    }
}
