import type { Client } from 'pg';
import { withEndpointClient } from '../../src-main/core/connections/pg-client';
import { AUDIT_DDL } from '../../src-main/core/sandbox/konote-ddl';
import { emptyFilter } from '../../src-main/core/audit/filters';
import { queryAuditPage } from '../../src-main/core/audit/query';
import { CURRENT_ROW_FORMAT, blockDigests } from '../../src-main/core/audit/checkpoint-hash';
import { startTestCluster } from '../../test/helpers/pg-cluster';
import type { Benchmark } from './run';

/**
 * Audit review on a large audit_log with only its primary key (as KoNote ships it): the first
 * page (50 rows) of a 7-day filter — Custodian's primary-key probes + keyset page — versus the
 * naive `WHERE event_timestamp >= … ORDER BY event_timestamp DESC LIMIT 50` (a full scan and
 * sort) on the same table in the same run. Ratio = naive median / Custodian median (higher is
 * better); the goal is also ≤ 100 ms median for Custodian. Reports a full checkpoint's time too.
 * BENCH_AUDIT_ROWS sets the size (default 5 000 000; e.g. 200000 for a quick check).
 */
const ROWS = Number(process.env.BENCH_AUDIT_ROWS ?? 5_000_000);
const SPAN_DAYS = 120;
const RUNS = 15;
const NAIVE_RUNS = 5;

async function fill(c: Client, n: number): Promise<void> {
  await c.query(AUDIT_DDL);
  await c.query('SET synchronous_commit = off');
  const end = Date.now() - 60_000;
  const step = (SPAN_DAYS * 86_400_000) / n;
  for (let from = 1; from <= n; from += 500_000) {
    const to = Math.min(n, from + 499_999);
    // Server-side generation: ids ascend with time, a KoNote-like mix of actions and metadata.
    await c.query(
      `INSERT INTO audit_log (id, event_timestamp, user_id, user_display, ip_address, action, resource_type, resource_id, program_id, old_values, new_values, metadata, is_demo_context, is_confidential_context, tenant_schema)
       SELECT i, to_timestamp(($3::float8 - ($2::bigint - i) * $4::float8) / 1000), 1 + i % 40, 'Staff ' || (i % 40), ('10.0.' || (i % 20) || '.' || (2 + i % 250))::inet,
              (ARRAY['view','view','view','post','login','update','create','logout','login_failed','export'])[1 + i % 10], 'client_file', i % 5000, 1 + i % 6, NULL, NULL,
              jsonb_build_object('path', '/clients/' || (i % 5000) || '/'), false, false, ''
         FROM generate_series($1::bigint, $5::bigint) AS i`,
      [from, n, end, step, to],
    );
  }
  await c.query('ANALYZE audit_log');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

const bench: Benchmark = {
  name: 'audit first page (7-day filter) vs naive ORDER BY event_timestamp',
  goal: '>= 20 (naive time / Custodian time), Custodian median <= 100 ms',
  minRatio: 20,
  async run() {
    const cluster = await startTestCluster({ settings: { shared_buffers: '256MB', max_wal_size: '4GB' } });
    try {
      const ep = { host: cluster.host, port: cluster.port, database: 'postgres', user: 'postgres', sslmode: 'disable' as const };
      return await withEndpointClient(ep, cluster.password, async (c) => {
        const t0 = performance.now();
        await fill(c, ROWS);
        const fillS = (performance.now() - t0) / 1000;
        const filter = emptyFilter({ since: '7d' });
        let firstRows = 0;
        const ours: number[] = [];
        for (let i = 0; i < RUNS; i++) ours.push(await time(async () => (firstRows = (await queryAuditPage(c, filter, { beforeId: null, limit: 50 })).rows.length)));
        const naive: number[] = [];
        let naiveRows = 0;
        for (let i = 0; i < NAIVE_RUNS; i++) {
          naive.push(await time(async () => (naiveRows = (await c.query(`SELECT * FROM audit_log WHERE event_timestamp >= now() - interval '7 days' ORDER BY event_timestamp DESC LIMIT 50`)).rowCount ?? 0)));
        }
        if (firstRows !== 50 || naiveRows !== 50) throw new Error(`expected 50 rows from both, got ${firstRows} and ${naiveRows}`);
        const max = Number((await c.query<{ m: string }>('SELECT max(id)::text AS m FROM audit_log')).rows[0]!.m);
        const checkpointMs = await time(() => blockDigests(c, 0, max, { format: CURRENT_ROW_FORMAT }));
        const m = median(ours);
        return {
          ratio: median(naive) / m,
          detail: `${ROWS.toLocaleString('en')} rows (filled in ${fillS.toFixed(0)} s): Custodian median ${m.toFixed(1)} ms (goal <= 100: ${m <= 100 ? 'met' : 'NOT met'}), naive ${median(naive).toFixed(0)} ms; full checkpoint ${(checkpointMs / 1000).toFixed(1)} s`,
        };
      });
    } finally {
      await cluster.stop();
    }
  },
};
export default bench;
