//! `oasys report tax-return --from … --to …`: a company's tax return printed from the command
//! line (text, CSV or JSON), computed by the same domain function as the API, in one read
//! transaction.

use super::ReportCommand;
use super::admin;
use super::import::{operator_ctx, pick_company, pick_tenant};
use crate::auth::scope::TenantScope;
use crate::config::Config;
use crate::domain::books::Books;
use crate::domain::tax_returns;
use crate::http::reports::export;
use crate::http::tax_returns::ReportDto;

pub fn run(config: &Config, command: ReportCommand) -> anyhow::Result<()> {
    let ReportCommand::TaxReturn {
        from,
        to,
        layout,
        format,
        tenant,
        company,
    } = command;
    let date = |name: &str, v: &str| -> anyhow::Result<jiff::civil::Date> {
        v.parse()
            .map_err(|_| anyhow::anyhow!("--{name}: {v:?} is not a date (YYYY-MM-DD)"))
    };
    let (from, to) = (date("from", &from)?, date("to", &to)?);
    if !["text", "csv", "json"].contains(&format.as_str()) {
        anyhow::bail!("--format is text, csv or json, not {format:?}");
    }
    let db = admin::open(config)?;
    let scope = TenantScope::operator(pick_tenant(&db, tenant.as_deref())?);
    let company = pick_company(&db, &scope, company.as_deref())?;
    let books = Books::of(&company);
    let dto = db.tenant_read(&scope, |tx| -> anyhow::Result<ReportDto> {
        let ctx = operator_ctx(&books, &company, &[]);
        let r = tax_returns::report(tx, &ctx, from, to, layout.as_deref()).map_err(|e| anyhow::anyhow!("{e}"))?;
        ReportDto::new(r, &books).map_err(|e| anyhow::anyhow!("{e:?}"))
    })?;
    match format.as_str() {
        "json" => println!("{}", serde_json::to_string_pretty(&dto)?),
        "csv" => print!("{}", String::from_utf8_lossy(&export::csv(&dto.sheet())?)),
        _ => print!("{}", text(&dto)),
    }
    Ok(())
}

/// The return as aligned text: the boxes, then the rows per rate.
fn text(r: &ReportDto) -> String {
    let mut out = format!(
        "{} — {} to {} ({})\n\n",
        r.layout_title, r.date_from, r.date_to, r.currency
    );
    for b in &r.boxes {
        let empty = if b.mapped { "" } else { "  (left empty)" };
        out.push_str(&format!("Box {:>3}  {:>16}  {}{empty}\n", b.id, b.amount, b.label));
    }
    out.push_str(&format!(
        "\n{:<40} {:>14} {:>14} {:>14} {:>14}\n",
        "Rate", "Sales net", "Sales tax", "Purchases net", "Purchases tax"
    ));
    for row in &r.rows {
        out.push_str(&format!(
            "{:<40} {:>14} {:>14} {:>14} {:>14}\n",
            row.name, row.sales_net, row.sales_tax, row.purchases_net, row.purchases_tax
        ));
    }
    let t = &r.totals;
    out.push_str(&format!(
        "{:<40} {:>14} {:>14} {:>14} {:>14}\n\nNet tax payable (negative: refundable): {}\n",
        "Total", t.sales_net, t.sales_tax, t.purchases_net, t.purchases_tax, r.net_payable
    ));
    out
}
