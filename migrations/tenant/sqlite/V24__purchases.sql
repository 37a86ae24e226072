-- The purchase flow (issue 19): purchase orders and their lines, receipts of goods against them
-- (each received line a stock move through the inventory engine), the links of bill lines to the
-- order and receipt lines they bill (the three-way match: ordered, received, billed), and landed
-- costs spread from a bill over a receipt's lines. Quantities are integer thousandths of the
-- item's base unit (`*_milli`); amounts integer minor units of the company currency. Warehouse
-- and stock-move ids name the inventory engine's rows (schema 22). Ids are 16-byte BLOBs.
CREATE TABLE purchase_orders (
    id BLOB PRIMARY KEY,
    company_id BLOB NOT NULL REFERENCES companies(id),
    number TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'confirmed', 'partially_received', 'received', 'billed', 'closed', 'cancelled')),
    vendor_id BLOB NOT NULL REFERENCES contacts(id),
    order_date TEXT NOT NULL,
    expected_date TEXT,
    warehouse_id BLOB,
    reference TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    subtotal INTEGER NOT NULL DEFAULT 0,
    tax_total INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    created_by BLOB NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (company_id, number)
) STRICT;
CREATE INDEX purchase_orders_company_date ON purchase_orders(company_id, order_date, id);
CREATE INDEX purchase_orders_vendor ON purchase_orders(company_id, vendor_id, status);

CREATE TABLE purchase_order_lines (
    order_id BLOB NOT NULL REFERENCES purchase_orders(id) ON DELETE CASCADE,
    line_no INTEGER NOT NULL,
    item_id BLOB REFERENCES items(id),
    description TEXT NOT NULL,
    quantity_milli INTEGER NOT NULL CHECK (quantity_milli > 0),
    unit_price INTEGER NOT NULL,
    discount_percent TEXT NOT NULL DEFAULT '0',
    tax_rate_id BLOB REFERENCES tax_rates(id),
    account_id BLOB NOT NULL REFERENCES accounts(id),
    net_amount INTEGER NOT NULL,
    tax_amount INTEGER NOT NULL,
    PRIMARY KEY (order_id, line_no)
) STRICT, WITHOUT ROWID;
CREATE INDEX purchase_order_lines_item ON purchase_order_lines(item_id);

CREATE TABLE purchase_receipts (
    id BLOB PRIMARY KEY,
    company_id BLOB NOT NULL REFERENCES companies(id),
    order_id BLOB NOT NULL REFERENCES purchase_orders(id),
    number TEXT NOT NULL,
    receipt_date TEXT NOT NULL,
    warehouse_id BLOB,
    reference TEXT NOT NULL DEFAULT '',
    journal_entry_id BLOB REFERENCES journal_entries(id),
    created_by BLOB NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (company_id, number)
) STRICT;
CREATE INDEX purchase_receipts_company_date ON purchase_receipts(company_id, receipt_date, id);
CREATE INDEX purchase_receipts_order ON purchase_receipts(order_id);

CREATE TABLE purchase_receipt_lines (
    receipt_id BLOB NOT NULL REFERENCES purchase_receipts(id),
    line_no INTEGER NOT NULL,
    order_line_no INTEGER NOT NULL,
    item_id BLOB REFERENCES items(id),
    quantity_milli INTEGER NOT NULL CHECK (quantity_milli > 0),
    value INTEGER NOT NULL,
    stock_move_id BLOB,
    PRIMARY KEY (receipt_id, line_no)
) STRICT, WITHOUT ROWID;

CREATE TABLE purchase_bill_lines (
    bill_id BLOB NOT NULL REFERENCES documents(id),
    bill_line_no INTEGER NOT NULL,
    order_id BLOB NOT NULL REFERENCES purchase_orders(id),
    order_line_no INTEGER NOT NULL,
    receipt_id BLOB REFERENCES purchase_receipts(id),
    receipt_line_no INTEGER,
    quantity_milli INTEGER NOT NULL CHECK (quantity_milli > 0),
    receipt_value INTEGER NOT NULL,
    price_difference INTEGER NOT NULL,
    grni_account_id BLOB REFERENCES accounts(id),
    price_difference_account_id BLOB REFERENCES accounts(id),
    PRIMARY KEY (bill_id, bill_line_no)
) STRICT, WITHOUT ROWID;
CREATE INDEX purchase_bill_lines_order ON purchase_bill_lines(order_id, order_line_no);
CREATE INDEX purchase_bill_lines_receipt ON purchase_bill_lines(receipt_id, receipt_line_no);

CREATE TABLE purchase_landed_costs (
    id BLOB PRIMARY KEY,
    company_id BLOB NOT NULL REFERENCES companies(id),
    bill_id BLOB NOT NULL REFERENCES documents(id),
    receipt_id BLOB NOT NULL REFERENCES purchase_receipts(id),
    basis TEXT NOT NULL CHECK (basis IN ('value', 'quantity')),
    amount INTEGER NOT NULL CHECK (amount > 0),
    account_id BLOB NOT NULL REFERENCES accounts(id),
    landed_date TEXT NOT NULL,
    journal_entry_id BLOB REFERENCES journal_entries(id),
    created_by BLOB NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX purchase_landed_costs_bill ON purchase_landed_costs(bill_id);
CREATE INDEX purchase_landed_costs_receipt ON purchase_landed_costs(receipt_id);

CREATE TABLE purchase_landed_cost_lines (
    landed_cost_id BLOB NOT NULL REFERENCES purchase_landed_costs(id),
    receipt_line_no INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    PRIMARY KEY (landed_cost_id, receipt_line_no)
) STRICT, WITHOUT ROWID;
