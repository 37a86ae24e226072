//! Operations of the sales flow: quotes, sales orders, deliveries, and their conversions.

use super::super::ops::Access::Company;
use super::super::ops::Kind::{self, Date, Id, Text};
use super::super::ops::{Answer, Op, op, shape, tagged};
use crate::http::documents::DocumentDto;
use crate::http::sales::{
    DateBody, DeliverBody, DeliveryDto, DeliveryRow, InvoiceBody, LinkDto, SalesBody, SalesDto, SalesRow,
};

#[rustfmt::skip]
const FILTERS: &[(&str, Kind)] = &[("status", Text), ("contact", Id), ("date_from", Date), ("date_to", Date)];

#[rustfmt::skip]
const DELIVERY_FILTERS: &[(&str, Kind)] = &[
    ("contact", Id), ("order", Id), ("invoice", Id), ("date_from", Date), ("date_to", Date),
];

#[rustfmt::skip]
pub fn sales() -> Vec<Op> {
    let q = "/api/sales/quotes/";
    let o = "/api/sales/orders/";
    let d = "/api/sales/deliveries/";
    tagged("Sales", Company, [
        op(format!("GET {q}"), "listQuotes", "Quotes, newest first").list::<SalesRow>(FILTERS),
        op(format!("POST {q}"), "createQuote", "Make a quote").json(shape::<SalesBody>())
            .about("Numbered `QUO-YYYY-NNNN` when made. `contact` and `lines` are required; lines are checked, priced \
                and taxed as an invoice's (errors under `lines[i].field`); quantities have at most 3 decimals. \
                `valid_until` defaults to 30 days after `date`.")
            .idempotent().created(shape::<SalesDto>()),
        op(format!("GET {q}{{id}}/"), "getQuote", "One quote, with its lines and links").ok(shape::<SalesDto>()),
        op(format!("POST {q}{{id}}/convert/"), "convertQuote", "Convert a quote into a sales order")
            .optional(shape::<DateBody>())
            .about("The order keeps the quote's lines, prices and taxes; the quote becomes `converted`. Only an open \
                quote converts; one past its `valid_until` is refused with a 409.")
            .idempotent().created(shape::<SalesDto>())
            .or(409, "The quote expired"),
        op(format!("POST {q}{{id}}/decline/"), "declineQuote", "Mark an open quote declined")
            .optional(shape::<DateBody>()).about("No body is needed.").idempotent().ok(shape::<SalesDto>()),
        op(format!("GET {q}{{id}}/pdf/"), "pdfQuote", "The quote as a PDF").query("download", Text, false)
            .about("Inline; `download=1` (or `true`): as an attachment.").answer(Answer::Pdf),
        op(format!("GET {o}"), "listSalesOrders", "Sales orders, newest first").list::<SalesRow>(FILTERS),
        op(format!("POST {o}"), "createSalesOrder", "Make a sales order").json(shape::<SalesBody>())
            .about("Numbered `SO-YYYY-NNNN`; lines as a quote's. `valid_until` is refused on an order.")
            .idempotent().created(shape::<SalesDto>()),
        op(format!("GET {o}{{id}}/"), "getSalesOrder", "One order, with what is delivered, invoiced and left per line")
            .ok(shape::<SalesDto>()),
        op(format!("POST {o}{{id}}/deliver/"), "deliverSalesOrder", "Deliver goods of an order")
            .optional(shape::<DeliverBody>())
            .about("A delivery (`DN-YYYY-NNNN`) of the stock lines chosen (or everything left), taken out of the \
                warehouse by stock moves and posted (Dr cost of goods sold / Cr inventory). More than is left on a \
                line, or more than is in stock when the company refuses negative stock, is a 400 under \
                `lines[i].quantity` naming the line; nothing is written.")
            .idempotent().created(shape::<DeliveryDto>()),
        op(format!("POST {o}{{id}}/invoice/"), "invoiceSalesOrder", "Invoice an order")
            .optional(shape::<InvoiceBody>())
            .about("An issued invoice of the lines chosen (or everything left to invoice), at the order's prices and \
                taxes; each line at most what is left to invoice (400 under `lines[i].quantity`). Delivered goods not \
                invoiced yet are linked first; stock goods not delivered are delivered when the invoice is issued \
                (inventory setting `invoice_creates_delivery`).")
            .idempotent().created(shape::<DocumentDto>()),
        op(format!("POST {o}{{id}}/cancel/"), "cancelSalesOrder", "Cancel an order nothing was delivered or invoiced of")
            .optional(shape::<DateBody>()).about("No body is needed.").idempotent().ok(shape::<SalesDto>()),
        op(format!("GET {d}"), "listDeliveries", "Deliveries, newest first").list::<DeliveryRow>(DELIVERY_FILTERS),
        op(format!("GET {d}{{id}}/"), "getDelivery", "One delivery, with its lines and links").ok(shape::<DeliveryDto>()),
        op(format!("POST {d}{{id}}/invoice/"), "invoiceDelivery", "Invoice a delivery")
            .optional(shape::<DateBody>())
            .about("An issued invoice of what the delivery delivered and is not invoiced yet, at its order's prices.")
            .idempotent().created(shape::<DocumentDto>()),
        op(format!("GET {d}{{id}}/pdf/"), "pdfDelivery", "The delivery note as a PDF").query("download", Text, false)
            .about("Inline; `download=1` (or `true`): as an attachment.").answer(Answer::Pdf),
        op("GET /api/sales/invoices/{id}/links/", "invoiceSalesLinks", "The orders and deliveries an invoice is linked to")
            .ok(shape::<Vec<LinkDto>>()),
    ])
}
