//! Operations of capture: the review queue of received bills and receipts.

use super::super::ops::Access::{Company, Firm};
use super::super::ops::Kind::Text;
use super::super::ops::{Op, op, shape, tagged};
use crate::http::capture::ai::{AiSettingsBody, AiSettingsDto};
use crate::http::capture::suggest::{SuggestBody, SuggestionsDto};
use crate::http::capture::{AcceptBody, DraftDto, DraftSummaryDto};

pub fn capture() -> Vec<Op> {
    let settings = tagged(
        "Capture",
        Firm,
        [
            op(
                "GET /api/capture/ai-settings/",
                "getAiSettings",
                "The firm's AI switch, limit and use",
            )
            .about(
                "Off by default. `used_this_month` and `calls_this_month` come from the log of calls \
                     (calendar month, UTC).",
            )
            .ok(shape::<AiSettingsDto>()),
            op(
                "PATCH /api/capture/ai-settings/",
                "updateAiSettings",
                "Switch AI on or off, set the monthly limit",
            )
            .about("For those who manage the firm. `monthly_limit` is a decimal string, at least 0.")
            .json(shape::<AiSettingsBody>())
            .writes()
            .ok(shape::<AiSettingsDto>()),
        ],
    );
    let queue = tagged(
        "Capture",
        Company,
        [
            op("GET /api/capture/drafts/", "listCaptureDrafts", "The review queue")
                .about(
                    "Drafts read from the documents dropped in the inbox, pending first, then the newest; each field \
                     with its confidence (0-100) and the span of the extracted text it came from. Inbox documents \
                     whose text is ready and that have no draft yet get theirs first. `status` filters.",
                )
                .list::<DraftSummaryDto>(&[("status", Text)]),
            op(
                "GET /api/capture/drafts/{id}/",
                "getCaptureDraft",
                "A draft, with its lines and text",
            )
            .about("The draft with its tax per rate, its lines and the extracted text its spans point into.")
            .ok(shape::<DraftDto>()),
            op(
                "POST /api/capture/drafts/{id}/accept/",
                "acceptCaptureDraft",
                "Accept a draft",
            )
            .about(
                "Makes a draft bill from the vendor (`as`: `bill`, the default; one line per tax rate, the rate \
                     matched among the company's) or a draft expense entry (`as`: `expense`: the net to `account`, \
                     the tax to each rate's purchase tax account, the gross from `paid_from`), with the corrections \
                     given laid over what was read; links the document to it and teaches the vendor's layout. A \
                     draft decided already, or fields that do not add up, are a 400.",
            )
            .optional(shape::<AcceptBody>())
            .idempotent()
            .ok(shape::<DraftDto>()),
            op(
                "POST /api/capture/drafts/{id}/reject/",
                "rejectCaptureDraft",
                "Reject a draft",
            )
            .about("Sets the draft aside (the document stays). A draft decided already is a 400.")
            .idempotent()
            .ok(shape::<DraftDto>()),
            op(
                "POST /api/capture/suggest-account/",
                "suggestAccount",
                "Suggest the account of a bank line or a text",
            )
            .about(
                "Give `bank_line` (a statement line's id) or `text` (with `amount`, negative for money out). The \
                     firm's records answer first: the bank rule that assigns the line, the accounts the \
                     counterparty's earlier lines were booked to, the default account of a contact the words name. \
                     When none is sure enough (confidence under 60) and the firm switched AI on under its monthly \
                     limit, the configured endpoint is asked with the words and the chart's codes and names only, \
                     and the call is logged with its cost; `ai` says what became of it. Writes nothing but that \
                     log.",
            )
            .json(shape::<SuggestBody>())
            .ok(shape::<SuggestionsDto>()),
        ],
    );
    [queue, settings].into_iter().flatten().collect()
}
