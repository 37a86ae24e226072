//! `/api/banking/accounts/{id}/imports/`: a statement file uploaded as `multipart/form-data`,
//! previewed (`preview=true`: the parsed lines, period, balances and balance check, nothing
//! written) or committed in one transaction. Re-importing adds nothing: lines whose fingerprint
//! the account has are counted as duplicates. With `background=true` the commit runs as a job
//! (`jobs.rs`): 202 with the job at once, its progress polled. The permission is checked and the account looked up
//! before a byte of the body is read; the body is limited on the route.

use std::sync::Arc;

use axum::Json;
use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use super::account;
use super::jobs::{Job, Stage};
use super::profile::{self, Profile};
use crate::domain::banking::accounts::BankAccount;
use crate::domain::banking::statements::{self, BalanceCheck, Preview, SourceFile, StatementImport, StatementStore};
use crate::domain::money;
use crate::formats::FormatError;
use crate::formats::statement::{self, Statement, StatementFormat};
use crate::http::company::{Id, InCompany, perm};
use crate::http::conventions::ListQuery;
use crate::http::error::{ApiError, Reply};
use crate::store::Tx;
use crate::store::banking as store;

/// The largest statement file the API takes (the route's body limit).
pub const MAX_STATEMENT_BYTES: usize = 32 * 1024 * 1024;
/// A preview shows at most this many lines (the counts cover them all).
const PREVIEW_LINES: usize = 1000;

/// The form fields of an upload (for the OpenAPI document; read field by field).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct StatementUpload {
    /// The statement file: its format is detected from its content.
    #[schema(format = Binary)]
    file: String,
    /// `true`: parse and show, write nothing. `false` (the default): commit.
    preview: Option<bool>,
    /// Commit as a background job: answered 202 with the job at once, its progress and outcome
    /// at `GET /api/banking/import-jobs/{id}/`. Not with `preview`.
    background: Option<bool>,
    /// CSV only: `,` (the default), `;` or `tab`.
    delimiter: Option<String>,
    /// CSV only: `.` (the default) or `,`.
    decimal_separator: Option<String>,
    /// CSV only: a `strftime` pattern such as `%d.%m.%Y`; ISO dates by default.
    date_format: Option<String>,
    /// CSV only: lines before the header.
    skip_rows: Option<i64>,
    /// CSV only: `utf-8`, `windows-1252` or `iso-8859-1`.
    encoding: Option<String>,
    /// CSV only, the column mapper's choices: columns by position from 0.
    date_column: Option<i64>,
    amount_column: Option<i64>,
    debit_column: Option<i64>,
    credit_column: Option<i64>,
    /// Comma-separated column positions, joined by a space.
    text_columns: Option<String>,
    counterparty_column: Option<i64>,
    counterparty_account_column: Option<i64>,
    reference_column: Option<i64>,
    balance_column: Option<i64>,
    /// CSV only: the bank writes money out as positive.
    invert_amount: Option<bool>,
}

pub(super) struct Upload {
    file: Vec<u8>,
    file_name: String,
    preview: bool,
    background: bool,
    profile: Profile,
}

fn boolean(value: &str) -> Option<bool> {
    match value.trim() {
        "true" | "1" => Some(true),
        "false" | "0" | "" => Some(false),
        _ => None,
    }
}

fn multipart_refused(e: MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::field(
            "file",
            format!("The file is larger than {} MiB.", MAX_STATEMENT_BYTES >> 20),
        )
    } else {
        ApiError::field("file", format!("The upload could not be read: {}", e.body_text()))
    }
}

async fn text(field: axum::extract::multipart::Field<'_>) -> Result<String, ApiError> {
    field.text().await.map_err(multipart_refused)
}

