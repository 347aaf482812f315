DROP TABLE events;
DROP TABLE rep_rotation;
DROP TABLE bookings;
DROP TABLE negotiation_rounds;
DROP TABLE negotiations;
DROP TABLE calls;
