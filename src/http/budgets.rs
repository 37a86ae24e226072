//! `/api/accounting/budgets/`: a company's budgets per fiscal year, served by the generic
//! handlers of `http::resource` (list, create, show, `PUT`, `PATCH`, `DELETE`), and their
//! amounts: the grid (`…/{id}/grid/`: `GET`, `PUT` the whole grid, `PATCH` cells), text pasted
//! from a spreadsheet or a CSV (`…/{id}/paste/`, with a preview) and a copy of last year's
//! actuals ± a percentage (`…/{id}/copy-actuals/`). Reading needs `ledger.view`, changing
//! `ledger.edit` — as the chart of accounts.

use axum::Json;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::company::{Id, InCompany, JsonBody, perm};
use super::error::{ApiError, Reply};
use super::fields::fields_body;
use super::resource::{Deletable, Records, Shows};
use crate::domain::FieldErrors;
use crate::domain::Kept;
use crate::domain::books::{Books, Ctx};
use crate::domain::budgets::{
    self as budgets, Budget, BudgetChanges, Cell, Grid, GridLine, LineInput, MONTHS, PastePlan, Pasted, PastedLine,
    Problem,
};
use crate::domain::money;
use crate::formats::budget_csv;
use crate::store::Tx;

/// The largest pasted text (the route's body limit allows for the JSON around it).
pub const MAX_BODY_BYTES: usize = budget_csv::MAX_BYTES + (64 << 10);

fields_body! {
    /// A budget as a create, `PUT` or `PATCH` sends it. A create and a `PUT` need `name` and
    /// `fiscal_year`; a `PATCH` changes only what it sends.
    #[schema(as = BudgetInput)]
    pub struct BudgetBody into BudgetChanges {
        /// At most 100 characters; once per company and fiscal year ("Original", "Revised").
        name: String = text,
        /// The calendar year the fiscal year starts in (1900–9998).
        fiscal_year: i64 = int,
        /// At most 2,000 characters.
        notes: String = text,
    }
    nullable {}
}