async fn read_upload(mut form: Multipart) -> Result<Upload, ApiError> {
    let mut file = None;
    let mut file_name = String::new();
    let mut preview = false;
    let mut background = false;
    let mut profile = Profile::default();
    let mut errors = crate::domain::FieldErrors::default();
    while let Some(field) = form.next_field().await.map_err(multipart_refused)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" => {
                file_name = field.file_name().unwrap_or_default().chars().take(255).collect();
                file = Some(field.bytes().await.map_err(multipart_refused)?.to_vec());
            }
            "preview" => match boolean(&text(field).await?) {
                Some(b) => preview = b,
                None => errors.add("preview", "Must be a valid boolean."),
            },
            "background" => match boolean(&text(field).await?) {
                Some(b) => background = b,
                None => errors.add("background", "Must be a valid boolean."),
            },
            "delimiter" => match text(field).await?.as_str() {
                "," | "" => profile.delimiter = Some(b','),
                ";" => profile.delimiter = Some(b';'),
                "tab" | "\t" => profile.delimiter = Some(b'\t'),
                _ => errors.add("delimiter", "Choose \",\", \";\" or \"tab\"."),
            },
            "decimal_separator" => match text(field).await?.as_str() {
                "" => profile.decimal_comma = None,
                "." => profile.decimal_comma = Some(false),
                "," => profile.decimal_comma = Some(true),
                _ => errors.add("decimal_separator", "Choose \".\" or \",\"."),
            },
            "date_format" => {
                let f = text(field).await?;
                profile.date_format = Some(f).filter(|f| !f.trim().is_empty());
            }
            _ => {
                let value = text(field).await?;
                if !profile::set_field(&mut profile, &name, &value, &mut errors) {
                    errors.add(
                        &name,
                        "Unknown field: send file, preview, background, delimiter, decimal_separator, date_format, skip_rows, \
                         encoding, date_column, amount_column, debit_column, credit_column, text_columns, \
                         counterparty_column, counterparty_account_column, reference_column, balance_column, \
                         invert_amount.",
                    );
                }
            }
        }
    }
    let Some(file) = file else {
        errors.add("file", "No file was submitted.");
        return Err(ApiError::Validation(errors));
    };
    if preview && background {
        errors.add(
            "background",
            "A preview writes nothing and answers at once: send background with a commit only.",
        );
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    Ok(Upload {
        file,
        file_name,
        preview,
        background,
        profile,
    })
}

/// A file that is not a statement: a 400 naming its line and field.
fn file_refused(e: FormatError) -> ApiError {
    ApiError::field("file", e.to_string())
}

/// Parses the file and finds which of its lines the account already has.
fn prepare(tx: &mut Tx, account: &BankAccount, upload: &Upload) -> Result<Preview, ApiError> {
    let statement = profile::read(&upload.file, &upload.profile).map_err(file_refused)?;
    plan(tx, account, &statement)
}

/// Finds which lines of a parsed statement the account already has.
fn plan(tx: &mut Tx, account: &BankAccount, statement: &Statement) -> Result<Preview, ApiError> {
    let prints = statement::fingerprints(&account.id.to_string(), &statement.lines);
    let known = match statements::period(statement) {
        Some((from, to)) => tx.known_fingerprints(account.id, from, to)?,
        None => Default::default(),
    };
    Ok(statements::plan(account, statement, &prints, &known)?)
}

#[derive(Serialize, ToSchema)]
pub struct StatedBalanceDto {
    #[schema(format = Date)]
    pub date: String,
    pub amount: String,
}

#[derive(Serialize, ToSchema)]
pub struct PreviewLineDto {
    /// The line (or record) of the file.
    pub row: usize,
    #[schema(format = Date)]
    pub date: String,
    #[schema(required = true, format = Date)]
    pub value_date: Option<String>,
    pub amount: String,
    pub text: String,
    pub counterparty: String,
    pub counterparty_account: String,
    pub reference: String,
    #[schema(required = true)]
    pub bank_id: Option<String>,
    /// The account has this line already: importing adds nothing for it.
    pub duplicate: bool,
}

