//! Operations of the purchase flow: orders, receipts, bills from them (the three-way match),
//! landed costs and draft orders from the reorder list.

use super::super::ops::Access::Company;
use super::super::ops::Kind::{Date, Id, Text};
use super::super::ops::{Op, op, shape, tagged};
use crate::http::purchases::{
    BillBody, LandedBody, LandedDto, MatchDto, OrderBody, OrderDto, ReceiptRowDto, ReceiveBody, ReorderBody, ReorderDto,
};

#[rustfmt::skip]
pub fn purchases() -> Vec<Op> {
    let orders = "/api/purchase/orders/";
    let order = "/api/purchase/orders/{id}/";
    tagged("Purchases", Company, [
        op(format!("GET {orders}"), "listPurchaseOrders", "Purchase orders, newest first")
            .list::<OrderDto>(&[("status", Text), ("vendor", Id), ("date_from", Date), ("date_to", Date)])
            .about("Rows carry no lines; `search` looks in the number, the reference and the vendor's name."),
        op(format!("POST {orders}"), "createPurchaseOrder", "Create a purchase order")
            .json(shape::<OrderBody>())
            .about("`vendor` and `lines` as a bill's lines (quantities at most 3 decimals, named `lines[i].quantity`). \
                A draft unless `confirm` is true; numbered `PO-YYYY-NNNN` at once.")
            .idempotent().created(shape::<OrderDto>()),
        op(format!("POST {orders}from-reorder/"), "purchaseOrdersFromReorder", "Draft orders for the items below their reorder point")
            .optional(shape::<ReorderBody>())
            .about("One draft per vendor for the stock items whose quantity on hand plus still on order is at or below their \
                reorder point, each line the item's reorder quantity: the item's preferred vendor, else the vendor it was \
                last ordered from, else the request's `vendor`; items with none are listed under `skipped`.")
            .idempotent().created(shape::<ReorderDto>()),
        op(format!("GET {order}"), "getPurchaseOrder", "One purchase order, with its lines, receipts and bills")
            .about("Each line with `received`, `billed`, `remaining_to_receive` and `remaining_to_bill`.")
            .ok(shape::<OrderDto>()),
        op(format!("PUT {order}"), "replacePurchaseOrder", "Replace a draft purchase order")
            .json(shape::<OrderBody>()).idempotent().ok(shape::<OrderDto>()),
        op(format!("DELETE {order}"), "deletePurchaseOrder", "Delete a draft purchase order").idempotent(),
        op(format!("POST {order}confirm/"), "confirmPurchaseOrder", "Confirm a draft: goods may be received")
            .idempotent().ok(shape::<OrderDto>()),
        op(format!("POST {order}cancel/"), "cancelPurchaseOrder", "Cancel an order nothing was received on")
            .idempotent().ok(shape::<OrderDto>()),
        op(format!("POST {order}close/"), "closePurchaseOrder", "Close an order: nothing more will be received")
            .idempotent().ok(shape::<OrderDto>()),
        op(format!("POST {order}receive/"), "receivePurchaseOrder", "Receive goods")
            .optional(shape::<ReceiveBody>())
            .about("Per order line a quantity (no `lines`: everything that remains), valued at the order's net price and \
                posted Dr Inventory / Cr GRNI through the inventory engine. A draft, closed or cancelled order is refused; \
                more than remains on a line is a 400 under `lines[i].quantity` naming the line; nothing is written.")
            .idempotent().created(shape::<ReceiptRowDto>()),
        op(format!("POST {order}bill/"), "billPurchaseOrder", "Bill what was received on the order")
            .optional(shape::<BillBody>())
            .about("`lines[i].line` names order lines; each quantity is taken from the order's receipts, oldest first. \
                The bill is made and issued at once; the answer is its three-way match.")
            .idempotent().created(shape::<MatchDto>()),
        op("GET /api/purchase/receipts/", "listPurchaseReceipts", "Receipts, newest first")
            .list::<ReceiptRowDto>(&[("order", Id), ("vendor", Id), ("date_from", Date), ("date_to", Date)])
            .about("Rows carry no lines."),
        op("GET /api/purchase/receipts/{id}/", "getPurchaseReceipt", "One receipt, with what was billed of each line")
            .ok(shape::<ReceiptRowDto>()),
        op("POST /api/purchase/receipts/{id}/bill/", "billPurchaseReceipt", "Bill a receipt")
            .optional(shape::<BillBody>())
            .about("`lines[i].line` names receipt lines (no `lines`: everything not yet billed); `unit_price` the vendor's \
                price when it differs. Billing more than was received and not yet billed is a 400 under `lines[i].quantity` \
                naming the line, and nothing is written. The bill is issued at once: a stock line debits GRNI with the \
                received value and the price-difference account with the rest.")
            .idempotent().created(shape::<MatchDto>()),
        op("GET /api/purchase/bills/{id}/match/", "purchaseBillMatch", "A bill's three-way match")
            .about("Per bill line linked to an order: ordered, received and billed quantities, the order's and the bill's \
                price, the received value and the price difference (`flagged` when the price differs).")
            .ok(shape::<MatchDto>()),
        op("POST /api/purchase/bills/{id}/landed-costs/", "landPurchaseCost", "Land a cost from a bill on a receipt's goods")
            .json(shape::<LandedBody>())
            .about("An amount of the bill's cost lines (freight, duty: lines that bill no receipt) spread over the receipt's \
                stock lines by `value` or `quantity`, through the inventory engine (Dr Inventory for what is on hand, COGS \
                for what was delivered / Cr the cost line's account).")
            .idempotent().created(shape::<LandedDto>()),
    ]).into_iter().collect()
}
