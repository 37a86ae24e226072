//! `oasys import budget FILE --budget ID --company …`: a budget's lines from a CSV or
//! tab-separated file (`formats::budget_csv`), checked and written as the API's paste does
//! (`--preview` writes nothing), in one transaction: any bad line refuses the whole file.

use std::path::Path;

use uuid::Uuid;

use super::admin;
use super::import::{operator_ctx, pick_company, pick_tenant};
use crate::auth::scope::TenantScope;
use crate::config::Config;
use crate::domain::Kept;
use crate::domain::books::Books;
use crate::domain::budgets::{self, Budget, BudgetError};
use crate::formats::budget_csv;
use crate::http::budgets::pasted;
use crate::store::StoreError;

/// What the domain refused, in the words of the API's 400 (every problem on its own line).
fn refused(e: BudgetError<StoreError>) -> anyhow::Error {
    match e {
        BudgetError::Invalid(errors) => {
            let lines: Vec<String> = errors.0.into_values().flatten().collect();
            anyhow::anyhow!("{}", lines.join("\n"))
        }
        BudgetError::NotFound => anyhow::anyhow!("the company has no such budget"),
        other => anyhow::anyhow!(other),
    }
}

pub fn budget(
    config: &Config,
    file: &Path,
    budget: &str,
    tenant: Option<&str>,
    company: Option<&str>,
    preview: bool,
) -> anyhow::Result<()> {
    let id = Uuid::parse_str(budget.trim()).map_err(|_| anyhow::anyhow!("--budget: {budget:?} is not a budget id"))?;
    let bytes = std::fs::read(file).map_err(|e| anyhow::anyhow!("reading {}: {e}", file.display()))?;
    let parsed = budget_csv::read(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let db = admin::open(config)?;
    let scope = TenantScope::operator(pick_tenant(&db, tenant)?);
    let company = pick_company(&db, &scope, company)?;
    let books = Books::of(&company);
    let outcome = db.tenant_write(&scope, |tx| -> anyhow::Result<String> {
        let ctx = operator_ctx(&books, &company, &[]);
        let target = Budget::find(tx, &ctx, id).map_err(refused)?;
        let plan = budgets::paste(tx, &ctx, &target, pasted(parsed), !preview).map_err(refused)?;
        if preview {
            let mut out = format!("preview (nothing written): {} lines", plan.lines.len());
            for p in &plan.problems {
                out.push_str(&format!("\n{p}"));
            }
            return Ok(out);
        }
        Ok(format!(
            "imported into {} {} of {}: {} accounts",
            target.name,
            target.fiscal_year,
            company.name,
            plan.lines.len()
        ))
    });
    println!("{}", outcome?);
    Ok(())
}
