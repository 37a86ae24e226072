-- Inventory reports (issue 19): stock as of a date is the current level less the moves dated
-- after it (or the sum of the moves up to it, whichever spans fewer days). This index holds
-- every column those sums read, in date order, so they walk the index alone and never the
-- moves themselves.
CREATE INDEX stock_moves_as_of ON stock_moves(company_id, date, item_id, warehouse_id, quantity, value);
