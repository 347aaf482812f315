DROP TABLE platform_sessions;
