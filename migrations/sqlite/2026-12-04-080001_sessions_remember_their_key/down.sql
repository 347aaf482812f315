DROP INDEX dashboard_sessions_key;
ALTER TABLE dashboard_sessions DROP COLUMN key_hash;
