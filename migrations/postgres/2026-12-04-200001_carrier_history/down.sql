DROP INDEX bookings_mc;
