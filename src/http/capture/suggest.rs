//! `POST /api/capture/suggest-account/`: which account a bank line (or a text typed or read from
//! a document) belongs to. The firm's records answer first (the bank's rules, the counterparty's
//! earlier lines, the contact's default account); only when they are not sure enough, and the
//! firm switched AI on and is under its monthly limit, is the AI endpoint asked — after the read
//! transaction, with the line's words and the chart's codes and names only — and its call logged.

use axum::Json;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::capture::ai;
use crate::capture::{AiGate, ai_gate};
use crate::domain::banking::statements::StatementStore;
use crate::domain::capture::suggest::{self, Evidence, Suggestion};
use crate::domain::money;
use crate::http::company::{InCompany, JsonBody, perm};
use crate::http::error::{ApiError, Reply};
use crate::store::{capture as kept, capture_suggest as records};

/// The most characters of `text` read.
const MAX_TEXT_CHARS: usize = 20_000;

/// A bank line of the company, or a text (with its amount, to tell money in from out).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[schema(as = SuggestAccount)]
pub struct SuggestBody {
    /// A statement line's id.
    bank_line: Option<String>,
    /// Instead of a bank line: what a document or a person says (at most 20,000 characters).
    text: Option<String>,
    /// With `text`: a decimal string; negative is money out (the default).
    amount: Option<String>,
}

/// One account suggested.
#[derive(Serialize, ToSchema)]
#[schema(as = AccountSuggestion)]
pub struct SuggestionDto {
    account: Uuid,
    code: String,
    name: String,
    /// `rule`, `history`, `contact` or `ai`.
    source: &'static str,
    /// Why, in words.
    reason: String,
    /// 0–100.
    confidence: u32,
}

/// The suggestions, surest first, and what became of the AI endpoint.
#[derive(Serialize, ToSchema)]
#[schema(as = AccountSuggestions)]
pub struct SuggestionsDto {
    suggestions: Vec<SuggestionDto>,
    /// `not_needed` (the records were sure), `off` (not configured or the firm's switch is off),
    /// `limit_reached` (this month's cost is at the firm's limit), `used`, or `failed` (the
    /// endpoint did not answer usefully; the call is logged).
    ai: &'static str,
}

/// What the read transaction found.
struct Found {
    evidence: Evidence,
    text: String,
    chart: Vec<crate::domain::accounts::Account>,
    ai: AiGate,
}

fn parse(body: SuggestBody) -> Result<(Option<Uuid>, String, bool), ApiError> {
    match (body.bank_line, body.text) {
        (Some(line), None) => {
            if body.amount.is_some() {
                return Err(ApiError::field(
                    "amount",
                    "Give an amount only with text; a bank line has its own.",
                ));
            }
            let id =
                Uuid::parse_str(line.trim()).map_err(|_| ApiError::field("bank_line", "Give a bank line's id."))?;
            Ok((Some(id), String::new(), false))
        }
        (None, Some(text)) => {
            let text = text.trim().to_string();
            if text.is_empty() {
                return Err(ApiError::field("text", "Give the words to suggest an account for."));
            }
            if text.chars().count() > MAX_TEXT_CHARS {
                return Err(ApiError::field("text", "At most 20,000 characters."));
            }
            let money_in = match body.amount.as_deref() {
                None => false,
                Some(a) => money::parse(a)
                    .map_err(|_| ApiError::field("amount", "Give a decimal number, such as -42.50."))?
                    .is_sign_positive(),
            };
            Ok((None, text, money_in))
        }
        (Some(_), Some(_)) => Err(ApiError::field("text", "Give a bank line or a text, not both.")),
        (None, None) => Err(ApiError::field("bank_line", "Give a bank line or a text.")),
    }
}

fn dto(s: &Suggestion, chart: &[crate::domain::accounts::Account]) -> Option<SuggestionDto> {
    let a = chart.iter().find(|a| a.id == s.account_id)?;
    Some(SuggestionDto {
        account: a.id,
        code: a.code.clone(),
        name: a.name.clone(),
        source: s.source.as_str(),
        reason: s.reason.clone(),
        confidence: s.confidence,
    })
}

/// `POST /api/capture/suggest-account/`.
pub async fn suggest_account(
    c: InCompany<perm::EditLedger>,
    body: JsonBody<SuggestBody>,
) -> Reply<Json<SuggestionsDto>> {
    let (line, text, money_in) = parse(body.parse()?)?;
    let configured = c.app().config.ai.url.is_some();
    let again = c.clone();
    let found = c
        .read(move |tx, ctx| {
            let company = ctx.books.company_id;
            let (evidence, text) = match line {
                Some(id) => {
                    let l = tx.find_line(company, id)?.ok_or(ApiError::NotFound)?;
                    let words = [l.counterparty.as_str(), l.text.as_str(), l.reference.as_str()]
                        .into_iter()
                        .filter(|t| !t.is_empty())
                        .collect::<Vec<_>>()
                        .join(" | ");
                    let shown = format!(
                        "{words} | amount {} {}",
                        money::format(l.amount, money::decimals(&l.currency)),
                        l.currency
                    );
                    (records::for_line(tx, &l)?, shown)
                }
                None => (records::for_text(tx, company, &text, money_in)?, text),
            };
            let ai = if configured { ai_gate(tx)? } else { AiGate::Off };
            Ok(Found {
                evidence,
                text,
                chart: records::chart(tx, company)?,
                ai,
            })
        })
        .await?;
    let mut suggestions = suggest::from_records(&found.evidence);
    let ai = if !suggest::ask_ai(&suggestions) {
        "not_needed"
    } else {
        match found.ai {
            AiGate::Off => "off",
            AiGate::LimitReached => "limit_reached",
            AiGate::Open => {
                let config = &again.app().config.ai;
                let pairs: Vec<(String, String)> =
                    found.chart.iter().map(|a| (a.code.clone(), a.name.clone())).collect();
                let at = Timestamp::now();
                let outcome = ai::suggest_account(config, &found.text, &pairs).await;
                let picked = match &outcome.answer {
                    Ok(pick) => suggest::chart_account(&pick.code, &found.chart)
                        .map(|a| (a.id, pick.reason.clone()))
                        .ok_or_else(|| format!("the answer names {:?}, not an account of the chart", pick.code)),
                    Err(e) => Err(e.clone()),
                };
                let cost = outcome.cost_micros(config);
                let model = config.model.clone();
                let error = picked.as_ref().err().cloned();
                again
                    .change(move |tx, ctx| {
                        kept::log_ai_call(
                            tx,
                            &kept::AiCall {
                                company: Some(ctx.books.company_id),
                                at,
                                purpose: "suggest_account",
                                model: &model,
                                tokens_in: outcome.tokens_in,
                                tokens_out: outcome.tokens_out,
                                cost_micros: cost,
                                error,
                            },
                        )?;
                        Ok(())
                    })
                    .await?;
                match picked {
                    Ok((account, reason)) => {
                        suggestions = suggest::with_ai(suggestions, account, &reason);
                        "used"
                    }
                    Err(e) => {
                        tracing::info!(error = %e, "capture: the AI endpoint suggested no account");
                        "failed"
                    }
                }
            }
        }
    };
    Ok(Json(SuggestionsDto {
        suggestions: suggestions.iter().filter_map(|s| dto(s, &found.chart)).collect(),
        ai,
    }))
}
