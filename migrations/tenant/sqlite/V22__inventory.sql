-- Inventory (issue 19): stock items, warehouses, stock moves and their valuation.
--
-- * `items.kind` gains `stock` (`product` stays the non-stock kind); a stock item may name its
--   inventory, cost-of-goods-sold and price-difference accounts (NULL: the company's defaults in
--   `inventory_settings`), a reorder point and quantity (thousandths of the base unit) and lot or
--   serial tracking. SQLite cannot change a CHECK: the table is rebuilt with its rows, indexes and
--   search triggers.
-- * `item_units`: other units of an item (`box` = 12 pcs: `factor` 12000 thousandths of the base unit).
-- * `inventory_settings`: one row per company, made on first use: the valuation method (changed
--   only while the company has no moves), negative stock allowed or not, the default accounts and
--   warehouse, and `next_seq`, the counter that orders moves (updating it also serialises postings).
-- * `warehouses` and their `warehouse_locations`.
-- * `stock_moves`: the only way stock changes. `quantity` (thousandths of the base unit) and
--   `value` (minor units) are signed effects on stock; on hand as of D = SUM(quantity) of the moves
--   dated on or before D, and the value likewise. Moves of an item in a warehouse are valued in
--   (date, seq) order. `revalued` is what later `revaluation` moves (whose `adjusts_id` names the
--   move they correct) added to a move's value; a `landed_cost` move's `adjusts_id` is the receipt
--   it adds to and `amount` the whole cost it spread (`value` is the share still on hand, the rest
--   went to `counter_account_id`'s cost of goods sold). `counter_account_id` is the account the
--   move's value was posted against.
-- * `stock_levels`: current totals per item and warehouse, kept in the same transaction as every
--   move; `last_date` the latest move's date (a move dated before it is back-dated).
-- * `stock_layers`: the FIFO layers still in stock (the engine's own state, rebuilt from the moves).
CREATE TABLE items__v22 (
    id BLOB PRIMARY KEY,
    company_id BLOB NOT NULL REFERENCES companies(id),
    code TEXT NOT NULL,
    -- The code lower-cased: codes are unique in a company whatever their case.
    code_key TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL CHECK (kind IN ('service', 'product', 'stock')),
    unit TEXT NOT NULL DEFAULT '',
    sale_price INTEGER NOT NULL DEFAULT 0 CHECK (sale_price >= 0),
    purchase_price INTEGER NOT NULL DEFAULT 0 CHECK (purchase_price >= 0),
    income_account_id BLOB REFERENCES accounts(id),
    expense_account_id BLOB REFERENCES accounts(id),
    sales_tax_rate_id BLOB REFERENCES tax_rates(id),
    purchase_tax_rate_id BLOB REFERENCES tax_rates(id),
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    inventory_account_id BLOB REFERENCES accounts(id),
    cogs_account_id BLOB REFERENCES accounts(id),
    price_difference_account_id BLOB REFERENCES accounts(id),
    reorder_point INTEGER CHECK (reorder_point >= 0),
    reorder_quantity INTEGER CHECK (reorder_quantity >= 0),
    tracking TEXT NOT NULL DEFAULT 'none' CHECK (tracking IN ('none', 'lot', 'serial')),
    UNIQUE (company_id, code_key)
) STRICT;
INSERT INTO items__v22 (id, company_id, code, code_key, name, description, kind, unit, sale_price, purchase_price, income_account_id, expense_account_id, sales_tax_rate_id, purchase_tax_rate_id, is_active, created_at, updated_at)
    SELECT id, company_id, code, code_key, name, description, kind, unit, sale_price, purchase_price, income_account_id, expense_account_id, sales_tax_rate_id, purchase_tax_rate_id, is_active, created_at, updated_at FROM items;
DROP TABLE items;
ALTER TABLE items__v22 RENAME TO items;
CREATE INDEX items_company_created ON items(company_id, created_at, id);
CREATE INDEX items_company_name ON items(company_id, name, id);
CREATE INDEX items_company_sale_price ON items(company_id, sale_price, id);
CREATE TRIGGER search_items_insert AFTER INSERT ON items
BEGIN INSERT INTO search_changes (source, record_id) VALUES ('items', NEW.id); END;
CREATE TRIGGER search_items_update AFTER UPDATE ON items
BEGIN INSERT INTO search_changes (source, record_id) VALUES ('items', NEW.id); END;
CREATE TRIGGER search_items_delete AFTER DELETE ON items
BEGIN INSERT INTO search_changes (source, record_id) VALUES ('items', OLD.id); END;

CREATE TABLE item_units (
    company_id BLOB NOT NULL REFERENCES companies(id),
    item_id BLOB NOT NULL REFERENCES items(id),
    unit TEXT NOT NULL,
    factor INTEGER NOT NULL CHECK (factor > 0),
    PRIMARY KEY (item_id, unit)
) STRICT;

CREATE TABLE warehouses (
    id BLOB PRIMARY KEY,
    company_id BLOB NOT NULL REFERENCES companies(id),
    code TEXT NOT NULL,
    code_key TEXT NOT NULL,
    name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (company_id, code_key)
) STRICT;

CREATE TABLE warehouse_locations (
    id BLOB PRIMARY KEY,
    company_id BLOB NOT NULL REFERENCES companies(id),
    warehouse_id BLOB NOT NULL REFERENCES warehouses(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (warehouse_id, code)
) STRICT;

CREATE TABLE inventory_settings (
    company_id BLOB PRIMARY KEY REFERENCES companies(id),
    method TEXT NOT NULL CHECK (method IN ('fifo', 'average')),
    allow_negative INTEGER NOT NULL DEFAULT 0,
    invoice_creates_delivery INTEGER NOT NULL DEFAULT 1,
    inventory_account_id BLOB NOT NULL REFERENCES accounts(id),
    cogs_account_id BLOB NOT NULL REFERENCES accounts(id),
    grni_account_id BLOB NOT NULL REFERENCES accounts(id),
    adjustment_account_id BLOB NOT NULL REFERENCES accounts(id),
    price_difference_account_id BLOB NOT NULL REFERENCES accounts(id),
    default_warehouse_id BLOB NOT NULL REFERENCES warehouses(id),
    next_seq INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE stock_moves (
    id BLOB PRIMARY KEY,
    company_id BLOB NOT NULL REFERENCES companies(id),
    kind TEXT NOT NULL CHECK (kind IN ('receipt', 'delivery', 'transfer_out', 'transfer_in', 'adjustment', 'return_in', 'return_out', 'landed_cost', 'revaluation')),
    date TEXT NOT NULL,
    seq INTEGER NOT NULL,
    item_id BLOB NOT NULL REFERENCES items(id),
    warehouse_id BLOB NOT NULL REFERENCES warehouses(id),
    location_id BLOB REFERENCES warehouse_locations(id),
    quantity INTEGER NOT NULL,
    value INTEGER NOT NULL,
    revalued INTEGER NOT NULL DEFAULT 0,
    amount INTEGER,
    adjusts_id BLOB REFERENCES stock_moves(id),
    counter_account_id BLOB REFERENCES accounts(id),
    lot TEXT,
    source_kind TEXT,
    source_id BLOB,
    source_line INTEGER,
    transfer_id BLOB,
    journal_entry_id BLOB REFERENCES journal_entries(id),
    memo TEXT NOT NULL DEFAULT '',
    created_by BLOB NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (company_id, seq)
) STRICT;
CREATE INDEX stock_moves_item_warehouse ON stock_moves(company_id, item_id, warehouse_id, date, seq);
CREATE INDEX stock_moves_company_date ON stock_moves(company_id, date, seq);
CREATE INDEX stock_moves_source ON stock_moves(company_id, source_kind, source_id);
CREATE INDEX stock_moves_adjusts ON stock_moves(adjusts_id);

CREATE TABLE stock_levels (
    company_id BLOB NOT NULL REFERENCES companies(id),
    item_id BLOB NOT NULL REFERENCES items(id),
    warehouse_id BLOB NOT NULL REFERENCES warehouses(id),
    quantity INTEGER NOT NULL,
    value INTEGER NOT NULL,
    last_date TEXT NOT NULL,
    PRIMARY KEY (item_id, warehouse_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX stock_levels_company ON stock_levels(company_id, item_id, warehouse_id);

CREATE TABLE stock_layers (
    move_id BLOB PRIMARY KEY REFERENCES stock_moves(id),
    company_id BLOB NOT NULL REFERENCES companies(id),
    item_id BLOB NOT NULL REFERENCES items(id),
    warehouse_id BLOB NOT NULL REFERENCES warehouses(id),
    date TEXT NOT NULL,
    seq INTEGER NOT NULL,
    quantity INTEGER NOT NULL,
    value INTEGER NOT NULL
) STRICT;
CREATE INDEX stock_layers_item_warehouse ON stock_layers(item_id, warehouse_id, date, seq);
