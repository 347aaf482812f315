DROP TABLE load_feed;
ALTER TABLE loads DROP COLUMN status_reason;
