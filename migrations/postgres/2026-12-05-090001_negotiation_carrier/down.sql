-- Nothing to undo: the filled MCs are the calls' own.
SELECT 1;
