-- The carrier page (`GET /api/v1/carriers/{mc}`) reads a carrier's bookings by the MC they
-- name (its negotiations by the pricing-memory index); without it it would read the
-- bookings table whole.
CREATE INDEX bookings_mc ON bookings (mc_number);
