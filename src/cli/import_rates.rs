//! `oasys import rates FILE --company …`: exchange rates from the ECB's euro reference rates or a
//! `date,currency,rate` CSV, read, checked and written like the API's import (`--preview` writes
//! nothing), in one transaction. Importing a file again adds nothing.

use std::path::Path;

use super::admin;
use super::import::{operator_ctx, pick_company, pick_tenant};
use crate::auth::scope::TenantScope;
use crate::config::Config;
use crate::domain::books::Books;
use crate::domain::exchange_rates::ExchangeRateError;
use crate::domain::exchange_rates::import;
use crate::formats::exchange_rates::{self as files, RatesFormat};
use crate::store::StoreError;

/// What the domain refused, in the words of the API's 400 (every problem on its own line).
fn refused(e: ExchangeRateError<StoreError>) -> anyhow::Error {
    match e {
        ExchangeRateError::Invalid(errors) => {
            let lines: Vec<String> = errors.0.into_values().flatten().collect();
            anyhow::anyhow!("{}", lines.join("\n"))
        }
        other => anyhow::anyhow!(other),
    }
}

pub fn rates(
    config: &Config,
    file: &Path,
    format: Option<&str>,
    tenant: Option<&str>,
    company: Option<&str>,
    preview: bool,
) -> anyhow::Result<()> {
    let format = match format {
        None => None,
        Some(f) => Some(RatesFormat::parse(f).ok_or_else(|| anyhow::anyhow!("--format is ecb or csv, not {f:?}"))?),
    };
    let bytes = std::fs::read(file).map_err(|e| anyhow::anyhow!("reading {}: {e}", file.display()))?;
    let (format, quotes) = files::read(&bytes, format).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let db = admin::open(config)?;
    let scope = TenantScope::operator(pick_tenant(&db, tenant)?);
    let company = pick_company(&db, &scope, company)?;
    let books = Books::of(&company);
    let outcome = db.tenant_write(&scope, |tx| -> anyhow::Result<String> {
        let ctx = operator_ctx(&books, &company, &[]);
        let plan = import::plan(tx, &ctx, &quotes).map_err(refused)?;
        let summary = format!(
            "{} rates ({}): {} new, {} changed, {} unchanged{}",
            plan.rates.len(),
            format.as_str(),
            plan.new,
            plan.changed,
            plan.unchanged,
            match plan.skipped_dates.len() {
                0 => String::new(),
                n => format!("; {n} dates without a {} quotation skipped", books.currency),
            }
        );
        if preview {
            return Ok(format!("preview (nothing written): {summary}"));
        }
        import::commit(tx, &ctx, &plan, quotes.source).map_err(refused)?;
        Ok(format!("imported into {}: {summary}", company.name))
    });
    println!("{}", outcome?);
    Ok(())
}