#[derive(Serialize, ToSchema)]
#[schema(as = Budget)]
pub struct BudgetDto {
    pub id: Uuid,
    pub name: String,
    /// The calendar year the fiscal year starts in.
    pub fiscal_year: i16,
    /// The fiscal year's first day: month 1 of the grid starts here.
    #[schema(format = Date)]
    pub date_from: String,
    /// The fiscal year's last day.
    #[schema(format = Date)]
    pub date_to: String,
    pub notes: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl Shows<Budget> for BudgetDto {
    fn show(b: &Budget, _: &Books) -> Self {
        BudgetDto {
            id: b.id,
            name: b.name.clone(),
            fiscal_year: b.fiscal_year,
            date_from: b.start.to_string(),
            date_to: b.end().map(|d| d.to_string()).unwrap_or_default(),
            notes: b.notes.clone(),
            created_at: b.created_at.to_string(),
            updated_at: b.updated_at.to_string(),
        }
    }
}

/// The company's budgets.
pub type Budgets = Records<perm::ViewLedger, perm::EditLedger, Budget, BudgetDto, BudgetBody>;

impl Deletable for Budgets {
    fn delete(tx: &mut Tx, ctx: &Ctx<'_>, budget: Budget) -> Result<(), ApiError> {
        Ok(budgets::delete(tx, ctx, budget)?)
    }
}

/// One account's row of a budget.
#[derive(Serialize, ToSchema)]
#[schema(as = BudgetLine)]
pub struct LineDto {
    pub account: Uuid,
    pub code: String,
    pub name: String,
    /// `revenue` or `expense`.
    #[serde(rename = "type")]
    pub account_type: &'static str,
    pub is_active: bool,
    /// Twelve decimal strings, month 1 (the fiscal year's first) first: revenue as income
    /// (credit-positive), expenses as costs (debit-positive).
    pub amounts: Vec<String>,
    pub total: String,
}

fn line_dto(l: &GridLine, books: &Books) -> LineDto {
    LineDto {
        account: l.account,
        code: l.code.clone(),
        name: l.name.clone(),
        account_type: l.account_type.as_str(),
        is_active: l.is_active,
        amounts: l.amounts.iter().map(|v| money::format(*v, books.decimals)).collect(),
        total: money::format(l.total(), books.decimals),
    }
}

/// A budget with its grid: every active revenue and expense account (and any other with
/// amounts), revenue first, each by code, with twelve monthly amounts.
#[derive(Serialize, ToSchema)]
#[schema(as = BudgetGrid)]
pub struct GridDto {
    pub budget: BudgetDto,
    pub currency: String,
    /// The twelve months, `YYYY-MM`, month 1 first.
    pub months: Vec<String>,
    pub lines: Vec<LineDto>,
}

fn grid_dto(g: &Grid, books: &Books) -> GridDto {
    GridDto {
        budget: BudgetDto::show(&g.budget, books),
        currency: books.currency.clone(),
        months: (0..MONTHS)
            .filter_map(|m| g.budget.month_start(m))
            .map(|d| d.strftime("%Y-%m").to_string())
            .collect(),
        lines: g.lines.iter().map(|l| line_dto(l, books)).collect(),
    }
}

/// `GET …/budgets/{id}/grid/`: the budget's grid.
pub async fn get_grid(c: InCompany<perm::ViewLedger>, Id(id): Id) -> Reply<Json<GridDto>> {
    c.read(move |tx, ctx| {
        let budget = Budget::find(tx, ctx, id)?;
        Ok(Json(grid_dto(&budgets::grid(tx, ctx, &budget)?, ctx.books)))
    })
    .await
}

/// An amount sent as a decimal string or a whole JSON number.
fn amount_text(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) if n.is_i64() || n.is_u64() => Ok(n.to_string()),
        _ => Err("Send an amount as a decimal string, such as \"1250.00\".".into()),
    }
}

fn uuid_field(v: Option<&Value>) -> Result<Option<Uuid>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Uuid::parse_str(s)
            .map(Some)
            .map_err(|_| format!("\"{s}\" is not a valid UUID.")),
        Some(_) => Err("Not a valid UUID.".into()),
    }
}

/// The list `name` of a JSON object body.
fn list<'a>(body: &'a Value, name: &str) -> Result<&'a Vec<Value>, ApiError> {
    match body.get(name) {
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(ApiError::field(name, "Expected a list of items.")),
        None => Err(ApiError::field(name, "This field is required.")),
    }
}

/// The whole grid as a `PUT` sends it.
#[derive(Deserialize, ToSchema)]
#[schema(as = BudgetGridInput)]
#[allow(dead_code)]
pub struct GridBody {
    /// Every account with a budget; accounts left out have none after.
    lines: Vec<LineBody>,
}

#[derive(Deserialize, ToSchema)]
#[schema(as = BudgetLineInput)]
#[allow(dead_code)]
pub struct LineBody {
    /// A revenue or expense account of the company (any other is a 400).
    account: Uuid,
    /// Twelve decimal strings, month 1 first, at most the currency's decimals.
    amounts: Vec<String>,
}

