#!/usr/bin/env python3
"""SQLite's own floor for the HR import's write: the people a `flipside import people` stored, inserted
again by Python's sqlite3 into a fresh file with the same table and indexes (no triggers), 2,000 rows a
statement, in one transaction, with the import's page cache. This machine's speed drifts: run it next
to an import to see how fast SQLite is here and now.

    python3 scripts/bench-sqlite-floor.py /tmp/i.sqlite [runs]
"""
import os
import sqlite3
import sys
import time

source, runs = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3
stored = sqlite3.connect(source)
rows = stored.execute("SELECT * FROM people").fetchall()
schema = [sql for (sql,) in stored.execute(
    "SELECT sql FROM sqlite_master WHERE tbl_name = 'people' AND type IN ('table', 'index') AND sql IS NOT NULL ORDER BY type DESC")]
target = "/tmp/flipside-sqlite-floor.sqlite"
insert = f"INSERT INTO people VALUES ({', '.join('?' * len(rows[0]))})"
for run in range(runs):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(target + suffix):
            os.remove(target + suffix)
    db = sqlite3.connect(target, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA cache_size = -65536")
    for sql in schema:
        db.execute(sql)
    db.execute("BEGIN")
    started = time.perf_counter()
    for start in range(0, len(rows), 2000):
        db.executemany(insert, rows[start:start + 2000])
    inserted = time.perf_counter()
    db.execute("COMMIT")
    committed = time.perf_counter()
    db.close()
    print(f"{len(rows)} rows: insert {inserted - started:.3f} s, commit {committed - inserted:.3f} s")
