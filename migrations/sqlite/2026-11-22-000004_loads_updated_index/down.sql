DROP INDEX loads_updated;
