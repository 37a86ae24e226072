//! `/api/accounting/exchange-rates/`: a company's exchange rates (direct quotation: units of the
//! company currency per unit of the currency, 12 decimals), served by the generic handlers of
//! `http::resource` (list, create, show, `PUT`, `PATCH`, `DELETE`), with the rate on a date
//! (`…/on/`), file imports with a preview (`…/import/`) and fetching from the configured source
//! (`…/fetch/`). Reading needs `ledger.view`, changing `ledger.edit` — as the chart of accounts.

use std::time::Duration;

use axum::Json;
use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::company::{InCompany, perm};
use super::error::{ApiError, Reply};
use super::extract::QueryPairs;
use super::fields::fields_body;
use super::resource::{Deletable, Records, Shows};
use crate::domain::FieldErrors;
use crate::domain::books::{Books, Ctx};
use crate::domain::exchange_rates::import::{self, Effect, Plan, Quotes};
use crate::domain::exchange_rates::{
    self as rates, ExchangeRate, ExchangeRateChanges, RateSource, check_currency, format_rate, parse_date,
};
use crate::formats::FormatError;
use crate::formats::exchange_rates::{self as files, RatesFormat};
use crate::store::Tx;

/// The largest rates file the API takes (the route's body limit, and a fetch's).
pub const MAX_FILE_BYTES: usize = files::MAX_BYTES;
/// A preview lists at most this many rates (the counts cover them all).
const PREVIEW_RATES: usize = 1000;

fields_body! {
    /// An exchange rate as a create, `PUT` or `PATCH` sends it. A create and a `PUT` need all
    /// three; a `PATCH` changes only what it sends.
    #[schema(as = ExchangeRateInput)]
    pub struct ExchangeRateBody into ExchangeRateChanges {
        /// An ISO 4217 code other than the company currency (`USD`).
        currency: String = text,
        /// `YYYY-MM-DD`. One rate per currency and date.
        date: String = text,
        /// Units of the company currency per one unit of `currency`, greater than 0, at most 12
        /// decimals, as a string (`"0.921658986175"`).
        rate: String = decimal,
    }
    nullable {}
}

#[derive(Serialize, ToSchema)]
#[schema(as = ExchangeRate)]
pub struct ExchangeRateDto {
    pub id: Uuid,
    pub currency: String,
    #[schema(format = Date)]
    pub date: String,
    /// Units of the company currency per one unit of `currency`, without trailing zeros.
    pub rate: String,
    /// `manual`, `csv`, `ecb` or `http`.
    pub source: &'static str,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl Shows<ExchangeRate> for ExchangeRateDto {
    fn show(r: &ExchangeRate, _: &Books) -> Self {
        ExchangeRateDto {
            id: r.id,
            currency: r.currency.clone(),
            date: r.date.to_string(),
            rate: format_rate(r.rate),
            source: r.source.as_str(),
            created_at: r.created_at.to_string(),
            updated_at: r.updated_at.to_string(),
        }
    }
}

/// The company's exchange rates.
pub type ExchangeRates = Records<perm::ViewLedger, perm::EditLedger, ExchangeRate, ExchangeRateDto, ExchangeRateBody>;

impl Deletable for ExchangeRates {
    fn delete(tx: &mut Tx, ctx: &Ctx<'_>, rate: ExchangeRate) -> Result<(), ApiError> {
        Ok(rates::delete(tx, ctx, rate)?)
    }
}

/// The rate a conversion on a date uses.
#[derive(Serialize, ToSchema)]
pub struct RateOnDto {
    pub currency: String,
    /// The date asked for.
    #[schema(format = Date)]
    pub date: String,
    /// Units of the company currency per one unit of `currency`; `"1"` for the company currency.
    pub rate: String,
    /// The date of the rate used: the latest on or before `date`.
    #[schema(format = Date)]
    pub rate_date: String,
    /// The stored rate; `null` for the company currency.
    #[schema(required = true)]
    pub id: Option<Uuid>,
    #[schema(required = true)]
    pub source: Option<&'static str>,
}

