// `inventory --format osquery-atc --output FILE`: the report as a SQLite database with one table,
// `devicebound_credentials`, one row per entry, whose columns mirror the inventory entry. osquery's
// Automatic Table Construction (ATC) exposes such a table on every host (docs/fleet.md has the
// configuration), so fleet managers built on osquery (Fleet, Kolide…) query it fleet-wide:
//
//   SELECT * FROM devicebound_credentials WHERE severity IN ('critical', 'high');
//
// Fingerprints and facts only, never a secret: the same data as the JSON report.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InventoryReport } from '../model.ts';
import { sqliteModule } from '../sqlite.ts';
import { entryFleetKey, homePath } from './describe.ts';

/** The table's columns, in order, with their SQLite types (docs/fleet.md lists them). */
export const ATC_COLUMNS = [
  ['fleet_key', 'TEXT'],
  ['tool', 'TEXT'],
  ['tool_name', 'TEXT'],
  ['home', 'TEXT'],
  ['path', 'TEXT'],
  ['relative_path', 'TEXT'],
  ['label', 'TEXT'],
  ['status', 'TEXT'],
  ['severity', 'TEXT'],
  ['kinds', 'TEXT'],
  ['credential_count', 'INTEGER'],
  ['fingerprints', 'TEXT'],
  ['storage', 'TEXT'],
  ['unattended_renewal', 'INTEGER'],
  ['expires_at', 'TEXT'],
  ['expired', 'INTEGER'],
  ['age_seconds', 'INTEGER'],
  ['mode', 'TEXT'],
  ['owner', 'TEXT'],
  ['readable_by', 'TEXT'],
  ['notes', 'TEXT'],
  ['scanned_at', 'TEXT'],
  ['devicebound_version', 'TEXT'],
] as const;

export const ATC_TABLE = 'devicebound_credentials';

/**
 * The osquery configuration that exposes the database as the `devicebound_credentials` table on
 * every host (docs/fleet.md shows it for `/var/lib/devicebound/inventory.db`).
 */
export function atcConfiguration(path: string): Record<string, unknown> {
  const columns = ATC_COLUMNS.map(([name]) => name);
  return {
    auto_table_construction: {
      [ATC_TABLE]: {
        query: `SELECT ${columns.join(', ')} FROM ${ATC_TABLE}`,
        path,
        columns,
        platform: 'posix',
      },
    },
  };
}

type Row = Record<(typeof ATC_COLUMNS)[number][0], string | number | null>;

export function renderInventoryAtc(report: InventoryReport): Uint8Array {
  const { DatabaseSync } = sqliteModule();
  // A file, not `:memory:`: `serialize()` is newer than the Node.js versions devicebound runs on.
  const dir = mkdtempSync(join(tmpdir(), 'devicebound-atc-'));
  try {
    const file = join(dir, 'inventory.db');
    const db = new DatabaseSync(file);
    try {
      // The file is read back whole and then removed: no rollback journal, no waiting for the
      // disk at COMMIT. The database it gives is the same.
      db.exec('PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF');
      db.exec(
        `CREATE TABLE ${ATC_TABLE} (${ATC_COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ')})`,
      );
      const insert = db.prepare(
        `INSERT INTO ${ATC_TABLE} (${ATC_COLUMNS.map(([name]) => name).join(', ')}) VALUES (${ATC_COLUMNS.map(() => '?').join(', ')})`,
      );
      db.exec('BEGIN');
      for (const entry of report.entries) {
        const row: Row = {
          fleet_key: entryFleetKey(entry),
          tool: entry.tool,
          tool_name: entry.toolName,
          home: entry.home,
          path: entry.path,
          relative_path: homePath(entry).replace(/^~\//, ''),
          label: entry.label ?? null,
          status: entry.status,
          severity: entry.severity,
          kinds: entry.kinds.join(','),
          credential_count: entry.credentials.length,
          fingerprints: entry.credentials
            .flatMap((c) => (c.fingerprint ? [`${c.kind}=${c.fingerprint}`] : []))
            .join(','),
          storage: entry.storage,
          unattended_renewal: entry.unattendedRenewal ? 1 : 0,
          expires_at: entry.expiresAt ?? null,
          expired: entry.expired === undefined ? null : entry.expired ? 1 : 0,
          age_seconds: entry.ageSeconds,
          mode: entry.mode,
          owner: entry.owner,
          readable_by: entry.readableBy,
          notes: entry.notes.join('; '),
          scanned_at: report.createdAt,
          devicebound_version: report.tool.version,
        };
        insert.run(...ATC_COLUMNS.map(([name]) => row[name]));
      }
      db.exec('COMMIT');
    } finally {
      db.close();
    }
    return readFileSync(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