#[derive(Serialize, ToSchema)]
#[schema(as = StatementPreview)]
pub struct PreviewDto {
    /// `csv`, `ofx`, `qif`, `camt053`, `camt052` or `mt940`.
    pub format: &'static str,
    pub file_name: String,
    pub sha256: String,
    #[schema(required = true, format = Date)]
    pub period_from: Option<String>,
    #[schema(required = true, format = Date)]
    pub period_to: Option<String>,
    #[schema(required = true)]
    pub opening_balance: Option<StatedBalanceDto>,
    #[schema(required = true)]
    pub closing_balance: Option<StatedBalanceDto>,
    /// `agrees` (opening + lines = closing), `differs`, or `not_stated`.
    pub balance_check: &'static str,
    /// Opening + lines, when the file states an opening balance.
    #[schema(required = true)]
    pub computed_closing_balance: Option<String>,
    pub lines_total: usize,
    pub lines_new: usize,
    pub lines_duplicate: usize,
    /// The first 1,000 lines.
    pub lines: Vec<PreviewLineDto>,
    /// The layout a CSV file was read with (the guess and the upload's corrections); `null` for
    /// other formats.
    #[schema(required = true)]
    pub csv: Option<profile::CsvLayoutDto>,
}

fn check_name(c: BalanceCheck) -> &'static str {
    match c {
        BalanceCheck::Agrees => "agrees",
        BalanceCheck::Differs { .. } => "differs",
        BalanceCheck::NotStated => "not_stated",
    }
}

fn preview_dto(p: &Preview, upload: &Upload, sha256: String, decimals: u32) -> PreviewDto {
    let fmt = |m: i64| money::format(m, decimals);
    let balance = |b: Option<statements::StatedBalance>| {
        b.map(|b| StatedBalanceDto {
            date: b.date.to_string(),
            amount: fmt(b.amount),
        })
    };
    let computed = match p.check {
        BalanceCheck::Agrees => p.closing.map(|c| fmt(c.amount)),
        BalanceCheck::Differs { computed, .. } => Some(fmt(computed)),
        BalanceCheck::NotStated => None,
    };
    PreviewDto {
        format: p.format.as_str(),
        file_name: upload.file_name.clone(),
        sha256,
        period_from: p.period.map(|x| x.0.to_string()),
        period_to: p.period.map(|x| x.1.to_string()),
        opening_balance: balance(p.opening),
        closing_balance: balance(p.closing),
        balance_check: check_name(p.check),
        computed_closing_balance: computed,
        lines_total: p.lines.len(),
        lines_new: p.new,
        lines_duplicate: p.duplicate,
        csv: (p.format == StatementFormat::Csv).then(|| profile::layout(&upload.file, &upload.profile)),
        lines: p
            .lines
            .iter()
            .take(PREVIEW_LINES)
            .map(|l| PreviewLineDto {
                row: l.row,
                date: l.date.to_string(),
                value_date: l.value_date.map(|d| d.to_string()),
                amount: fmt(l.amount),
                text: l.text.clone(),
                counterparty: l.counterparty.clone(),
                counterparty_account: l.counterparty_account.clone(),
                reference: l.reference.clone(),
                bank_id: l.bank_id.clone(),
                duplicate: l.duplicate,
            })
            .collect(),
    }
}

#[derive(Clone, Serialize, ToSchema)]
#[schema(as = StatementImport)]
pub struct ImportDto {
    pub id: Uuid,
    pub bank_account: Uuid,
    pub format: &'static str,
    pub file_name: String,
    pub sha256: String,
    #[schema(required = true, format = Date)]
    pub period_from: Option<String>,
    #[schema(required = true, format = Date)]
    pub period_to: Option<String>,
    #[schema(required = true)]
    pub opening_balance: Option<String>,
    #[schema(required = true)]
    pub closing_balance: Option<String>,
    pub lines_new: i64,
    pub lines_duplicate: i64,
    pub created_by: Uuid,
    #[schema(format = DateTime)]
    pub created_at: String,
}

fn import_dto(i: &StatementImport, decimals: u32) -> ImportDto {
    ImportDto {
        id: i.id,
        bank_account: i.bank_account_id,
        format: i.format.as_str(),
        file_name: i.file_name.clone(),
        sha256: i.sha256.clone(),
        period_from: i.period.map(|p| p.0.to_string()),
        period_to: i.period.map(|p| p.1.to_string()),
        opening_balance: i.opening_balance.map(|b| money::format(b, decimals)),
        closing_balance: i.closing_balance.map(|b| money::format(b, decimals)),
        lines_new: i.lines_new,
        lines_duplicate: i.lines_duplicate,
        created_by: i.created_by,
        created_at: i.created_at.to_string(),
    }
}

