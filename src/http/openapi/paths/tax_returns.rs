//! Operations of tax returns: the return of a period and its layouts (reports), the company's
//! tax-return settings, filing a return and the filed returns.

use super::super::ops::Access::Company;
use super::super::ops::Kind::{Date, Text};
use super::super::ops::{Op, op, shape, tagged};
use crate::http::tax_returns::{FileBody, FiledDto, LayoutDto, ReportDto, SettingsBody, SettingsDto};

#[rustfmt::skip]
pub fn tax_returns() -> Vec<Op> {
    tagged("Tax returns", Company, [
        op("GET /api/accounting/tax-settings/", "getTaxSettings", "The company's tax return layout and settlement accounts")
            .ok(shape::<SettingsDto>()),
        op("PATCH /api/accounting/tax-settings/", "updateTaxSettings", "Pick the layout and the settlement accounts")
            .about("An unknown layout or account is a 400 under its field; `null` for an account goes back to the chart's account of subtype `tax`.")
            .json(shape::<SettingsBody>()).idempotent().ok(shape::<SettingsDto>()),
        op("GET /api/accounting/tax-returns/", "listTaxReturns", "Filed tax returns, latest period first").list::<FiledDto>(&[]),
        op("POST /api/accounting/tax-returns/", "fileTaxReturn", "File the tax return of a period")
            .about("Stores the return with its boxes as computed, posts the settlement entry (each tax account's movement in the period to the payable account, or the receivable account for a refund) dated `date_to`, and locks the period for tax changes: afterwards an entry on a tax account dated on or before `date_to` is refused (400). A period that is not over, that overlaps a filed return or starts before the end of one, an unknown layout: 400, nothing written. A filed return is never withdrawn: correct it on the next return.")
            .json(shape::<FileBody>()).idempotent().created(shape::<FiledDto>()),
        op("GET /api/accounting/tax-returns/{id}/", "getTaxReturn", "One filed tax return").ok(shape::<FiledDto>()),
    ])
}

#[rustfmt::skip]
pub fn reports() -> Vec<Op> {
    tagged("Reports", Company, [
        op("GET /api/reports/tax-return/", "taxReturn", "The VAT/GST/sales-tax return of a period")
            .about("Per tax rate, the taxable amounts and tax on sales and on purchases from issued documents (credit notes and vendor credits reduce; a voided document comes off on its void date), the other postings on tax accounts, and the layout's boxes (default: the company's). `from`/`to` are accepted for `date_from`/`date_to`. `date_from` after `date_to`, or an unknown layout: 400.")
            .query("date_from", Date, false).query("date_to", Date, false).query("from", Date, false).query("to", Date, false)
            .query("layout", Text, false).report(shape::<ReportDto>()),
        op("GET /api/reports/tax-layouts/", "taxLayouts", "The tax return layouts a company may pick")
            .ok(shape::<Vec<LayoutDto>>()),
    ])
}
