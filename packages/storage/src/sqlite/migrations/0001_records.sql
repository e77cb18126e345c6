-- Every document of every collection. WITHOUT ROWID: the table is the primary-key B-tree, so a get
-- by (collection, id) is one index search, and prefix lists are primary-key range scans.
CREATE TABLE records (
  collection TEXT NOT NULL,
  id TEXT NOT NULL,
  doc TEXT NOT NULL,
  version INTEGER NOT NULL,
  expires_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (collection, id)
) WITHOUT ROWID;

-- sweep() deletes expired rows without a full scan; rows without expiry are not indexed.
CREATE INDEX records_expires_at ON records (expires_at) WHERE expires_at IS NOT NULL;

-- Cross-process locks for withLock: one row per held key, with a lease so a crashed holder frees it.
CREATE TABLE locks (
  key TEXT NOT NULL PRIMARY KEY,
  owner TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
