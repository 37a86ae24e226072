//! `oasys import journal FILE`: posts journal entries from a CSV or JSON file through the same
//! code path as the bulk API (`http::journal::entry_input`, then `store::bulk::post_many`), in
//! batches of one transaction each.
//!
//! The whole file is read and checked for form first (syntax, columns, dates, account codes):
//! an error there stops the import before anything is posted. Then each batch is posted all or
//! nothing; the first refused entry rolls its batch back, stops the import and is named with its
//! row (CSV) or index (JSON). The batches before it stay posted.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::Value;
use uuid::Uuid;

use super::admin;
use super::{ImportCommand, ImportFormat};
use crate::auth::scope::TenantScope;
use crate::config::{Config, ensure_private_dir};
use crate::domain::FieldErrors;
use crate::domain::ledger::Books;
use crate::domain::ledger::{Ctx, EntryInput, LedgerError};
use crate::domain::tenants::Company;
use crate::formats::journal_csv;
use crate::http::journal::{EntryBody, LineBody, entry_input};
use crate::params;
use crate::store::bulk::{self, BulkError};
use crate::store::{Store, companies, platform};

/// Where an entry came from, to name it in errors.
struct Source {
    /// `entry "E1" (row 2)` or `entries[3]`.
    label: String,
    /// CSV: the row of each line, in line order. JSON: empty.
    line_rows: Vec<usize>,
}

/// One entry ready to post.
struct Prepared {
    input: EntryInput,
    source: Source,
}

pub fn run(config: &Config, command: ImportCommand) -> anyhow::Result<()> {
    match command {
        ImportCommand::Journal {
            file,
            tenant,
            company,
            format,
            batch,
        } => journal(config, &file, tenant.as_deref(), company.as_deref(), format, batch),
        ImportCommand::Statement {
            file,
            account,
            tenant,
            company,
            preview,
        } => {
            super::import_statement::statement(config, &file, &account, tenant.as_deref(), company.as_deref(), preview)
        }
        ImportCommand::Rates {
            file,
            format,
            tenant,
            company,
            preview,
        } => super::import_rates::rates(
            config,
            &file,
            format.as_deref(),
            tenant.as_deref(),
            company.as_deref(),
            preview,
        ),
        ImportCommand::Budget {
            file,
            budget,
            tenant,
            company,
            preview,
        } => super::import_budget::budget(config, &file, &budget, tenant.as_deref(), company.as_deref(), preview),
    }
}

fn journal(
    config: &Config,
    file: &Path,
    tenant: Option<&str>,
    company: Option<&str>,
    format: Option<ImportFormat>,
    batch: usize,
) -> anyhow::Result<()> {
    if batch == 0 {
        bail!("--batch must be at least 1");
    }
    let format = match format {
        Some(f) => f,
        None => match file.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase) {
            Some(e) if e == "csv" => ImportFormat::Csv,
            Some(e) if e == "json" => ImportFormat::Json,
            _ => bail!(
                "cannot tell the format of {} from its name: give --format csv or --format json",
                file.display()
            ),
        },
    };
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let store = admin::open(config)?;
    if config.checkpoint_key.is_none() {
        // The key lives in the data dir, which on PostgreSQL nothing else may have made yet.
        let dir = config.data_dir();
        ensure_private_dir(&dir).with_context(|| format!("data directory {}", dir.display()))?;
    }
    let key = crate::app::installation_checkpoint_key(config, &store).context("loading the checkpoint key")?;
    let scope = TenantScope::operator(pick_tenant(&store, tenant)?);
    let company = pick_company(&store, &scope, company)?;
    let codes = account_codes(&store, &scope, company.id)?;

    let bodies = match format {
        ImportFormat::Csv => from_csv(&text)?,
        ImportFormat::Json => from_json(&text)?,
    };
    let entries = prepare(bodies, &codes)?;
    if entries.is_empty() {
        bail!("{} holds no entries", file.display());
    }
    post(&store, &scope, &company, &key, &entries, batch)
}

/// The context of work done from the command line in `company`'s books: the machine's operator
/// (no signed-in user), on the company's today.
pub(super) fn operator_ctx<'a>(books: &'a Books, company: &'a Company, checkpoint_key: &'a [u8]) -> Ctx<'a> {
    Ctx {
        books,
        company,
        actor: Uuid::nil(),
        checkpoint_key,
        today: company.today(jiff::Timestamp::now()),
        now: crate::domain::books::now(),
    }
}

/// The firm named by `--tenant`, else the only one.
pub(super) fn pick_tenant(store: &Store, tenant: Option<&str>) -> anyhow::Result<Uuid> {
    if let Some(raw) = tenant {
        return admin::tenant_id(store, raw);
    }
    match store.platform_read(platform::tenant_ids)?.as_slice() {
        [only] => Ok(*only),
        [] => bail!("there is no firm yet: create one with `oasys tenant create`"),
        many => bail!(
            "there are {} firms: choose one with --tenant (see `oasys tenant list`)",
            many.len()
        ),
    }
}

