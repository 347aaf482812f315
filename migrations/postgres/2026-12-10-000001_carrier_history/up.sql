-- The carrier page (`GET /api/v1/carriers/{mc}`) reads a carrier's negotiations and
-- bookings by the MC they name; without these it would read both tables whole.
CREATE INDEX IF NOT EXISTS negotiations_mc ON negotiations (mc_number);
CREATE INDEX IF NOT EXISTS bookings_mc ON bookings (mc_number);
