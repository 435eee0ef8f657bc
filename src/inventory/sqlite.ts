import type * as Sqlite from 'node:sqlite';

/**
 * `node:sqlite`, loaded where it is used: on a Node without it the rest of devicebound runs.
 */
export function sqliteModule(): typeof Sqlite {
  const sqlite = process.getBuiltinModule?.('node:sqlite') as typeof Sqlite | undefined;
  if (!sqlite) throw new Error('this Node.js has no node:sqlite (Node.js 22.5 or newer has)');
  return sqlite;
}

/** Rows read per table: caches hold a handful of accounts; more is not a cache we know. */
const MAX_ROWS = 1000;

/**
 * Every table of an SQLite file, read-only (Node's built-in `node:sqlite`). Throws when the
 * file is not an SQLite database. BLOB columns come back as `Uint8Array`.
 */
export function readSqliteTables(file: string): Record<string, Record<string, unknown>[]> {
  const db = new (sqliteModule().DatabaseSync)(file, { readOnly: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all()
      .map((row) => String(row.name));
    const result: Record<string, Record<string, unknown>[]> = {};
    for (const table of tables) {
      const quoted = `"${table.replaceAll('"', '""')}"`;
      result[table] = db.prepare(`SELECT * FROM ${quoted} LIMIT ${MAX_ROWS}`).all() as Record<
        string,
        unknown
      >[];
    }
    return result;
  } finally {
    db.close();
  }
}
