import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardHealth } from '../../src-main/core/dashboard/health';
import { suspiciousTile } from '../../src-main/core/dashboard/suspicious-tile';
import { saveProfile } from '../../src-main/core/connections/profile-store';
import { contract } from '../../src-main/contract/channels';
import { memoryCore } from '../helpers/memory-core';

/**
 * The dashboard's "suspicious activity" tile when the audit database cannot answer. Threat
 * covered: a slow or silent audit server freezing the whole dashboard (every tile waits for it),
 * or a failure shown as a reassuring "none found". The ok/warn counts against a real audit_log
 * are in test/integration/dashboard-suspicious.test.ts.
 */

/** A TCP peer that accepts connections and never says a word: PostgreSQL's startup never completes. */
let silent: net.Server;
const sockets = new Set<net.Socket>();
let silentPort = 0;
let closedPort = 0;

beforeAll(async () => {
  silent = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  silentPort = (silent.address() as net.AddressInfo).port;
  // A port that was free a moment ago: nothing listens there, so connects are refused.
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closedPort = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => silent.close(() => r()));
});

const ep = (port: number, database: string) => ({ host: '127.0.0.1', port, database, user: 'audit_reader', sslmode: 'disable' as const });
async function coreWith(port: number) {
  const core = memoryCore();
  await saveProfile(core, { name: 'Office', main: ep(port, 'konote'), audit: ep(port, 'konote_audit'), schemas: ['public'], auditPassword: 'pw' });
  return core;
}

describe('dashboard tile: suspicious activity (audit database out of reach)', () => {
  it('is "not known" with no profile and for a profile that does not exist', async () => {
    const core = memoryCore();
    expect(await suspiciousTile(core, null)).toMatchObject({ id: 'suspicious', status: 'unknown', messageKey: 'health.noProfile' });
    expect(await suspiciousTile(core, 'Ghost')).toMatchObject({ status: 'unknown', messageKey: 'health.suspicious.unreachable', values: { reason: expect.stringMatching(/Ghost/) } });
  });

  it('is "not known" (never "none found") when the audit server refuses the connection', async () => {
    const tile = await suspiciousTile(await coreWith(closedPort), 'Office');
    expect(tile).toMatchObject({ status: 'unknown', messageKey: 'health.suspicious.unreachable', values: { days: 7 } });
    expect(String(tile.values.reason)).not.toBe('');
  });

  it('a server that never answers costs the dashboard at most the 3 s bound, and every other tile is still there', { timeout: 20_000 }, async () => {
    const core = await coreWith(silentPort);
    const started = Date.now();
    const tiles = await dashboardHealth(core, 'Office');
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(2900);
    expect(elapsed).toBeLessThan(4500);
    expect(sockets.size).toBeGreaterThan(0); // it really tried the server
    expect(tiles.map((t) => t.id)).toEqual(['lastBackup', 'lastDrill', 'keyAge', 'escrow', 'auditLockdown', 'suspicious']);
    expect(tiles.find((t) => t.id === 'suspicious')).toMatchObject({ status: 'unknown', messageKey: 'health.suspicious.timeout', values: { seconds: 3, days: 7 } });
    expect(contract['dashboard.health'].output.parse(tiles)).toEqual(tiles);
  });

  it('honours a shorter bound', async () => {
    const started = Date.now();
    const tile = await suspiciousTile(await coreWith(silentPort), 'Office', 400);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(tile).toMatchObject({ status: 'unknown', messageKey: 'health.suspicious.timeout' });
  });
});
