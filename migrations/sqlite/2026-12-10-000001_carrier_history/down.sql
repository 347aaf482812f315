DROP INDEX IF EXISTS bookings_mc;
DROP INDEX IF EXISTS negotiations_mc;
