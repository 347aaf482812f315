-- The search index follows changes to loads by updated_at.
CREATE INDEX loads_updated ON loads (updated_at);
