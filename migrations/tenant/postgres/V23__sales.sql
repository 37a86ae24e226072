-- Sales flow (issue 19, part 4): quotes → sales orders → deliveries → invoices.
--
-- * `sales_documents`: quotes and sales orders, one table with `kind`. Numbers come from the
--   company's counters when the document is made (`QUO-2026-0001`, `SO-2026-0001`). Quote status:
--   open → converted (to an order) | declined; an open quote past `valid_until` is shown as
--   expired and refuses to convert. Order status: open → partially_delivered → delivered →
--   invoiced (everything delivered and invoiced), or cancelled. `quote_id`: the quote an order
--   was converted from.
-- * `sales_document_lines`: the lines, computed by the documents' line calculation (so an
--   invoice made from them has the same prices and taxes); `quantity_milli` is the quantity in
--   thousandths; `delivered_milli` and `invoiced_milli` what was delivered and invoiced of it.
-- * `sales_deliveries` / `sales_delivery_lines`: goods sent to a customer, from an order
--   (`order_id`) or made when an invoice of a stock item was issued without one (`invoice_id`);
--   each line names its order line, its warehouse and the stock move that took the goods out.
-- * `sales_invoice_links`: which invoice line invoiced which order line and which delivery line,
--   and how much (thousandths).
CREATE TABLE sales_documents (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    kind TEXT NOT NULL CHECK (kind IN ('quote','order')),
    status TEXT NOT NULL CHECK (status IN ('open','converted','declined','partially_delivered','delivered','invoiced','cancelled')),
    number TEXT NOT NULL,
    contact_id TEXT NOT NULL REFERENCES contacts(id),
    date TEXT NOT NULL,
    valid_until TEXT,
    currency TEXT NOT NULL,
    reference TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    subtotal BIGINT NOT NULL,
    tax_total BIGINT NOT NULL,
    total BIGINT NOT NULL,
    quote_id TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (company_id, kind, number)
);
CREATE INDEX sales_documents_company_kind_date ON sales_documents(company_id, kind, date, id);
CREATE INDEX sales_documents_company_contact ON sales_documents(company_id, contact_id, kind, status);

CREATE TABLE sales_document_lines (
    sales_document_id TEXT NOT NULL REFERENCES sales_documents(id) ON DELETE CASCADE,
    line_no BIGINT NOT NULL,
    item_id TEXT REFERENCES items(id),
    description TEXT NOT NULL DEFAULT '',
    quantity TEXT NOT NULL,
    quantity_milli BIGINT NOT NULL CHECK (quantity_milli > 0),
    unit_price BIGINT NOT NULL,
    discount_percent TEXT NOT NULL DEFAULT '0',
    tax_rate_id TEXT REFERENCES tax_rates(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    net_amount BIGINT NOT NULL,
    tax_amount BIGINT NOT NULL,
    delivered_milli BIGINT NOT NULL DEFAULT 0 CHECK (delivered_milli >= 0),
    invoiced_milli BIGINT NOT NULL DEFAULT 0 CHECK (invoiced_milli >= 0),
    PRIMARY KEY (sales_document_id, line_no)
);

CREATE TABLE sales_deliveries (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    number TEXT NOT NULL,
    contact_id TEXT NOT NULL REFERENCES contacts(id),
    date TEXT NOT NULL,
    order_id TEXT REFERENCES sales_documents(id),
    invoice_id TEXT REFERENCES documents(id),
    notes TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (company_id, number)
);
CREATE INDEX sales_deliveries_company_date ON sales_deliveries(company_id, date, id);
CREATE INDEX sales_deliveries_order ON sales_deliveries(company_id, order_id);

CREATE TABLE sales_delivery_lines (
    delivery_id TEXT NOT NULL REFERENCES sales_deliveries(id) ON DELETE CASCADE,
    line_no BIGINT NOT NULL,
    order_line_no BIGINT,
    item_id TEXT NOT NULL REFERENCES items(id),
    description TEXT NOT NULL DEFAULT '',
    quantity_milli BIGINT NOT NULL CHECK (quantity_milli > 0),
    invoiced_milli BIGINT NOT NULL DEFAULT 0 CHECK (invoiced_milli >= 0),
    warehouse_id TEXT REFERENCES warehouses(id),
    stock_move_id TEXT REFERENCES stock_moves(id),
    PRIMARY KEY (delivery_id, line_no)
);

CREATE TABLE sales_invoice_links (
    company_id TEXT NOT NULL REFERENCES companies(id),
    invoice_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    invoice_line_no BIGINT NOT NULL,
    link_no BIGINT NOT NULL,
    order_id TEXT REFERENCES sales_documents(id),
    order_line_no BIGINT,
    delivery_id TEXT REFERENCES sales_deliveries(id),
    delivery_line_no BIGINT,
    quantity_milli BIGINT NOT NULL CHECK (quantity_milli > 0),
    PRIMARY KEY (invoice_id, invoice_line_no, link_no)
);
CREATE INDEX sales_invoice_links_order ON sales_invoice_links(company_id, order_id);
CREATE INDEX sales_invoice_links_delivery ON sales_invoice_links(company_id, delivery_id);
