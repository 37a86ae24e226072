//! `/api/capture/ai-settings/`: the firm's switch and monthly cost limit for the optional AI
//! endpoint, and what its calls cost this month (from the `ai_calls` log). Read by anyone of the
//! firm who may see it; changed by those who manage the firm.

use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::{FieldErrors, money};
use crate::http::company::JsonBody;
use crate::http::error::{ApiError, Reply};
use crate::http::firm::InFirm;
use crate::http::permission::perm;
use crate::store::capture::{self as kept, AiSettings};

/// Costs are kept in millionths of the price's currency unit.
const MICROS: u32 = 6;

/// The firm's AI settings and this month's use.
#[derive(Serialize, ToSchema)]
#[schema(as = AiSettings)]
pub struct AiSettingsDto {
    /// Off by default: nothing is sent anywhere until a manager switches it on.
    enabled: bool,
    /// The most the firm's calls may cost in a calendar month (UTC), in the configured price's
    /// currency; a call over it is refused and logged.
    monthly_limit: String,
    /// What this month's calls cost so far.
    used_this_month: String,
    /// How many calls were made this month.
    calls_this_month: i64,
}

/// What to change; a field left out keeps its value.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[schema(as = AiSettingsChange)]
pub struct AiSettingsBody {
    enabled: Option<bool>,
    /// A decimal string, `"25.00"`, at least 0.
    monthly_limit: Option<String>,
}

fn dto(tx: &mut crate::store::Tx, s: AiSettings) -> Result<AiSettingsDto, ApiError> {
    let now = jiff::Timestamp::now();
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    let month = today
        .first_of_month()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map_err(|e| ApiError::Internal(format!("month start: {e}")))?
        .timestamp();
    let (used, calls) = kept::ai_usage_since(tx, month)?;
    let show = |micros: i64| {
        let d = money::from_minor(micros, MICROS).normalize();
        if d.scale() < 2 {
            format!("{:.2}", d)
        } else {
            d.to_string()
        }
    };
    Ok(AiSettingsDto {
        enabled: s.enabled,
        monthly_limit: show(s.monthly_limit_micros),
        used_this_month: show(used),
        calls_this_month: calls,
    })
}

/// `GET /api/capture/ai-settings/`.
pub async fn get(c: InFirm<perm::ViewFirm>) -> Reply<Json<AiSettingsDto>> {
    c.tenant_read(|tx, _| {
        let s = kept::ai_settings(tx)?;
        dto(tx, s)
    })
    .await
    .map(Json)
}

/// `PATCH /api/capture/ai-settings/`.
pub async fn update(c: InFirm<perm::ManageFirm>, body: JsonBody<AiSettingsBody>) -> Reply<Json<AiSettingsDto>> {
    c.tenant_write(move |tx, _| {
        let body = body.parse()?;
        let mut s = kept::ai_settings(tx)?;
        if let Some(e) = body.enabled {
            s.enabled = e;
        }
        if let Some(limit) = body.monthly_limit.as_deref() {
            let mut errors = FieldErrors::default();
            match money::parse(limit).and_then(|d| money::to_minor(d, MICROS)) {
                Ok(v) if v >= 0 => s.monthly_limit_micros = v,
                Ok(_) => errors.add("monthly_limit", "Ensure this value is greater than or equal to 0."),
                Err(e) => errors.add("monthly_limit", e.to_string()),
            }
            errors.into_result()?;
        }
        kept::save_ai_settings(tx, s, jiff::Timestamp::now())?;
        dto(tx, s)
    })
    .await
    .map(Json)
}
