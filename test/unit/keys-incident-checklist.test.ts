import { registerKeyCommands } from '../../src-main/cli/key';
import { contract } from '../../src-main/contract/channels';
import { saveProfile } from '../../src-main/core/connections/profile-store';
import { keyHandlers } from '../../src-main/core/keys/handlers';
import { checklistOf, latestIncidentRotation, tickIncidentStep } from '../../src-main/core/keys/rotation/incident-checklist';
import { createRotation, getRotation, setRotationState } from '../../src-main/core/keys/rotation/rotation-store';
import { osUser } from '../../src-main/core/common/os-user';
import { statusOf } from '../../src-main/core/keys/rotation/rotation-steps';
import { cliRunner } from '../helpers/cli-harness';
import { memoryCore } from '../helpers/memory-core';

/** Incident mode's scenario D checklist: the user's ticks are kept with the rotation (who, when). */
const endpoint = { host: 'localhost', port: 5432, database: 'konote', user: 'konote', sslmode: 'disable' as const };

async function setup() {
  const ctx = memoryCore();
  await saveProfile(ctx, { name: 'office', main: endpoint, audit: { ...endpoint, database: 'konote_audit' }, schemas: ['public'] });
  const rotation = (incident: boolean) => createRotation(ctx.log, { profile: 'office', agency: null, incident, oldFingerprints: ['aaaa-aaaa'], newFingerprint: 'bbbb-bbbb' });
  return { ctx, rotation };
}

describe('incident checklist', () => {
  it('keeps ticks with who and when; a second tick keeps the first time; unticking removes it', async () => {
    const { ctx, rotation } = await setup();
    const id = rotation(true);
    const first = tickIncidentStep(ctx, 'office', id, 'findLeak', true);
    expect(first.checklist).toEqual([{ step: 'findLeak', tickedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), by: osUser() }]);
    const again = tickIncidentStep(ctx, 'office', id, 'findLeak', true);
    expect(again.checklist[0]!.tickedAt).toBe(first.checklist[0]!.tickedAt);
    tickIncidentStep(ctx, 'office', id, 'reviewAudit', true);
    expect(getRotation(ctx.log, id)!.checklist.map((c) => c.step).sort()).toEqual(['findLeak', 'reviewAudit']);
    expect(tickIncidentStep(ctx, 'office', id, 'findLeak', false).checklist.map((c) => c.step)).toEqual(['reviewAudit']);
  });

  it('refuses a rotation that is not an incident one, or of another deployment, and records nothing', async () => {
    const { ctx, rotation } = await setup();
    const normal = rotation(false);
    expect(() => tickIncidentStep(ctx, 'office', normal, 'findLeak', true)).toThrow(expect.objectContaining({ kind: 'Validation', hint: expect.stringContaining('--incident') }));
    const incident = rotation(true);
    expect(() => tickIncidentStep(ctx, 'elsewhere', incident, 'findLeak', true)).toThrow(expect.objectContaining({ kind: 'NotFound' }));
    expect(getRotation(ctx.log, normal)!.checklist).toEqual([]);
    expect(getRotation(ctx.log, incident)!.checklist).toEqual([]);
  });

  it('combines what Custodian checks with the user\'s ticks', async () => {
    const { ctx, rotation } = await setup();
    const id = rotation(true);
    tickIncidentStep(ctx, 'office', id, 'revokeCopies', true);
    let items = checklistOf(latestIncidentRotation(ctx, 'office')!, 1);
    expect(items.filter((i) => i.done).map((i) => i.step)).toEqual(['revokeCopies']); // not rotated yet: escrow copies are of the old list
    setRotationState(ctx.log, id, 'verified');
    setRotationState(ctx.log, id, 'completed');
    items = checklistOf(latestIncidentRotation(ctx, 'office')!, 1);
    expect(items.filter((i) => i.done).map((i) => [i.step, i.by])).toEqual([['rotated', 'Custodian'], ['newEscrow', 'Custodian'], ['revokeCopies', osUser()]]);
    expect(items.find((i) => i.step === 'backupTaken')).toMatchObject({ done: false, by: null });
  });

  it('the incident’s "fresh backup" step leaves the next steps once the pinned backup is verified', async () => {
    const { ctx, rotation } = await setup();
    const id = rotation(true);
    setRotationState(ctx.log, id, 'verified');
    setRotationState(ctx.log, id, 'completed');
    const r = getRotation(ctx.log, id)!;
    const backupStep = (steps: string[]) => steps.filter((x) => x.startsWith('Incident: take a fresh backup'));
    expect(backupStep(statusOf(r, null).nextSteps)).toHaveLength(1);
    expect(backupStep(statusOf(r, { setId: 's', createdAt: r.completedAt!, state: 'unverified', verified: false }).nextSteps)).toHaveLength(1);
    const done = statusOf(r, { setId: 's', createdAt: r.completedAt!, state: 'verified', verified: true }).nextSteps;
    expect(backupStep(done)).toEqual([]);
    expect(done.some((x) => x.startsWith('Incident: find the leak'))).toBe(true);
  });

  it('through the IPC contract: a bad step or id is refused by the contract itself', async () => {
    const { ctx, rotation } = await setup();
    const id = rotation(true);
    const input = contract['keys.rotation.checklist'].input.parse({ profile: 'office', rotationId: id, step: 'otherSecrets', ticked: true });
    const out = contract['keys.rotation.checklist'].output.parse(await keyHandlers(ctx)['keys.rotation.checklist'](input));
    expect(out.checklist.map((c) => c.step)).toEqual(['otherSecrets']);
    expect(() => contract['keys.rotation.checklist'].input.parse({ profile: 'office', rotationId: id, step: 'rotated', ticked: true })).toThrow();
    expect(() => contract['keys.rotation.checklist'].input.parse({ profile: 'office', rotationId: 'x', step: 'findLeak', ticked: true })).toThrow();
  });

  it('custodian key incident: --tick records, a wrong step name records nothing, no incident rotation is a clear error', async () => {
    const { ctx, rotation } = await setup();
    const run = cliRunner(ctx, registerKeyCommands);
    const none = await run('key', 'incident', '--json');
    expect(none.code).toBe(1);
    expect(JSON.parse(none.out).error).toMatchObject({ kind: 'NotFound', hint: expect.stringContaining('custodian key rotate --incident') });

    const id = rotation(true);
    const bad = await run('key', 'incident', '--tick', 'find-leak', 'no-such-step', '--json');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out).error).toMatchObject({ kind: 'Validation', message: '"no-such-step" is not a step you can tick.' });
    expect(getRotation(ctx.log, id)!.checklist).toEqual([]);

    const ok = await run('key', 'incident', '--tick', 'find-leak', 'revoke-copies', '--json');
    const doc = JSON.parse(ok.out) as { rotationId: string; items: { step: string; done: boolean; by: string | null }[] };
    expect(doc.rotationId).toBe(id);
    expect(doc.items.filter((i) => i.done).map((i) => i.step)).toEqual(['revokeCopies', 'findLeak']);
    expect(ok.code).toBe(1); // steps are still open

    const human = await run('key', 'incident', '--untick', 'find-leak');
    expect(human.out).toContain('[x] Revoke old copies');
    expect(human.out).toContain('[ ] Find where the key leaked');
    expect(human.out).toContain('(tick with --tick find-leak)');
    expect(human.out).toContain('6 step(s) still open.');
    expect((await run('key', 'history')).out).toContain('1 of 4 of your own steps ticked (see "custodian key incident")');
  });
});
