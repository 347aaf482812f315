DROP TABLE dashboard_sessions;
DROP TABLE api_keys;
DROP TABLE searches;
DROP TABLE loads;
