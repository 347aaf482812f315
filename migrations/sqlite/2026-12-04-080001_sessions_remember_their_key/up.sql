-- A session remembers the key that opened it (the key's SHA-256, as in api_keys.key_hash)
-- so that revoking the key, or removing it from API_KEYS, ends the session. Sessions
-- opened before this column existed cannot say which key opened them: they end here.
DELETE FROM dashboard_sessions;
ALTER TABLE dashboard_sessions ADD COLUMN key_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX dashboard_sessions_key ON dashboard_sessions (key_hash);
