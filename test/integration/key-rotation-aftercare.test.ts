import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeTestContext, type TestContext } from '../helpers/core-context';
import { sandboxDown, sandboxUp } from '../../src-main/core/sandbox/sandbox-service';
import { createBackupIdentity } from '../../src-main/core/backup/recipients';
import { setStore } from '../../src-main/core/backup/set-store';
import { withClient } from '../../src-main/core/connections/pg-client';
import { vaultAccounts } from '../../src-main/core/keys/vault';
import { keyFingerprint, keyListFingerprint } from '../../src-main/core/keys/fingerprint';
import { MultiFernet } from '../../src-main/core/keys/fernet';
import { loadRetiredKeys } from '../../src-main/core/keys/key-service';
import { custodyFor, keysForList } from '../../src-main/core/keys/custody';
import { escrowToFile, escrowToShares, escrowToSheet } from '../../src-main/core/keys/escrow/escrow-service';
import { recoverKeyList } from '../../src-main/core/keys/escrow/recover';
import { revealKeyList } from '../../src-main/core/keys/key-reveal';
import { keyHandlers } from '../../src-main/core/keys/handlers';
import { queryAudit } from '../../src-main/core/audit/audit-service';
import { emptyFilter } from '../../src-main/core/audit/filters';
import type { JobSpec, JobSummary } from '../../src-main/contract/jobs';
import type { PostRotationBackupResult, RotationRunResult } from '../../src-main/contract/keys-rotation';

/**
 * After-care of a rotation on the KoNote-shaped sandbox (real PostgreSQL, real pg_dump/pg_restore):
 * the pinned post-rotation backup, the audit row in KoNote's format, retired keys kept for older
 * backups — and the leak scan the issue asks for. Threat: key material left behind where it does
 * not belong (SQLite log, settings, job logs, backup manifests and reports, child-process argv,
 * the audit database), where anyone with a copy of those could read participant data.
 */
let ctx: TestContext;
let work: string;
const argvLog = () => path.join(work, 'argv.log');
const PASSPHRASE = 'lantern quarry obvious seventeen';

async function runJob<T>(spec: JobSpec): Promise<JobSummary & { value: T }> {
  const id = ctx.jobs.start(spec);
  const done = await ctx.jobs.wait(id);
  return Object.assign(done, { value: done.result as T });
}

/** pg_dump / pg_restore / psql wrappers that record their argv, then run the real program. */
function argvRecordingTools(dir: string): void {
  const real = '/usr/lib/postgresql/15/bin';
  for (const tool of ['pg_dump', 'pg_restore', 'psql']) {
    const f = path.join(dir, tool);
    fs.writeFileSync(f, `#!/bin/sh\nprintf '%s\\n' "${tool} $*" >> '${argvLog()}'\nexec '${real}/${tool}' "$@"\n`, { mode: 0o755 });
  }
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name));
}

beforeAll(async () => {
  ctx = makeTestContext();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-aftercare-'));
  fs.mkdirSync(path.join(work, 'tools'));
  fs.mkdirSync(path.join(work, 'backups'));
  fs.mkdirSync(path.join(work, 'escrow'));
  argvRecordingTools(path.join(work, 'tools'));
  ctx.settings.update({ toolOverrides: { folder: path.join(work, 'tools') } });
  await sandboxUp(ctx, { clients: 30, fsync: false });
  await createBackupIdentity(ctx, 'sandbox');
}, 300_000);