/// The company named by `--company`, else the firm's first (the one created with it).
pub(super) fn pick_company(store: &Store, scope: &TenantScope, company: Option<&str>) -> anyhow::Result<Company> {
    let all = store.tenant_read(scope, companies::all)?;
    match company {
        Some(raw) => {
            let id = Uuid::parse_str(raw.trim())
                .with_context(|| format!("{raw:?} is not a company id (see `oasys company list`)"))?;
            all.into_iter()
                .find(|c| c.id == id)
                .with_context(|| format!("no company with id {id} in this firm"))
        }
        None => all
            .into_iter()
            .min_by_key(|c| (c.created_at, c.id))
            .context("the firm has no company"),
    }
}

/// Account code → id, for the company's chart.
fn account_codes(store: &Store, scope: &TenantScope, company: Uuid) -> anyhow::Result<HashMap<String, Uuid>> {
    let rows = store.tenant_read(scope, |tx| {
        tx.query("SELECT code, id FROM accounts WHERE company_id = $1", params![company])
    })?;
    let mut codes = HashMap::with_capacity(rows.len());
    for r in &rows {
        codes.insert(r.text(0)?, r.uuid(1)?);
    }
    Ok(codes)
}

// ------------------------------------------------------------------------------------------
// Reading the file

/// JSON: an array of entries, or `{"entries": [...]}`, each shaped as in the bulk API.
fn from_json(text: &str) -> anyhow::Result<Vec<(EntryBody, Source)>> {
    let value: Value = serde_json::from_str(text).context("the file is not valid JSON")?;
    let list = match value {
        Value::Array(list) => list,
        Value::Object(mut map) => match map.remove("entries") {
            Some(Value::Array(list)) => list,
            _ => bail!("a JSON object must hold an \"entries\" array"),
        },
        _ => bail!("the JSON must be an array of entries or an object with an \"entries\" array"),
    };
    list.into_iter()
        .enumerate()
        .map(|(i, mut v)| {
            // An account code written as a number (`"account": 1010`) is still a code.
            if let Some(lines) = v.get_mut("lines").and_then(Value::as_array_mut) {
                for line in lines {
                    if let Some(account) = line.get_mut("account")
                        && account.is_number()
                    {
                        *account = Value::String(account.to_string());
                    }
                }
            }
            let label = format!("entries[{i}]");
            let body: EntryBody = serde_json::from_value(v).with_context(|| format!("{label}: not an entry"))?;
            Ok((
                body,
                Source {
                    label,
                    line_rows: Vec::new(),
                },
            ))
        })
        .collect()
}

/// CSV: `formats::journal_csv` reads the rows and groups them into entries; each becomes the
/// bulk API's body, its cells as they were written.
fn from_csv(text: &str) -> anyhow::Result<Vec<(EntryBody, Source)>> {
    let entries = journal_csv::read(text)?;
    Ok(entries
        .into_iter()
        .map(|entry| {
            let source = Source {
                label: format!("entry {:?} (row {})", entry.key, entry.row),
                line_rows: entry.lines.iter().map(|line| line.row).collect(),
            };
            let lines = entry
                .lines
                .into_iter()
                .map(|line| LineBody {
                    account: line.account,
                    description: line.description,
                    debit_amount: line.debit.map(Value::String),
                    credit_amount: line.credit.map(Value::String),
                    currency: line.currency,
                    exchange_rate: line.exchange_rate.map(Value::String),
                })
                .collect::<Vec<LineBody>>();
            let body = EntryBody {
                date: entry.date,
                reference: entry.reference,
                description: entry.description,
                lines: Some(lines.into()),
            };
            (body, source)
        })
        .collect())
}

/// Resolves account codes and turns each body into the domain's input, as the bulk API does.
/// Every error of the file is reported at once; nothing is posted if there is one.
fn prepare(bodies: Vec<(EntryBody, Source)>, codes: &HashMap<String, Uuid>) -> anyhow::Result<Vec<Prepared>> {
    let mut problems = Vec::new();
    let mut out = Vec::with_capacity(bodies.len());
    for (mut body, source) in bodies {
        let mut errors = FieldErrors::default();
        for (j, line) in body.lines.iter_mut().flatten().enumerate() {
            let Some(account) = line.account.as_deref().map(str::trim) else {
                errors.add(&format!("lines[{j}].account"), "This field is required.");
                continue;
            };
            if Uuid::parse_str(account).is_ok() {
                continue;
            }
            match codes.get(account) {
                Some(id) => line.account = Some(id.to_string()),
                None => {
                    errors.add(
                        &format!("lines[{j}].account"),
                        format!("No account with code {account:?} in this company's chart."),
                    );
                    line.account = None;
                }
            }
        }
        let input = entry_input(&body, "", &mut errors);
        if errors.is_empty() {
            out.push(Prepared { input, source });
        } else {
            problems.push(describe(&source, &errors));
        }
    }
    if !problems.is_empty() {
        const SHOWN: usize = 20;
        let more = problems.len().saturating_sub(SHOWN);
        let mut message = format!("nothing was imported: {} malformed:", n_entries(problems.len()));
        for p in problems.iter().take(SHOWN) {
            message.push_str(&format!("\n  {p}"));
        }
        if more > 0 {
            message.push_str(&format!("\n  … and {more} more"));
        }
        bail!(message);
    }
    Ok(out)
}