/// `GET …/on/?currency=USD&date=2026-01-05`: the rate of `currency` on `date` (today in the
/// company's time zone when left out). None on or before it: a 400 under `date` saying so.
pub async fn on(c: InCompany<perm::ViewLedger>, QueryPairs(pairs): QueryPairs) -> Reply<Json<RateOnDto>> {
    let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let (currency, date) = (get("currency"), get("date"));
    c.read(move |tx, ctx| {
        let mut errors = FieldErrors::default();
        let currency = match currency.map(|c| c.trim().to_ascii_uppercase()) {
            Some(code) if code == ctx.books.currency => Some(code),
            Some(code) => match check_currency(&code, &ctx.books.currency) {
                Ok(code) => Some(code),
                Err(e) => {
                    errors.add("currency", e);
                    None
                }
            },
            None => {
                errors.add("currency", "This field is required.");
                None
            }
        };
        let date = match date.as_deref().map(parse_date) {
            Some(Ok(d)) => Some(d),
            Some(Err(e)) => {
                errors.add("date", e);
                None
            }
            None => Some(ctx.today),
        };
        let (Some(currency), Some(date)) = (currency, date) else {
            return Err(ApiError::Validation(errors));
        };
        let found = rates::rate_on(tx, ctx.books, &currency, date)?;
        Ok(Json(RateOnDto {
            currency: found.currency,
            date: date.to_string(),
            rate: format_rate(found.rate),
            rate_date: found.rate_date.to_string(),
            id: found.id,
            source: found.source.map(RateSource::as_str),
        }))
    })
    .await
}

/// The form fields of an import (for the OpenAPI document; read field by field).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct RatesUpload {
    /// The rates file (UTF-8 CSV).
    #[schema(format = Binary)]
    file: String,
    /// `ecb` (the ECB's euro reference rates: `Date,USD,JPY,…`, units per euro, `N/A` for none)
    /// or `csv` (`date,currency,rate`, units of the company currency per unit); detected from
    /// the header when left out.
    format: Option<String>,
    /// `true`: parse and show, write nothing. `false` (the default): import.
    preview: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct PlannedRateDto {
    /// The file's row.
    pub row: usize,
    #[schema(format = Date)]
    pub date: String,
    pub currency: String,
    /// The company's rate (converted from the file's quotation).
    pub rate: String,
    /// `new`, `changed` or `unchanged`.
    pub effect: &'static str,
    /// The stored rate a `changed` one replaces.
    #[schema(required = true)]
    pub previous_rate: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = ExchangeRateImport)]
pub struct ImportDto {
    /// `ecb` or `csv`.
    pub format: &'static str,
    /// Whether the rates were written (`false` for a preview).
    pub committed: bool,
    pub rates_total: usize,
    pub rates_new: usize,
    pub rates_changed: usize,
    pub rates_unchanged: usize,
    /// Dates of an ECB file without a quotation of the company currency (nothing derived).
    #[schema(format = Date)]
    pub skipped_dates: Vec<String>,
    /// The first 1,000 rates, in file order.
    pub rates: Vec<PlannedRateDto>,
}

fn import_dto(format: RatesFormat, plan: &Plan, committed: bool) -> ImportDto {
    ImportDto {
        format: format.as_str(),
        committed,
        rates_total: plan.rates.len(),
        rates_new: plan.new,
        rates_changed: plan.changed,
        rates_unchanged: plan.unchanged,
        skipped_dates: plan.skipped_dates.iter().map(|d| d.to_string()).collect(),
        rates: plan
            .rates
            .iter()
            .take(PREVIEW_RATES)
            .map(|p| {
                let (rate, previous_rate) = import::shown(p);
                PlannedRateDto {
                    row: p.row,
                    date: p.date.to_string(),
                    currency: p.currency.clone(),
                    rate,
                    effect: match p.effect {
                        Effect::New => "new",
                        Effect::Changed(_) => "changed",
                        Effect::Unchanged => "unchanged",
                    },
                    previous_rate,
                }
            })
            .collect(),
    }
}

fn multipart_refused(e: MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::field("file", format!("The file is larger than {} MiB.", MAX_FILE_BYTES >> 20))
    } else {
        ApiError::field("file", format!("The upload could not be read: {}", e.body_text()))
    }
}

struct Upload {
    file: Vec<u8>,
    format: Option<RatesFormat>,
    preview: bool,
}

