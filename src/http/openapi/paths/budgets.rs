//! Operations of budgets: the records, the grid, pasted text and last year's actuals ± %.

use super::super::crud::{Crud, crud};
use super::super::ops::Access::Company;
use super::super::ops::Kind::{Int, Text};
use super::super::ops::{Op, op, shape, tagged};
use crate::http::budgets::{BudgetBody, BudgetDto, CellsBody, CopyBody, GridBody, GridDto, PasteBody, PasteDto};

pub fn budgets() -> Vec<Op> {
    let records = crud::<BudgetDto, BudgetBody>(Crud {
        path: "/api/accounting/budgets/",
        tag: "Budgets",
        delete: true,
        one: "Budget",
        many: "Budgets",
        a: "a budget",
        list: "Budgets, newest fiscal year first",
        create: "BudgetCreate",
        rules: Some(
            "A name once per company and fiscal year (`Original`, `Revised`…); `fiscal_year` is the calendar year \
             the company's fiscal year starts in, fixed to its first day when the budget is made. Deleting a budget \
             deletes its amounts.",
        ),
        filters: &[("fiscal_year", Int), ("name", Text)],
    });
    let grid = "/api/accounting/budgets/{id}/grid/";
    let rest = tagged(
        "Budgets",
        Company,
        [
            op(format!("GET {grid}"), "budgetGrid", "A budget's grid")
                .about(
                    "Every active revenue and expense account (and any other with amounts), revenue first, by \
                     code, with twelve monthly amounts (month 1 is the fiscal year's first) and their total. \
                     Revenue is entered as income (credit-positive), expenses as costs (debit-positive).",
                )
                .ok(shape::<GridDto>()),
            op(format!("PUT {grid}"), "replaceBudgetGrid", "Replace a budget's grid")
                .about(
                    "Every account with a budget, each once, twelve amounts each; accounts left out have no \
                     budget after. Only revenue and expense accounts of the company: any other is a 400 under \
                     `lines[i].account`. Nothing is written when any line is refused.",
                )
                .json(shape::<GridBody>())
                .idempotent()
                .ok(shape::<GridDto>()),
            op(format!("PATCH {grid}"), "changeBudgetCells", "Change cells of a budget")
                .about("The cells sent change; the others stay. Errors under `cells[i].account`, `.month`, `.amount`.")
                .json(shape::<CellsBody>())
                .idempotent()
                .ok(shape::<GridDto>()),
            op(
                "POST /api/accounting/budgets/{id}/paste/",
                "pasteBudget",
                "Preview or write pasted budget lines",
            )
            .about(
                "Text copied from a spreadsheet (tab-separated) or a CSV (`,` or `;`): per line an account code, \
                 twelve monthly amounts and optionally their total; a header line is skipped. With \
                 `preview=true` the lines and every problem (by line and field) are answered and nothing is \
                 written. Otherwise the pasted accounts' months are replaced (other accounts kept), or — if any \
                 line has a problem — the whole text is refused with a 400 under `text` naming each line.",
            )
            .json(shape::<PasteBody>())
            .idempotent()
            .ok(shape::<PasteDto>()),
            op(
                "POST /api/accounting/budgets/{id}/copy-actuals/",
                "copyBudgetFromActuals",
                "Replace a budget by last year's actuals ± a percentage",
            )
            .about(
                "For each revenue and expense account and month, the previous fiscal year's net movement (from \
                 the maintained balances, year-end closing entries left out) × (1 + percent/100), rounded half \
                 away from zero to the currency's minor unit, cell by cell. The whole grid is replaced.",
            )
            .optional(shape::<CopyBody>())
            .idempotent()
            .ok(shape::<GridDto>()),
        ],
    );
    [records, rest].into_iter().flatten().collect()
}
