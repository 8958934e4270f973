// Placeholder replaced by the foundation work: per-worker SQLite file and Redis prefix.
export {};
