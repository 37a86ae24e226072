//! `oasys revalue --date … [--rate USD=1.05] [--preview]`: the period-end revaluation of a
//! company's foreign-currency balances, through the same domain operation as the API, in one
//! transaction; prints each account and currency revalued and the net gain or loss.

use std::collections::BTreeMap;

use anyhow::Context;

use super::admin;
use super::import::{operator_ctx, pick_company, pick_tenant};
use crate::auth::scope::TenantScope;
use crate::config::Config;
use crate::domain::books::Books;
use crate::domain::documents::DocumentError;
use crate::domain::exchange_rates::{format_rate, parse_rate};
use crate::domain::money;
use crate::domain::revaluation::{self, Plan};
use crate::store::StoreError;

/// What the domain refused, in the words of the API's 400.
fn refused(e: DocumentError<StoreError>) -> anyhow::Error {
    match e {
        DocumentError::Invalid(errors) => {
            let lines: Vec<String> = errors.0.into_values().flatten().collect();
            anyhow::anyhow!("{}", lines.join("\n"))
        }
        other => anyhow::anyhow!(other),
    }
}

fn table(plan: &Plan, books: &Books) -> String {
    let m = |v: i64| money::format(v, books.decimals);
    let mut out = String::new();
    for l in &plan.lines {
        let p = &l.position;
        out.push_str(&format!(
            "{} {} {}: {} at {} = {} against {} carried: {}\n",
            p.account_code,
            p.account_name,
            p.currency,
            money::format(p.foreign, money::decimals(&p.currency)),
            format_rate(l.rate),
            m(l.revalued),
            m(p.carried),
            m(l.difference)
        ));
    }
    out.push_str(&format!("unrealised gain (loss): {} {}", m(plan.total), books.currency));
    out
}

pub fn run(
    config: &Config,
    date: &str,
    rates: &[String],
    tenant: Option<&str>,
    company: Option<&str>,
    preview: bool,
) -> anyhow::Result<()> {
    let date: jiff::civil::Date = date
        .parse()
        .with_context(|| format!("--date {date:?} is not YYYY-MM-DD"))?;
    let mut given = BTreeMap::new();
    for r in rates {
        let (currency, rate) = r
            .split_once('=')
            .ok_or_else(|| anyhow::anyhow!("--rate {r:?} is not CURRENCY=RATE"))?;
        let rate = parse_rate(rate.trim()).map_err(|e| anyhow::anyhow!("--rate {r:?}: {e}"))?;
        given.insert(currency.trim().to_ascii_uppercase(), rate);
    }
    let db = admin::open(config)?;
    let key = crate::app::installation_checkpoint_key(config, &db).context("loading the checkpoint key")?;
    let scope = TenantScope::operator(pick_tenant(&db, tenant)?);
    let company = pick_company(&db, &scope, company)?;
    let books = Books::of(&company);
    let outcome = db.tenant_write(&scope, |tx| -> anyhow::Result<String> {
        let ctx = operator_ctx(&books, &company, &key);
        if preview {
            let plan = revaluation::plan(tx, &ctx, date, &given).map_err(refused)?;
            return Ok(format!(
                "preview (nothing written) as of {date}:\n{}",
                table(&plan, &books)
            ));
        }
        let (run, plan) = revaluation::run(tx, &ctx, date, &given).map_err(refused)?;
        Ok(format!(
            "revalued {} as of {date} (entry {}, reversed on the next day by {}):\n{}",
            company.name,
            run.journal_entry_id,
            run.reversal_entry_id,
            table(&plan, &books)
        ))
    });
    println!("{}", outcome?);
    Ok(())
}