afterAll(async () => {
  await sandboxDown(ctx, {}).catch(() => undefined);
  await ctx?.dispose();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('rotation after-care on the sandbox', () => {
  const secrets: string[] = [];
  let oldList: string;
  let preSetId: string;

  it('prepares "new,old" without re-encrypting; a post-rotation backup is refused until verified', async () => {
    oldList = (await ctx.vault.get(vaultAccounts.fernetKeys('sandbox')))!;
    secrets.push(oldList, (await ctx.vault.get(vaultAccounts.ageIdentity('sandbox')))!, PASSPHRASE);
    await escrowToFile(ctx, 'sandbox', PASSPHRASE, path.join(work, 'escrow', 'before.age'), { workFactor: 10 });
    const pre = await runJob<{ setId: string }>({ kind: 'backup.run', profile: 'sandbox', target: path.join(work, 'backups'), format: 'custom', encrypt: true });
    expect(pre.state, JSON.stringify(pre.error)).toBe('succeeded');
    preSetId = pre.value.setId;

    const prepared = await runJob<RotationRunResult>({ kind: 'keys.rotate', profile: 'sandbox', agency: null, resume: false, incident: true, batchSize: 200, prepareOnly: true });
    expect(prepared.state, JSON.stringify(prepared.error)).toBe('succeeded');
    expect(prepared.value.verify).toBeNull();
    expect(prepared.value.status.columns.every((c) => c.reencrypted === 0 && !c.done)).toBe(true);
    const list = (await ctx.vault.get(vaultAccounts.fernetKeys('sandbox')))!;
    expect(list.split(',').slice(1).join(',')).toBe(oldList);
    secrets.push(list, list.split(',')[0]!);
    // The reveal flow hands exactly the keychain's list over (and only when asked).
    expect(await revealKeyList(ctx, 'sandbox')).toMatchObject({ keyList: list, envLine: `FIELD_ENCRYPTION_KEY=${list}`, keyCount: 2, listFingerprint: keyListFingerprint(list) });

    const before = filesUnder(path.join(work, 'backups'));
    const early = await runJob<PostRotationBackupResult>({ kind: 'keys.postRotationBackup', profile: 'sandbox', target: path.join(work, 'backups') });
    expect(early.state).toBe('failed');
    expect(early.error).toMatchObject({ kind: 'Conflict', hint: expect.stringContaining('--resume') });
    expect(filesUnder(path.join(work, 'backups'))).toEqual(before);
  }, 120_000);

  it('resumes, verifies, drops the old key (kept in the keychain as retired) and writes KoNote’s audit row', async () => {
    const run = await runJob<RotationRunResult>({ kind: 'keys.rotate', profile: 'sandbox', agency: null, resume: true, incident: true, batchSize: 200, prepareOnly: false });
    expect(run.state, JSON.stringify(run.error)).toBe('succeeded');
    expect(run.value.verify).toMatchObject({ ok: true, failed: [] });
    const newKey = (await ctx.vault.get(vaultAccounts.fernetKeys('sandbox')))!.split(',')[0]!;

    const auditBefore = await withClient(ctx, 'sandbox', 'audit', async (c) => Number((await c.query('SELECT count(*) FROM audit_log')).rows[0].count));
    const dropped = await keyHandlers(ctx)['keys.rotation.dropOld']({ profile: 'sandbox', agency: null, confirm: true });
    expect(dropped.auditRowWritten).toBe(true);
    expect(dropped.status.postBackup).toBeNull();
    expect(dropped.nextSteps.join('\n')).toMatch(/post-rotation backup/);
    expect(dropped.nextSteps.join('\n')).toMatch(/Incident: revoke old copies/);
    expect(await ctx.vault.get(vaultAccounts.fernetKeys('sandbox'))).toBe(newKey);
    // The old key left the working list but not the keychain: older backups still open.
    expect(await loadRetiredKeys(ctx, 'sandbox')).toEqual([oldList]);
    const custody = await custodyFor(ctx, 'sandbox');
    expect(custody.retainedRetired).toEqual([keyFingerprint(oldList)]);
    expect(custody.keys.find((k) => k.fingerprint === keyFingerprint(oldList))?.retiredAt).not.toBeNull();

    const rows = await withClient(ctx, 'sandbox', 'audit', async (c) =>
      (await c.query(`SELECT user_id, user_display, ip_address, action, resource_type, resource_id, program_id, old_values, new_values, metadata, is_demo_context, is_confidential_context, tenant_schema FROM audit_log ORDER BY id DESC LIMIT 1`)).rows,
    );
    expect(await withClient(ctx, 'sandbox', 'audit', async (c) => Number((await c.query('SELECT count(*) FROM audit_log')).rows[0].count))).toBe(auditBefore + 1);
    expect(rows[0]).toMatchObject({ user_id: null, user_display: 'Custodian', ip_address: null, action: 'update', resource_type: 'encryption_key_rotation', resource_id: null, old_values: null, new_values: null, is_demo_context: false, is_confidential_context: false, tenant_schema: '' });
    expect(rows[0].metadata).toMatchObject({ tool: 'custodian', scope: 'master', incident: true, old_key_fingerprints: [keyFingerprint(oldList)], new_key_fingerprint: keyFingerprint(newKey) });
    expect(rows[0].metadata.reencrypted).toBeGreaterThan(0);
    // The audit page's saved queries find it.
    for (const saved of ['key-rotations', 'custodian-actions']) {
      const page = await queryAudit(ctx, { profile: 'sandbox', filter: emptyFilter(), saved, beforeId: null, limit: 10 });
      expect(page.rows.map((r) => r.resourceType)).toContain('encryption_key_rotation');
    }
  }, 180_000);

  it('takes a verified backup pinned "post-key-rotation", labelled with the new key, that opens with it alone', async () => {
    const r = await runJob<PostRotationBackupResult>({ kind: 'keys.postRotationBackup', profile: 'sandbox', target: path.join(work, 'backups') });
    expect(r.state, JSON.stringify(r.error)).toBe('succeeded');
    expect(r.value).toMatchObject({ verified: true, pins: ['post-key-rotation'] });
    const newList = (await ctx.vault.get(vaultAccounts.fernetKeys('sandbox')))!;
    expect(r.value.keyListFingerprint).toBe(keyListFingerprint(newList));
    const set = setStore.get(ctx, r.value.setId)!;
    expect(set).toMatchObject({ state: 'verified', pins: ['post-key-rotation'] });
    // "Which key do I need for this backup?": the new key alone; the custody record counts it per key.
    expect(keysForList(ctx.log, 'sandbox', set.keyListFingerprint!)).toEqual([keyFingerprint(newList)]);
    const custody = await custodyFor(ctx, 'sandbox');
    expect(custody.keys.find((k) => k.primary)).toMatchObject({ fingerprint: keyFingerprint(newList), backupSets: 1 });
    // The backup taken before the rotation still needs the old key — kept retired in the keychain.
    expect(keysForList(ctx.log, 'sandbox', setStore.get(ctx, preSetId)!.keyListFingerprint!)).toEqual([keyFingerprint(oldList)]);
    expect(custody.keys.find((k) => k.fingerprint === keyFingerprint(oldList))).toMatchObject({ backupSets: 1, retiredAt: expect.any(String) });
    expect(custody.retainedRetired).toEqual([keyFingerprint(oldList)]);
    // The rotation now reports its backup, and the "take a backup" step is gone.
    const history = await keyHandlers(ctx)['keys.history']({ profile: 'sandbox' });
    expect(history.rotations[0]!.postBackup).toMatchObject({ setId: r.value.setId, verified: true });
    expect(history.rotations[0]!.nextSteps.join('\n')).toContain(`Post-rotation backup ${r.value.setId} was taken and verified`);
    // Every value in the database opens with the new key alone (what this backup holds).
    const newOnly = MultiFernet.parse(newList);
    const sample = await withClient(ctx, 'sandbox', 'main', async (c) => (await c.query(`SELECT _first_name_encrypted AS v FROM client_files WHERE length(_first_name_encrypted) > 0 LIMIT 5`)).rows);
    for (const row of sample) expect(() => newOnly.decrypt(row.v)).not.toThrow();
  }, 180_000);

  it('escrow copies of the new key are recorded and tested; no key material anywhere it does not belong', async () => {
    await escrowToSheet(ctx, 'sandbox', path.join(work, 'escrow', 'sheet.pdf'));
    await escrowToShares(ctx, 'sandbox', { threshold: 2, holders: ['Director', 'Treasurer', 'IT'], pdfPath: path.join(work, 'escrow', 'shares.pdf') });
    await escrowToFile(ctx, 'sandbox', PASSPHRASE, path.join(work, 'escrow', 'after.age'), { workFactor: 10 });
    const tested = await recoverKeyList(ctx, 'sandbox', { kind: 'file', path: path.join(work, 'escrow', 'after.age'), passphrase: PASSPHRASE }, { checkDatabase: true, testOnly: true });
    expect(tested).toMatchObject({ matchedCustody: true, imported: false, copiesMarkedTested: 1 });
    const custody = await custodyFor(ctx, 'sandbox');
    expect(custody.escrow.map((e) => [e.kind, e.lastTestedAt !== null])).toEqual([['sheet', false], ['split:2of3', false], ['file', true]]);
    // The escrow copy made before the rotation holds the old list: refused, nothing changed.
    await expect(recoverKeyList(ctx, 'sandbox', { kind: 'file', path: path.join(work, 'escrow', 'before.age'), passphrase: PASSPHRASE }, { checkDatabase: false, testOnly: false })).rejects.toMatchObject({ kind: 'KeyMismatch' });

    // --- The scan. Escrow copies are the only files meant to hold keys; everything else must not.
    const places: Array<[string, string]> = [];
    for (const { name } of ctx.log.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]) {
      places.push([`sqlite:${name}`, JSON.stringify(ctx.log.prepare(`SELECT * FROM "${name}"`).all())]);
    }
    for (const f of filesUnder(ctx.home).filter((f) => !f.includes(`${path.sep}sandbox${path.sep}`))) places.push([f, fs.readFileSync(f).toString('latin1')]);
    for (const f of filesUnder(path.join(work, 'backups'))) places.push([f, fs.readFileSync(f).toString('latin1')]);
    places.push(['argv', fs.readFileSync(argvLog(), 'utf8')]);
    places.push(['audit_log', await withClient(ctx, 'sandbox', 'audit', async (c) => JSON.stringify((await c.query('SELECT * FROM audit_log')).rows))]);
    expect(fs.readFileSync(argvLog(), 'utf8')).toMatch(/pg_dump .*--snapshot/); // the wrappers really ran
    expect(places.some(([p]) => p.endsWith('manifest.json'))).toBe(true);
    const newList = (await ctx.vault.get(vaultAccounts.fernetKeys('sandbox')))!;
    const keys = [...new Set([...secrets, newList, ...secrets.flatMap((s) => s.split(','))])].filter((s) => s.length >= 12);
    for (const [where, text] of places) {
      for (const k of keys) expect(text.includes(k), `key material in ${where}`).toBe(false);
    }
  }, 180_000);
});