/// `POST …/imports/`: preview or commit one statement file.
pub async fn upload(c: InCompany<perm::EditLedger>, Id(id): Id, form: Multipart) -> Reply {
    // The account first: another company's or firm's id is a 404 whatever the body.
    let company = c
        .clone()
        .read(move |tx, ctx| account(tx, ctx, id).map(|_| ctx.books.company_id))
        .await?;
    let (app, firm) = (c.app().clone(), c.firm()?);
    let upload = read_upload(form).await?;
    if upload.preview {
        let answer = c
            .read(move |tx, ctx| {
                let account = account(tx, ctx, id)?;
                let sha256 = format!("{:x}", Sha256::digest(&upload.file));
                let preview = prepare(tx, &account, &upload)?;
                Ok(preview_dto(&preview, &upload, sha256, account.decimals()))
            })
            .await?;
        return Ok(Json(answer).into_response());
    }
    if upload.background {
        let job = app.import_jobs.start(firm, company, id)?;
        let answer = job.dto();
        let running = Arc::clone(&job);
        tokio::spawn(async move {
            match commit(c, id, upload, Some(&running)).await {
                Ok(import) => running.succeed(import),
                Err(e) => {
                    let response = e.into_response();
                    let status = response.status().as_u16();
                    let body = axum::body::to_bytes(response.into_body(), 1 << 20).await;
                    let body = body
                        .ok()
                        .and_then(|b| serde_json::from_slice(&b).ok())
                        .unwrap_or(serde_json::Value::Null);
                    running.fail(status, body);
                }
            }
        });
        let location = format!("/api/banking/import-jobs/{}/", job.id);
        return Ok((StatusCode::ACCEPTED, [(header::LOCATION, location)], Json(answer)).into_response());
    }
    let answer = commit(c, id, upload, None).await?;
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// Commits one upload: the file parsed outside any transaction, then checked and written in
/// one (nothing is written on any failure). A background `job` hears of each stage and of the
/// lines written.
async fn commit(
    c: InCompany<perm::EditLedger>,
    id: Uuid,
    upload: Upload,
    job: Option<&Arc<Job>>,
) -> Result<ImportDto, ApiError> {
    let stage = |s| {
        if let Some(j) = job {
            j.stage(s);
        }
    };
    stage(Stage::Parsing);
    let (upload, statement) = c
        .app()
        .blocking(move |_| {
            let statement = profile::read(&upload.file, &upload.profile).map_err(file_refused)?;
            Ok((upload, statement))
        })
        .await?;
    if let Some(j) = job {
        j.lines(statement.lines.len());
    }
    let job = job.cloned();
    c.change(move |tx, ctx| {
        let account = account(tx, ctx, id)?;
        let sha256 = format!("{:x}", Sha256::digest(&upload.file));
        let preview = plan(tx, &account, &statement)?;
        if let BalanceCheck::Differs { stated, computed } = preview.check {
            let d = account.decimals();
            return Err(ApiError::field(
                "file",
                format!(
                    "closing_balance: the lines add up to {}, the statement says {}: the file is incomplete or altered.",
                    money::format(computed, d),
                    money::format(stated, d)
                ),
            ));
        }
        if let Some(j) = &job {
            j.stage(Stage::Writing);
        }
        let source = SourceFile {
            name: &upload.file_name,
            sha256: &sha256,
        };
        let import = statements::commit_reporting(tx, ctx, &account, &preview, source, |done| {
            if let Some(j) = &job {
                j.written(done);
            }
        })?;
        store::matching::auto_match_import(tx, ctx, &account, &import)?;
        Ok(import_dto(&import, account.decimals()))
    })
    .await
}

/// `GET …/imports/`: the account's imports, newest first.
pub async fn list(c: InCompany<perm::ViewLedger>, Id(id): Id, q: ListQuery) -> Reply {
    let request = q.request.clone();
    let (page, decimals) = c
        .read(move |tx, ctx| {
            let account = account(tx, ctx, id)?;
            Ok((
                store::imports(tx, ctx.books.company_id, account.id, &request)?,
                account.decimals(),
            ))
        })
        .await?;
    Ok(q.render(page, |i| import_dto(&i, decimals)))
}
