DROP INDEX negotiations_load;
DROP INDEX loads_lane;
DROP INDEX negotiations_mc;
ALTER TABLE negotiation_rounds DROP COLUMN reason;
