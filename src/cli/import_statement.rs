//! `oasys import statement FILE --account <bank account id or IBAN>`: a bank statement read,
//! checked and written like the API's upload (`--preview` writes nothing), in one transaction,
//! with a progress bar on a terminal.

use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use uuid::Uuid;

use super::admin;
use super::import::{operator_ctx, pick_company, pick_tenant};
use crate::auth::scope::TenantScope;
use crate::config::Config;
use crate::domain::banking::accounts::{BankAccount, normalize_iban};
use crate::domain::banking::statements::{self, BalanceCheck, SourceFile, StatementStore};
use crate::domain::books::Books;
use crate::domain::money;
use crate::formats::statement;
use crate::http::banking::profile::{self, Profile};
use crate::store::banking as store;

pub fn statement(
    config: &Config,
    file: &Path,
    account: &str,
    tenant: Option<&str>,
    company: Option<&str>,
    preview: bool,
) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let db = admin::open(config)?;
    let scope = TenantScope::operator(pick_tenant(&db, tenant)?);
    let company = pick_company(&db, &scope, company)?;
    let bar = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::with_draw_target(Some(3), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} {msg}") {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    } else {
        ProgressBar::hidden()
    };
    bar.set_message("reading the statement");
    let statement =
        profile::read(&bytes, &Profile::default()).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    bar.inc(1);
    let sha256 = {
        use sha2::{Digest, Sha256};
        format!("{:x}", Sha256::digest(&bytes))
    };
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
    let books = Books::of(&company);
    let outcome = db.tenant_write(&scope, |tx| -> anyhow::Result<String> {
        let found = match Uuid::parse_str(account) {
            Ok(id) => store::get(tx, company.id, id)?,
            Err(_) => store::by_iban(tx, company.id, &normalize_iban(account))?,
        };
        let Some(bank): Option<BankAccount> = found else {
            bail!("no bank account {account:?} in {} (give its id or IBAN)", company.name);
        };
        bar.set_message("finding the lines already imported");
        let prints = statement::fingerprints(&bank.id.to_string(), &statement.lines);
        let known = match statements::period(&statement) {
            Some((from, to)) => tx.known_fingerprints(bank.id, from, to)?,
            None => Default::default(),
        };
        let plan = statements::plan::<crate::store::StoreError>(&bank, &statement, &prints, &known)?;
        bar.inc(1);
        let d = bank.decimals();
        if let BalanceCheck::Differs { stated, computed } = plan.check {
            bail!(
                "the lines add up to {}, the statement's closing balance is {}: the file is incomplete or altered",
                money::format(computed, d),
                money::format(stated, d)
            );
        }
        let summary = format!(
            "{} lines: {} new, {} already imported; period {}",
            plan.lines.len(),
            plan.new,
            plan.duplicate,
            plan.period
                .map_or_else(|| "none".into(), |(a, b)| format!("{a} to {b}"))
        );
        if preview {
            return Ok(format!("preview (nothing written): {summary}"));
        }
        bar.set_message("writing");
        let ctx = operator_ctx(&books, &company, &[]);
        let source = SourceFile {
            name: &name,
            sha256: &sha256,
        };
        let import = statements::commit(tx, &ctx, &bank, &plan, source)?;
        Ok(format!("imported into {} (import {}): {summary}", bank.name, import.id))
    });
    bar.inc(1);
    bar.finish_and_clear();
    println!("{}", outcome?);
    Ok(())
}
