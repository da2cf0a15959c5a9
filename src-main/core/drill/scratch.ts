import type { Client } from 'pg';
import type { DatabaseEndpoint } from '../../contract/profiles';
import { AppError } from '../common/errors';
import { quoteIdent } from '../common/sql';
import { withEndpointClient } from '../connections/pg-client';
import { isScratchName } from './restore-args';

/**
 * Scratch databases of a drill, on the profile's main server, created and dropped through the
 * main endpoint's own connection (CREATE/DROP DATABASE need no particular current database).
 * Every statement is guarded by the scratch-name check: a drill can never drop production.
 */

export interface ScratchServer {
  endpoint: DatabaseEndpoint;
  password: string | null;
}

function assertScratch(name: string, production: string[]): void {
  if (!isScratchName(name) || production.includes(name)) {
    throw new AppError('Forbidden', `Refusing to use "${name}" as a drill database: it is not a Custodian scratch database.`, 'Drills only restore into databases named custodian_drill_…; production is never touched.');
  }
}

export async function existingDatabases(server: ScratchServer, names: string[]): Promise<string[]> {
  return withEndpointClient(server.endpoint, server.password, async (c) => (await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname = ANY($1::text[])`, [names])).rows.map((r) => r.datname));
}

export async function createScratch(server: ScratchServer, names: string[], production: string[]): Promise<void> {
  names.forEach((n) => assertScratch(n, production));
  await withEndpointClient(server.endpoint, server.password, async (c) => {
    // template0: an empty database, whatever was added to template1 on this server.
    for (const n of names) await c.query(`CREATE DATABASE ${quoteIdent(n)} TEMPLATE template0`);
  });
}

/** Drops scratch databases (disconnecting any session left in them). Missing ones are fine. */
export async function dropScratch(server: ScratchServer, names: string[], production: string[]): Promise<void> {
  names.forEach((n) => assertScratch(n, production));
  await withEndpointClient(server.endpoint, server.password, async (c) => {
    const major = Math.floor(Number((await c.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`)).rows[0]!.v) / 10000);
    for (const n of names) await dropDatabaseDisconnecting(c, n, major);
  });
}

/**
 * DROP DATABASE, disconnecting sessions first. WITH (FORCE) refuses when any session belongs to a
 * role we may not signal — and right after a large restore that is usually an autovacuum worker
 * (no role at all). Then: end our own sessions, and let a plain DROP cancel autovacuum itself
 * (PostgreSQL does that for DROP DATABASE), retrying while a worker is still winding down.
 */
export async function dropDatabaseDisconnecting(c: Client, name: string, serverMajor: number): Promise<void> {
  if (serverMajor >= 13) {
    try {
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      return;
    } catch (e) {
      if ((e as { code?: string }).code !== '42501') throw e;
    }
  }
  for (let attempt = 1; ; attempt++) {
    await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND usename = current_user`, [name]);
    try {
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
      return;
    } catch (e) {
      // 55006: "being accessed by other users" — a worker that has not exited yet.
      if ((e as { code?: string }).code !== '55006' || attempt >= 10) throw e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