async fn read_upload(mut form: Multipart) -> Result<Upload, ApiError> {
    let (mut file, mut format, mut preview) = (None, None, false);
    let mut errors = FieldErrors::default();
    while let Some(field) = form.next_field().await.map_err(multipart_refused)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            file = Some(field.bytes().await.map_err(multipart_refused)?.to_vec());
            continue;
        }
        let value = field.text().await.map_err(multipart_refused)?;
        match (name.as_str(), value.trim()) {
            ("format", "") => format = None,
            ("format", f) => match RatesFormat::parse(f) {
                Some(f) => format = Some(f),
                None => errors.add("format", "Choose \"ecb\" or \"csv\"."),
            },
            ("preview", "true" | "1") => preview = true,
            ("preview", "false" | "0" | "") => preview = false,
            ("preview", _) => errors.add("preview", "Must be a valid boolean."),
            _ => errors.add(&name, "Unknown field: send file, format, preview."),
        }
    }
    if file.is_none() {
        errors.add("file", "No file was submitted.");
    }
    match file {
        Some(file) if errors.is_empty() => Ok(Upload { file, format, preview }),
        _ => Err(ApiError::Validation(errors)),
    }
}

/// A file that is not a rates file: a 400 under `file` naming its row and column.
fn file_refused(e: FormatError) -> ApiError {
    ApiError::field("file", e.to_string())
}

/// Plans (and, unless `preview`, writes) the rates of `quotes` in the caller's transaction.
fn run(
    tx: &mut Tx,
    ctx: &Ctx<'_>,
    format: RatesFormat,
    quotes: &Quotes,
    source: RateSource,
    preview: bool,
) -> Result<ImportDto, ApiError> {
    let plan = import::plan(tx, ctx, quotes)?;
    if !preview {
        import::commit(tx, ctx, &plan, source)?;
    }
    Ok(import_dto(format, &plan, !preview))
}

/// `POST …/import/`: preview (200) or import (201) a rates file, in one transaction; a file
/// that cannot be read, or a rate it cannot hold, is a 400 under `file` and nothing is written.
pub async fn upload(c: InCompany<perm::EditLedger>, form: Multipart) -> Reply {
    let upload = read_upload(form).await?;
    let preview = upload.preview;
    let parse = move || files::read(&upload.file, upload.format).map_err(file_refused);
    if preview {
        let answer = c
            .read(move |tx, ctx| {
                let (format, quotes) = parse()?;
                run(tx, ctx, format, &quotes, quotes.source, true)
            })
            .await?;
        return Ok(Json(answer).into_response());
    }
    let answer = c
        .change(move |tx, ctx| {
            let (format, quotes) = parse()?;
            run(tx, ctx, format, &quotes, quotes.source, false)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// `POST …/fetch/`: fetches the rates file at `exchange_rates.source_url` and imports it as
/// `http` rates (201). Off unless configured: a 400 saying which keys to set; the source failing
/// or answering something else than a rates file is a 502 with what went wrong.
pub async fn fetch(c: InCompany<perm::EditLedger>) -> Reply {
    let config = c.app().config.exchange_rates.clone();
    let Some(url) = config.source_url.clone() else {
        return Err(ApiError::field(
            "non_field_errors",
            "Fetching exchange rates is off: set exchange_rates.source_url (and source_format) in the configuration.",
        ));
    };
    let format = RatesFormat::parse(&config.source_format);
    // The company first: an unknown or foreign company is a 404 before anything is fetched.
    c.clone().read(|_, _| Ok(())).await?;
    let body = download(&url, Duration::from_secs(config.timeout_seconds)).await?;
    let answer = c
        .change(move |tx, ctx| {
            let (format, quotes) =
                files::read(&body, format).map_err(|e| ApiError::BadGateway(format!("{url}: {e}")))?;
            run(tx, ctx, format, &quotes, RateSource::Http, false)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// The body at `url`, at most [`MAX_FILE_BYTES`], within `timeout`.
async fn download(url: &str, timeout: Duration) -> Result<Vec<u8>, ApiError> {
    crate::tls::install_provider();
    let failed = |e: String| ApiError::BadGateway(format!("The exchange rate source {url} failed: {e}"));
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .map_err(|e| failed(e.to_string()))?;
    let mut response = client.get(url).send().await.map_err(|e| failed(e.to_string()))?;
    if !response.status().is_success() {
        return Err(failed(format!("it answered {}", response.status())));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| failed(e.to_string()))? {
        if body.len() + chunk.len() > MAX_FILE_BYTES {
            return Err(failed(format!(
                "its answer is larger than {} MiB",
                MAX_FILE_BYTES >> 20
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