/// `PUT …/budgets/{id}/grid/`: replaces the whole grid; errors by line
/// (`lines[2].account`, `lines[0].amounts`), nothing written.
pub async fn put_grid(c: InCompany<perm::EditLedger>, Id(id): Id, mut body: JsonBody<Value>) -> Reply {
    c.write(body.idempotency(), StatusCode::OK, move |tx, ctx| {
        let budget = Budget::find(tx, ctx, id)?;
        let raw = body.parse()?;
        let mut errors = FieldErrors::default();
        let mut lines = Vec::new();
        for (i, item) in list(&raw, "lines")?.iter().enumerate() {
            let mut line = LineInput::default();
            match uuid_field(item.get("account")) {
                Ok(a) => line.account = a,
                Err(e) => errors.add(&format!("lines[{i}].account"), e),
            }
            match item.get("amounts") {
                Some(Value::Array(values)) => {
                    for v in values {
                        match amount_text(v) {
                            Ok(t) => line.amounts.push(t),
                            Err(e) => errors.add(&format!("lines[{i}].amounts"), e),
                        }
                    }
                }
                _ => errors.add(&format!("lines[{i}].amounts"), "Send a list of 12 amounts."),
            }
            lines.push(line);
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        Ok(grid_dto(&budgets::replace(tx, ctx, &budget, lines)?, ctx.books))
    })
    .await
}

/// Cells as a `PATCH` sends them.
#[derive(Deserialize, ToSchema)]
#[schema(as = BudgetCellsInput)]
#[allow(dead_code)]
pub struct CellsBody {
    cells: Vec<CellBody>,
}

#[derive(Deserialize, ToSchema)]
#[schema(as = BudgetCellInput)]
#[allow(dead_code)]
pub struct CellBody {
    /// A revenue or expense account of the company.
    account: Uuid,
    /// 1 (the fiscal year's first month) … 12.
    month: i64,
    /// A decimal string.
    amount: String,
}

/// `PATCH …/budgets/{id}/grid/`: sets the cells sent, the others stay; errors by cell
/// (`cells[1].month`), nothing written.
pub async fn patch_grid(c: InCompany<perm::EditLedger>, Id(id): Id, mut body: JsonBody<Value>) -> Reply {
    c.write(body.idempotency(), StatusCode::OK, move |tx, ctx| {
        let budget = Budget::find(tx, ctx, id)?;
        let raw = body.parse()?;
        let mut errors = FieldErrors::default();
        let mut cells = Vec::new();
        for (i, item) in list(&raw, "cells")?.iter().enumerate() {
            let mut cell = Cell::default();
            match uuid_field(item.get("account")) {
                Ok(a) => cell.account = a,
                Err(e) => errors.add(&format!("cells[{i}].account"), e),
            }
            match item.get("month") {
                None | Some(Value::Null) => {}
                Some(Value::Number(n)) if n.is_i64() => cell.month = n.as_i64(),
                Some(_) => errors.add(&format!("cells[{i}].month"), "A valid integer is required."),
            }
            match item.get("amount").map(amount_text) {
                None => {}
                Some(Ok(t)) => cell.amount = Some(t),
                Some(Err(e)) => errors.add(&format!("cells[{i}].amount"), e),
            }
            cells.push(cell);
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        Ok(grid_dto(&budgets::patch(tx, ctx, &budget, cells)?, ctx.books))
    })
    .await
}

/// Text pasted from a spreadsheet or a CSV file.
#[derive(Deserialize, ToSchema)]
#[schema(as = BudgetPasteInput)]
pub struct PasteBody {
    /// One line per account: its code, twelve monthly amounts (month 1 first) and optionally
    /// their total; separated by tabs (as a spreadsheet copies), `;` or `,`. A first line that
    /// is not amounts is a header.
    pub text: String,
    /// `true`: check and show, write nothing (200 with the problems listed). `false` (the
    /// default): write, or refuse the whole text with a 400 naming every bad line.
    #[serde(default)]
    pub preview: bool,
}

#[derive(Serialize, ToSchema)]
#[schema(as = BudgetPasteLine)]
pub struct PastedLineDto {
    /// The line of the text (from 1, a header counted).
    pub line: usize,
    #[serde(flatten)]
    pub account: LineDto,
}

#[derive(Serialize, ToSchema)]
#[schema(as = BudgetPasteProblem)]
pub struct ProblemDto {
    pub line: usize,
    /// `code`, `month_1` … `month_12`, `total` or `line`.
    pub field: String,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
#[schema(as = BudgetPaste)]
pub struct PasteDto {
    /// Whether the lines were written (`false` for a preview).
    pub committed: bool,
    /// The lines that are right; a commit replaces these accounts' twelve months and keeps the
    /// other accounts.
    pub lines: Vec<PastedLineDto>,
    /// Every problem, by line; a commit with any writes nothing.
    pub problems: Vec<ProblemDto>,
}

fn paste_dto(p: &PastePlan, books: &Books) -> PasteDto {
    PasteDto {
        committed: p.committed,
        lines: p
            .lines
            .iter()
            .map(|(row, l)| PastedLineDto {
                line: *row,
                account: line_dto(l, books),
            })
            .collect(),
        problems: p
            .problems
            .iter()
            .map(|p| ProblemDto {
                line: p.row,
                field: p.field.clone(),
                message: p.message.clone(),
            })
            .collect(),
    }
}

/// Text → what the domain checks: the format's lines and problems.
fn read_text(bytes: &[u8]) -> Result<Pasted, ApiError> {
    let parsed = budget_csv::read(bytes).map_err(|e| ApiError::field("text", e.to_string()))?;
    Ok(pasted(parsed))
}

/// What the format read, as the domain's paste takes it (the API's and `oasys import budget`'s).
pub fn pasted(parsed: budget_csv::Parsed) -> Pasted {
    Pasted {
        lines: parsed
            .lines
            .into_iter()
            .map(|l| PastedLine {
                row: l.row,
                code: l.code,
                amounts: l.amounts,
            })
            .collect(),
        problems: parsed
            .problems
            .into_iter()
            .map(|p| Problem {
                row: p.row,
                field: p.field,
                message: p.message,
            })
            .collect(),
    }
}

/// `POST …/budgets/{id}/paste/`: checks pasted text line by line; `preview` shows it, else it
/// is written (each pasted account's months replaced) — or, with any bad line, refused whole:
/// a 400 under `text` naming each line and field.
pub async fn paste(c: InCompany<perm::EditLedger>, Id(id): Id, mut body: JsonBody<PasteBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::OK, move |tx, ctx| {
        let budget = Budget::find(tx, ctx, id)?;
        let b = body.parse()?;
        let pasted = read_text(b.text.as_bytes())?;
        let plan = budgets::paste(tx, ctx, &budget, pasted, !b.preview)?;
        Ok(paste_dto(&plan, ctx.books))
    })
    .await
}

/// Last year's actuals ± a percentage.
#[derive(Deserialize, ToSchema, Default)]
#[schema(as = BudgetCopyInput)]
pub struct CopyBody {
    /// The change in percent, at most two decimals, −100 to 1000 (`"5"`, `"-2.5"`); `"0"`
    /// when left out.
    #[serde(default)]
    pub percent: Option<Value>,
}

/// `POST …/budgets/{id}/copy-actuals/`: replaces the grid by the previous fiscal year's actuals
/// of each revenue and expense account and month ± `percent`, each cell rounded half away from
/// zero to the currency's minor unit.
pub async fn copy_actuals(c: InCompany<perm::EditLedger>, Id(id): Id, mut body: JsonBody<CopyBody>) -> Reply {
    c.write(body.idempotency(), StatusCode::OK, move |tx, ctx| {
        let budget = Budget::find(tx, ctx, id)?;
        let b = body.parse_or_default()?;
        let text = match &b.percent {
            None | Some(Value::Null) => "0".to_owned(),
            Some(v) => amount_text(v).map_err(|_| {
                ApiError::field("percent", "Send the percentage as a string, such as \"5\" or \"-2.5\".")
            })?,
        };
        let bp = budgets::scale::parse_percent(&text).map_err(|e| ApiError::field("percent", e))?;
        Ok(grid_dto(&budgets::copy_from_actuals(tx, ctx, &budget, bp)?, ctx.books))
    })
    .await
}
