-- A negotiation made before its call's carrier was known belongs to that carrier once
-- the call names it (the service now fills it when the MC arrives); earlier rows too.
UPDATE negotiations
SET mc_number = (SELECT calls.mc_number FROM calls WHERE calls.call_id = negotiations.call_id)
WHERE mc_number IS NULL
  AND EXISTS (SELECT 1 FROM calls WHERE calls.call_id = negotiations.call_id AND calls.mc_number IS NOT NULL);
