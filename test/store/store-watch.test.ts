/**
 * Readiness tells whether writes succeed (a locked, read-only or deleted SQLite file is "not ready"), a
 * locked file never freezes the process for seconds, and an emptied database refuses to start when it
 * held data before, until `plausch db init` accepts it.
 */
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { DataLossError, readMarker, resetMarker } from '../../src/store/data-marker.js';
import { openStore, type Store } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { createContact } from '../outbox/helpers.js';
import { waitFor } from '../runtime/helpers.js';
import { type RunningPlausch, startPlausch } from '../support/plausch-instance.js';

interface Ready {
  status: number;
  store: { status: string; detail?: string } | undefined;
}

async function readiness(baseUrl: string): Promise<Ready> {
  const response = await fetch(`${baseUrl}/readyz`);
  const body = (await response.json()) as {
    checks: Array<{ name: string; status: string; detail?: string }>;
  };
  return { status: response.status, store: body.checks.find((c) => c.name === 'store') };
}

describe('store watch on SQLite', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start(
    env: Record<string, string> = {},
  ): Promise<{ running: RunningPlausch; store: Store; dir: string }> {
    const dir = mkdtempSync(join(tmpdir(), 'plausch-watch-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const store = openStore({ databaseUrl: '', sqlitePath: join(dir, 'plausch.sqlite') });
    await migrateToLatest(store);
    cleanups.push(() => store.close());
    const running = await startPlausch({ store, env });
    cleanups.push(() => running.stop());
    return { running, store, dir };
  }

  it('is not ready while another process holds the write lock, and the event loop keeps running', async () => {
    const { running, store } = await start();
    expect((await readiness(running.baseUrl)).status).toBe(200);
    const other = new SQLite(store.file!.path);
    cleanups.push(() => void other.close());
    other.exec('BEGIN IMMEDIATE');
    // A write now finds the file locked: it must fail after a short wait, not block the loop for 5 s.
    const before = Date.now();
    await expect(
      sql`INSERT INTO store_probe (instance_id, written_at) VALUES ('locked', 1)`.execute(store.db),
    ).rejects.toThrow(/locked|busy/i);
    expect(Date.now() - before).toBeLessThan(2_500);
    await waitFor(async () => (await readiness(running.baseUrl)).status === 503, 'unready while locked');
    expect((await readiness(running.baseUrl)).store?.detail).toMatch(/locked/);
    other.exec('COMMIT');
    await waitFor(async () => (await readiness(running.baseUrl)).status === 200, 'ready again');
  });

  it('is not ready on a read-only database and writes nothing half', async () => {
    const { running, store } = await start();
    const raw = new SQLite(store.file!.path);
    cleanups.push(() => void raw.close());
    // The store's own connection turns read-only, like a remounted file system would make it.
    await sql`PRAGMA query_only = ON`.execute(store.db);
    await waitFor(async () => (await readiness(running.baseUrl)).status === 503, 'unready while read-only');
    expect((await readiness(running.baseUrl)).store?.detail).toMatch(/read-only|readonly/i);
    await expect(
      running.plausch.runtime.accept({
        channel: 'telegram',
        nativeId: 'ro-1',
        contactNativeId: 'ro-contact',
        text: 'hallo',
        receivedAt: new Date(),
        raw: null,
      }),
    ).rejects.toThrow();
    await sql`PRAGMA query_only = OFF`.execute(store.db);
    const counts = raw
      .prepare(
        'SELECT (SELECT count(*) FROM contacts) AS contacts, (SELECT count(*) FROM inbound_events) AS events',
      )
      .get() as { contacts: number; events: number };
    expect(counts).toEqual({ contacts: 0, events: 0 });
    await waitFor(async () => (await readiness(running.baseUrl)).status === 200, 'ready again');
  });

  it('notices the database file being deleted while running', async () => {
    const { running, store } = await start();
    const path = store.file!.path;
    for (const suffix of ['', '-wal', '-shm']) {
      try {
        unlinkSync(`${path}${suffix}`);
      } catch {
        // -wal/-shm may not exist
      }
    }
    await waitFor(async () => (await readiness(running.baseUrl)).status === 503, 'unready after deletion');
    expect((await readiness(running.baseUrl)).store?.detail).toMatch(/deleted/);
  });

  it('refuses to start on an empty database that held data, until db init accepts it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plausch-marker-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const markerPath = join(dir, 'state', 'marker.json');
    const dbPath = join(dir, 'data', 'plausch.sqlite');
    const env = { DATA_MARKER_PATH: markerPath };

    const first = openStore({ databaseUrl: '', sqlitePath: dbPath });
    await migrateToLatest(first);
    await createContact(first, 'jana');
    const running = await startPlausch({ store: first, env });
    await running.stop();
    await first.close();
    expect(readMarker(markerPath)?.hadData).toBe(true);

    // ./data is gone: the next start would silently begin with nothing.
    rmSync(join(dir, 'data'), { recursive: true, force: true });
    const empty = openStore({ databaseUrl: '', sqlitePath: dbPath });
    cleanups.push(() => empty.close());
    await migrateToLatest(empty);
    await expect(startPlausch({ store: empty, env })).rejects.toBeInstanceOf(DataLossError);

    resetMarker(markerPath, empty, new Date());
    const accepted = await startPlausch({ store: empty, env });
    cleanups.push(() => accepted.stop());
    expect((await readiness(accepted.baseUrl)).status).toBe(200);
  });
});
