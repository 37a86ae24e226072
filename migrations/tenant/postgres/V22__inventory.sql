-- Inventory (issue 19): stock items, warehouses, stock moves and their valuation.
--
-- * `items.kind` gains `stock` (`product` stays the non-stock kind); a stock item may name its
--   inventory, cost-of-goods-sold and price-difference accounts (NULL: the company's defaults in
--   `inventory_settings`), a reorder point and quantity (thousandths of the base unit) and lot or
--   serial tracking.
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
ALTER TABLE items DROP CONSTRAINT items_kind_check;
ALTER TABLE items ADD CONSTRAINT items_kind_check CHECK (kind IN ('service', 'product', 'stock'));
ALTER TABLE items ADD COLUMN inventory_account_id TEXT REFERENCES accounts(id);
ALTER TABLE items ADD COLUMN cogs_account_id TEXT REFERENCES accounts(id);
ALTER TABLE items ADD COLUMN price_difference_account_id TEXT REFERENCES accounts(id);
ALTER TABLE items ADD COLUMN reorder_point BIGINT CHECK (reorder_point >= 0);
ALTER TABLE items ADD COLUMN reorder_quantity BIGINT CHECK (reorder_quantity >= 0);
ALTER TABLE items ADD COLUMN tracking TEXT NOT NULL DEFAULT 'none' CHECK (tracking IN ('none', 'lot', 'serial'));

CREATE TABLE item_units (
    company_id TEXT NOT NULL REFERENCES companies(id),
    item_id TEXT NOT NULL REFERENCES items(id),
    unit TEXT NOT NULL,
    factor BIGINT NOT NULL CHECK (factor > 0),
    PRIMARY KEY (item_id, unit)
);

CREATE TABLE warehouses (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    code TEXT NOT NULL,
    code_key TEXT NOT NULL,
    name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (company_id, code_key)
);

CREATE TABLE warehouse_locations (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    warehouse_id TEXT NOT NULL REFERENCES warehouses(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (warehouse_id, code)
);

CREATE TABLE inventory_settings (
    company_id TEXT PRIMARY KEY REFERENCES companies(id),
    method TEXT NOT NULL CHECK (method IN ('fifo', 'average')),
    allow_negative BOOLEAN NOT NULL DEFAULT FALSE,
    invoice_creates_delivery BOOLEAN NOT NULL DEFAULT TRUE,
    inventory_account_id TEXT NOT NULL REFERENCES accounts(id),
    cogs_account_id TEXT NOT NULL REFERENCES accounts(id),
    grni_account_id TEXT NOT NULL REFERENCES accounts(id),
    adjustment_account_id TEXT NOT NULL REFERENCES accounts(id),
    price_difference_account_id TEXT NOT NULL REFERENCES accounts(id),
    default_warehouse_id TEXT NOT NULL REFERENCES warehouses(id),
    next_seq BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
);

CREATE TABLE stock_moves (
    id TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies(id),
    kind TEXT NOT NULL CHECK (kind IN ('receipt', 'delivery', 'transfer_out', 'transfer_in', 'adjustment', 'return_in', 'return_out', 'landed_cost', 'revaluation')),
    date TEXT NOT NULL,
    seq BIGINT NOT NULL,
    item_id TEXT NOT NULL REFERENCES items(id),
    warehouse_id TEXT NOT NULL REFERENCES warehouses(id),
    location_id TEXT REFERENCES warehouse_locations(id),
    quantity BIGINT NOT NULL,
    value BIGINT NOT NULL,
    revalued BIGINT NOT NULL DEFAULT 0,
    amount BIGINT,
    adjusts_id TEXT REFERENCES stock_moves(id),
    counter_account_id TEXT REFERENCES accounts(id),
    lot TEXT,
    source_kind TEXT,
    source_id TEXT,
    source_line BIGINT,
    transfer_id TEXT,
    journal_entry_id TEXT REFERENCES journal_entries(id),
    memo TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (company_id, seq)
);
CREATE INDEX stock_moves_item_warehouse ON stock_moves(company_id, item_id, warehouse_id, date, seq);
CREATE INDEX stock_moves_company_date ON stock_moves(company_id, date, seq);
CREATE INDEX stock_moves_source ON stock_moves(company_id, source_kind, source_id);
CREATE INDEX stock_moves_adjusts ON stock_moves(adjusts_id);

CREATE TABLE stock_levels (
    company_id TEXT NOT NULL REFERENCES companies(id),
    item_id TEXT NOT NULL REFERENCES items(id),
    warehouse_id TEXT NOT NULL REFERENCES warehouses(id),
    quantity BIGINT NOT NULL,
    value BIGINT NOT NULL,
    last_date TEXT NOT NULL,
    PRIMARY KEY (item_id, warehouse_id)
);
CREATE INDEX stock_levels_company ON stock_levels(company_id, item_id, warehouse_id);

CREATE TABLE stock_layers (
    move_id TEXT PRIMARY KEY REFERENCES stock_moves(id),
    company_id TEXT NOT NULL REFERENCES companies(id),
    item_id TEXT NOT NULL REFERENCES items(id),
    warehouse_id TEXT NOT NULL REFERENCES warehouses(id),
    date TEXT NOT NULL,
    seq BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    value BIGINT NOT NULL
);
CREATE INDEX stock_layers_item_warehouse ON stock_layers(item_id, warehouse_id, date, seq);
