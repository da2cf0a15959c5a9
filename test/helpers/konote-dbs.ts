import type { Client } from 'pg';
import { saveProfile } from '../../src-main/core/connections/profile-store';
import { withEndpointClient } from '../../src-main/core/connections/pg-client';
import { createAuditSchema } from '../../src-main/core/sandbox/konote-schema';
import { importKeyList } from '../../src-main/core/keys/key-service';
import { makeTestContext, type TestContext } from './core-context';
import { startTestCluster, type TestCluster } from './pg-cluster';

/**
 * A throwaway cluster with KoNote's two databases (`konote`, empty, for the test's own tables;
 * `konote_audit` with audit_log) and a test core. `addProfile` then registers them as the
 * "konote" profile holding a key list.
 */
export interface KonoteDbs {
  cluster: TestCluster;
  ctx: TestContext;
  db<T>(fn: (c: Client) => Promise<T>, database?: string): Promise<T>;
  addProfile(keyList: string, schemas?: string[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startKonoteDbs(): Promise<KonoteDbs> {
  const cluster = await startTestCluster();
  const ctx = makeTestContext();
  const ep = (database: string) => ({ host: '127.0.0.1', port: cluster.port, database, user: 'postgres', sslmode: 'disable' as const });
  const db = <T>(fn: (c: Client) => Promise<T>, database = 'konote') => withEndpointClient(ep(database), cluster.password, fn);
  await db(async (c) => {
    await c.query('CREATE DATABASE konote');
    await c.query('CREATE DATABASE konote_audit');
  }, 'postgres');
  await db(createAuditSchema, 'konote_audit');
  return {
    cluster,
    ctx,
    db,
    async addProfile(keyList, schemas = ['public']) {
      await saveProfile(ctx, { name: 'konote', main: ep('konote'), audit: ep('konote_audit'), schemas, mainPassword: cluster.password, auditPassword: cluster.password });
      await importKeyList(ctx, 'konote', keyList, { source: 'imported' });
    },
    async stop() {
      await ctx.dispose();
      await cluster.stop();
    },
  };
}