/// `entry "E1" (row 2): row 3: lines[1].debit_amount: A valid number is required.`
fn describe(source: &Source, errors: &FieldErrors) -> String {
    let parts: Vec<String> = errors
        .0
        .iter()
        .map(|(field, messages)| {
            let row = field
                .strip_prefix("lines[")
                .and_then(|rest| rest.split_once(']'))
                .and_then(|(j, _)| j.parse::<usize>().ok())
                .and_then(|j| source.line_rows.get(j));
            match row {
                Some(row) => format!("row {row}: {field}: {}", messages.join(" ")),
                None => format!("{field}: {}", messages.join(" ")),
            }
        })
        .collect();
    format!("{}: {}", source.label, parts.join("; "))
}

// ------------------------------------------------------------------------------------------
// Posting

fn post(
    store: &Store,
    scope: &TenantScope,
    company: &Company,
    key: &[u8],
    entries: &[Prepared],
    batch: usize,
) -> anyhow::Result<()> {
    let books = Books::of(company);
    let ctx = operator_ctx(&books, company, key);
    let total = entries.len();
    let batches = total.div_ceil(batch);
    let tty = std::io::stderr().is_terminal();
    let bar = if tty {
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} entries (eta {eta})",
        ) {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    } else {
        ProgressBar::hidden()
    };
    eprintln!(
        "importing {} into {} ({}) in batches of up to {batch}",
        n_entries(total),
        company.name,
        company.id
    );
    let started = Instant::now();
    let (mut posted, mut lines) = (0usize, 0usize);
    for (b, chunk) in entries.chunks(batch).enumerate() {
        let first = b * batch;
        let inputs: Vec<EntryInput> = chunk.iter().map(|e| e.input.clone()).collect();
        let outcome = store.tenant_write(scope, |tx| -> Result<usize, BulkError> {
            // The bulk API's path: checked and hashed on one thread, written on this one.
            let posted =
                bulk::post_many(tx, &ctx, &inputs, &|n| bar.set_position((first + n) as u64)).map_err(|e| match e {
                    BulkError::Entry(k, e) => BulkError::Entry(first + k, e),
                    e @ BulkError::Store(_) => e,
                })?;
            Ok(posted.iter().map(|p| p.lines).sum())
        });
        match outcome {
            Ok(n) => {
                posted += chunk.len();
                lines += n;
                bar.set_position(posted as u64);
                if !tty {
                    eprintln!("batch {}/{batches}: {posted}/{total} entries posted", b + 1);
                }
            }
            Err(e) => {
                bar.set_position(posted as u64);
                bar.abandon();
                let why = match e {
                    BulkError::Store(e) => format!("database error: {e}"),
                    BulkError::Entry(i, LedgerError::Invalid(errors)) => match entries.get(i) {
                        Some(entry) => describe(&entry.source, &errors),
                        None => errors.to_string(),
                    },
                    BulkError::Entry(i, e) => match entries.get(i) {
                        Some(entry) => format!("{}: {e}", entry.source.label),
                        None => e.to_string(),
                    },
                };
                bail!(
                    "batch {} of {batches} (entries {}–{}) failed and was rolled back: {why}\n\
                     {} ({lines} lines) in the batches before it were posted; \
                     fix the file and import the entries from number {} on",
                    b + 1,
                    first + 1,
                    first + chunk.len(),
                    n_entries(posted),
                    first + 1
                );
            }
        }
    }
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    let rate = if secs > 0.0 { lines as f64 / secs } else { 0.0 };
    println!(
        "posted {} ({lines} lines) in {secs:.2} s, {rate:.0} lines/s",
        n_entries(posted)
    );
    Ok(())
}

fn n_entries(n: usize) -> String {
    if n == 1 {
        "1 entry".into()
    } else {
        format!("{n} entries")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_group_into_entries() {
        let text = "entry,date,reference,description,account,line_description,debit,credit\n\
                    E1,2024-01-05,R1,Rent,6100,,100.00,\n\
                    E2,2024-01-06,,,1010,,5,\n\
                    E1,,,,1020,bank,,100.00\n\
                    E2,2024-01-06,,,4100,,,5\n";
        let entries = from_csv(text).unwrap();
        assert_eq!(entries.len(), 2);
        let (e1, s1) = &entries[0];
        assert_eq!(e1.date.as_deref(), Some("2024-01-05"));
        assert_eq!(e1.reference.as_deref(), Some("R1"));
        assert_eq!(s1.line_rows, vec![2, 4]);
        assert_eq!(e1.lines.as_ref().unwrap()[1].description.as_deref(), Some("bank"));
        let bad = "entry,date,account,debit,credit\nE1,2024-01-05,1010,1,\nE1,2024-01-06,4100,,1\n";
        let Err(e) = from_csv(bad) else {
            panic!("two dates for one entry were accepted")
        };
        assert!(e.to_string().contains("row 3"), "{e}");
        assert!(from_csv("entry,date,acount,debit,credit\n").is_err());
    }
}
