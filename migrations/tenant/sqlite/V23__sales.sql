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
    id BLOB PRIMARY KEY,
    company_id BLOB NOT NULL REFERENCES companies(id),
    kind TEXT NOT NULL CHECK (kind IN ('quote','order')),
    status TEXT NOT NULL CHECK (status IN ('open','converted','declined','partially_delivered','delivered','invoiced','cancelled')),
    number TEXT NOT NULL,
    contact_id BLOB NOT NULL REFERENCES contacts(id),
    date TEXT NOT NULL,
    valid_until TEXT,
    currency TEXT NOT NULL,
    reference TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    subtotal INTEGER NOT NULL,
    tax_total INTEGER NOT NULL,
    total INTEGER NOT NULL,
    quote_id BLOB,
    created_by BLOB NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (company_id, kind, number)
) STRICT;
CREATE INDEX sales_documents_company_kind_date ON sales_documents(company_id, kind, date, id);
CREATE INDEX sales_documents_company_contact ON sales_documents(company_id, contact_id, kind, status);

CREATE TABLE sales_document_lines (
    sales_document_id BLOB NOT NULL REFERENCES sales_documents(id) ON DELETE CASCADE,
    line_no INTEGER NOT NULL,
    item_id BLOB REFERENCES items(id),
    description TEXT NOT NULL DEFAULT '',
    quantity TEXT NOT NULL,
    quantity_milli INTEGER NOT NULL CHECK (quantity_milli > 0),
    unit_price INTEGER NOT NULL,
    discount_percent TEXT NOT NULL DEFAULT '0',
    tax_rate_id BLOB REFERENCES tax_rates(id),
    account_id BLOB NOT NULL REFERENCES accounts(id),
    net_amount INTEGER NOT NULL,
    tax_amount INTEGER NOT NULL,
    delivered_milli INTEGER NOT NULL DEFAULT 0 CHECK (delivered_milli >= 0),
    invoiced_milli INTEGER NOT NULL DEFAULT 0 CHECK (invoiced_milli >= 0),
    PRIMARY KEY (sales_document_id, line_no)
) STRICT, WITHOUT ROWID;

CREATE TABLE sales_deliveries (
    id BLOB PRIMARY KEY,
    company_id BLOB NOT NULL REFERENCES companies(id),
    number TEXT NOT NULL,
    contact_id BLOB NOT NULL REFERENCES contacts(id),
    date TEXT NOT NULL,
    order_id BLOB REFERENCES sales_documents(id),
    invoice_id BLOB REFERENCES documents(id),
    notes TEXT NOT NULL DEFAULT '',
    created_by BLOB NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (company_id, number)
) STRICT;
CREATE INDEX sales_deliveries_company_date ON sales_deliveries(company_id, date, id);
CREATE INDEX sales_deliveries_order ON sales_deliveries(company_id, order_id);

CREATE TABLE sales_delivery_lines (
    delivery_id BLOB NOT NULL REFERENCES sales_deliveries(id) ON DELETE CASCADE,
    line_no INTEGER NOT NULL,
    order_line_no INTEGER,
    item_id BLOB NOT NULL REFERENCES items(id),
    description TEXT NOT NULL DEFAULT '',
    quantity_milli INTEGER NOT NULL CHECK (quantity_milli > 0),
    invoiced_milli INTEGER NOT NULL DEFAULT 0 CHECK (invoiced_milli >= 0),
    warehouse_id BLOB REFERENCES warehouses(id),
    stock_move_id BLOB REFERENCES stock_moves(id),
    PRIMARY KEY (delivery_id, line_no)
) STRICT, WITHOUT ROWID;

CREATE TABLE sales_invoice_links (
    company_id BLOB NOT NULL REFERENCES companies(id),
    invoice_id BLOB NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    invoice_line_no INTEGER NOT NULL,
    link_no INTEGER NOT NULL,
    order_id BLOB REFERENCES sales_documents(id),
    order_line_no INTEGER,
    delivery_id BLOB REFERENCES sales_deliveries(id),
    delivery_line_no INTEGER,
    quantity_milli INTEGER NOT NULL CHECK (quantity_milli > 0),
    PRIMARY KEY (invoice_id, invoice_line_no, link_no)
) STRICT, WITHOUT ROWID;
CREATE INDEX sales_invoice_links_order ON sales_invoice_links(company_id, order_id);
CREATE INDEX sales_invoice_links_delivery ON sales_invoice_links(company_id, delivery_id);
