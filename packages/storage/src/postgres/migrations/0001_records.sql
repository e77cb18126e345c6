-- Every document of every collection. Ids use COLLATE "C" (byte order of UTF-8 = code point order, the
-- same as SQLite and MemoryStore) so list order never depends on the server's locale, and prefix lists
-- are plain primary-key range scans.
-- doc is TEXT holding JSON, not JSONB: Mandate never queries inside documents (secondary lookups are
-- their own small records), so JSONB's parse-and-convert on every write and back on every read would be
-- pure cost; TEXT round-trips the exact string, and JSONB would reject valid JSON such as "\u0000".
CREATE TABLE records (
  collection TEXT COLLATE "C" NOT NULL,
  id TEXT COLLATE "C" NOT NULL,
  doc TEXT NOT NULL,
  version INTEGER NOT NULL,
  expires_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (collection, id)
);

-- sweep() deletes expired rows without a full scan.
CREATE INDEX records_expires_at ON records (expires_at) WHERE expires_at IS NOT NULL;
