-- The purchase flow (issue 19): purchase orders and their lines, receipts of goods against them
-- (each received line a stock move through the inventory engine), the links of bill lines to the
-- order and receipt lines they bill (the three-way match: ordered, received, billed), and landed
-- costs spread from a bill over a receipt's lines. Quantities are integer thousandths of the
-- item's base unit (`*_milli`); amounts integer minor units of the company currency. Warehouse
-- and stock-move ids name the inventory engine's rows (schema 22). Ids are 16-byte TEXTs.
CREATE TABLE purchase_orders (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    number TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'confirmed', 'partially_received', 'received', 'billed', 'closed', 'cancelled')),
    vendor_id TEXT NOT NULL REFERENCES contacts(id),
    order_date TEXT NOT NULL,
    expected_date TEXT,
    warehouse_id TEXT,
    reference TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    subtotal BIGINT NOT NULL DEFAULT 0,
    tax_total BIGINT NOT NULL DEFAULT 0,
    total BIGINT NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (company_id, number)
);
CREATE INDEX purchase_orders_company_date ON purchase_orders(company_id, order_date, id);
CREATE INDEX purchase_orders_vendor ON purchase_orders(company_id, vendor_id, status);

CREATE TABLE purchase_order_lines (
    order_id TEXT NOT NULL REFERENCES purchase_orders(id) ON DELETE CASCADE,
    line_no BIGINT NOT NULL,
    item_id TEXT REFERENCES items(id),
    description TEXT NOT NULL,
    quantity_milli BIGINT NOT NULL CHECK (quantity_milli > 0),
    unit_price BIGINT NOT NULL,
    discount_percent TEXT NOT NULL DEFAULT '0',
    tax_rate_id TEXT REFERENCES tax_rates(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    net_amount BIGINT NOT NULL,
    tax_amount BIGINT NOT NULL,
    PRIMARY KEY (order_id, line_no)
);
CREATE INDEX purchase_order_lines_item ON purchase_order_lines(item_id);

CREATE TABLE purchase_receipts (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    order_id TEXT NOT NULL REFERENCES purchase_orders(id),
    number TEXT NOT NULL,
    receipt_date TEXT NOT NULL,
    warehouse_id TEXT,
    reference TEXT NOT NULL DEFAULT '',
    journal_entry_id TEXT REFERENCES journal_entries(id),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (company_id, number)
);
CREATE INDEX purchase_receipts_company_date ON purchase_receipts(company_id, receipt_date, id);
CREATE INDEX purchase_receipts_order ON purchase_receipts(order_id);

CREATE TABLE purchase_receipt_lines (
    receipt_id TEXT NOT NULL REFERENCES purchase_receipts(id),
    line_no BIGINT NOT NULL,
    order_line_no BIGINT NOT NULL,
    item_id TEXT REFERENCES items(id),
    quantity_milli BIGINT NOT NULL CHECK (quantity_milli > 0),
    value BIGINT NOT NULL,
    stock_move_id TEXT,
    PRIMARY KEY (receipt_id, line_no)
);

CREATE TABLE purchase_bill_lines (
    bill_id TEXT NOT NULL REFERENCES documents(id),
    bill_line_no BIGINT NOT NULL,
    order_id TEXT NOT NULL REFERENCES purchase_orders(id),
    order_line_no BIGINT NOT NULL,
    receipt_id TEXT REFERENCES purchase_receipts(id),
    receipt_line_no BIGINT,
    quantity_milli BIGINT NOT NULL CHECK (quantity_milli > 0),
    receipt_value BIGINT NOT NULL,
    price_difference BIGINT NOT NULL,
    grni_account_id TEXT REFERENCES accounts(id),
    price_difference_account_id TEXT REFERENCES accounts(id),
    PRIMARY KEY (bill_id, bill_line_no)
);
CREATE INDEX purchase_bill_lines_order ON purchase_bill_lines(order_id, order_line_no);
CREATE INDEX purchase_bill_lines_receipt ON purchase_bill_lines(receipt_id, receipt_line_no);

CREATE TABLE purchase_landed_costs (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    bill_id TEXT NOT NULL REFERENCES documents(id),
    receipt_id TEXT NOT NULL REFERENCES purchase_receipts(id),
    basis TEXT NOT NULL CHECK (basis IN ('value', 'quantity')),
    amount BIGINT NOT NULL CHECK (amount > 0),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    landed_date TEXT NOT NULL,
    journal_entry_id TEXT REFERENCES journal_entries(id),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX purchase_landed_costs_bill ON purchase_landed_costs(bill_id);
CREATE INDEX purchase_landed_costs_receipt ON purchase_landed_costs(receipt_id);

CREATE TABLE purchase_landed_cost_lines (
    landed_cost_id TEXT NOT NULL REFERENCES purchase_landed_costs(id),
    receipt_line_no BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (landed_cost_id, receipt_line_no)
);
