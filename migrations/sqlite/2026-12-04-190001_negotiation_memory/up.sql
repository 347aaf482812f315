-- Pricing memory (SPEC §14): each round says why its number is what it is, and a
-- carrier's earlier negotiations are found by MC and recency.
ALTER TABLE negotiation_rounds ADD COLUMN reason TEXT;
CREATE INDEX negotiations_mc ON negotiations (mc_number, created_at, call_id, load_id);
CREATE INDEX loads_lane ON loads (origin_state, destination_state, equipment);
CREATE INDEX negotiations_load ON negotiations (load_id, status);
