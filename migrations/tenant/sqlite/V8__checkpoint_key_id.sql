-- Which checkpoint key signed each checkpoint, by its public id (`chain::key_id`: 16 hex digits
-- derived from the key, revealing nothing of it). A checkpoint signed by a key the verifier does
-- not hold is then told apart from a rewritten one. NULL for checkpoints signed before this
-- column existed.
ALTER TABLE chain_checkpoints ADD COLUMN key_id TEXT;
