import type { Command } from 'commander';
import type { CliEnv } from './main';
import { printResult, table, type OutputOptions } from './output';
import { runJobFromCli } from './run-job';
import { describeCustody } from './key';
import { AppError } from '../core/common/errors';
import { resolveProfile } from '../core/connections/profile-store';
import { custodyFor } from '../core/keys/custody';
import { dropOldKey } from '../core/keys/rotation/drop-old';
import { rotationHistory } from '../core/keys/rotation/post-backup-lookup';
import { checklistOf, latestIncidentRotation, STEP_TEXT, tickIncidentStep, USER_STEPS, type ChecklistItem } from '../core/keys/rotation/incident-checklist';
import type { DropOldResult, IncidentStep, KeyHistory, PostRotationBackupResult, RotationDryRun, RotationRunResult } from '../contract/keys-rotation';
import { toErrorData } from '../core/common/errors';

/**
 * `custodian key rotate [--dry-run|--resume] [--incident]`, `custodian key drop-old --yes`,
 * `custodian key incident [--tick STEP]`, `custodian key history`. The rotation itself runs as a
 * job (persisted, cancellable with Ctrl+C, resumable), exactly as the app runs it.
 */

interface RotateOpts extends OutputOptions {
  profile?: string;
  agency?: string;
  dryRun?: boolean;
  resume?: boolean;
  prepare?: boolean;
  incident?: boolean;
  batchSize: string;
}

export function registerKeyRotateCommands(key: Command, env: CliEnv): void {
  key
    .command('rotate')
    .description('Re-encrypt every encrypted column with a new key (dry run first; resumable; the old key is dropped separately)')
    .option('--dry-run', 'only count, per column: to re-encrypt, already new, empty, and rows no key opens')
    .option('--resume', 'continue the rotation under way (after a stop, crash or cancel)')
    .option('--prepare', 'only make the new key and the "new,old" list (give KoNote that list and restart it), then re-encrypt with --resume')
    .option('--incident', 'the key is compromised: same rotation, with the incident checklist')
    .option('--agency <schema>', "rotate one agency's own key (multi-agency deployments) instead of the master key")
    .option('--batch-size <n>', 'rows per transaction', '2000')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--json', 'print one JSON document')
    .action((opts: RotateOpts) =>
      env.action(opts, async (core) => {
        const profile = resolveProfile(core, opts.profile);
        const agency = opts.agency ?? null;
        if (opts.dryRun) {
          const r = await runJobFromCli<RotationDryRun>(core, { kind: 'keys.rotationDryRun', profile: profile.name, agency }, opts);
          printResult(opts, r, describeDryRun);
          return r.ok;
        }
        const batchSize = Number(opts.batchSize);
        if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new AppError('Validation', `--batch-size must be a whole number from 1 to 10000 (got "${opts.batchSize}").`, 'For example: --batch-size 2000');
        const r = await runJobFromCli<RotationRunResult>(core, { kind: 'keys.rotate', profile: profile.name, agency, resume: !!opts.resume, incident: !!opts.incident, batchSize, prepareOnly: !!opts.prepare }, opts);
        printResult(opts, r, describeRun);
        return r.verify?.ok ?? true;
      }),
    );

  key
    .command('drop-old')
    .description('After a verified rotation, remove the old key from the list (kept retired in the keychain for older backups), write the audit row and take a pinned backup')
    .option('--yes', 'confirm: every value has been shown to open with the new key alone')
    .option('--agency <schema>', 'finish an agency key rotation')
    .option('--no-backup', 'do not take the pinned post-rotation backup right away (take it later with "key post-rotation-backup")')
    .option('--target <folder>', 'folder for the post-rotation backup (default: the usual backup folder)')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--json', 'print one JSON document')
    .action((opts: OutputOptions & { yes?: boolean; agency?: string; profile?: string; backup: boolean; target?: string }) =>
      env.action(opts, async (core) => {
        if (!opts.yes) throw new AppError('Validation', 'Dropping the old key needs --yes.', 'Run "custodian key rotate --resume" first if it has not finished; then "custodian key drop-old --yes".');
        const profile = resolveProfile(core, opts.profile);
        const dropped = await dropOldKey(core, profile.name, opts.agency ?? null);
        if (!opts.backup) {
          printResult(opts, { ...dropped, postBackup: null }, describeDrop);
          return;
        }
        // The old key is already gone from the list; a failed backup is reported, not undone.
        let postBackup: PostRotationBackupResult | null = null;
        let backupError: { kind: string; message: string; hint?: string } | null = null;
        try {
          postBackup = await runJobFromCli<PostRotationBackupResult>(core, { kind: 'keys.postRotationBackup', profile: profile.name, target: opts.target }, opts);
        } catch (e) {
          backupError = toErrorData(e);
        }
        printResult(opts, { ...dropped, postBackup, backupError }, describeDrop);
        return postBackup?.verified ?? false;
      }),
    );

  key
    .command('post-rotation-backup')
    .description('Take a fresh backup after a verified rotation and pin it "post-key-rotation" (drop-old does this by default)')
    .option('--target <folder>', 'backup folder (default: the usual backup folder)')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--json', 'print one JSON document')
    .action((opts: OutputOptions & { profile?: string; target?: string }) =>
      env.action(opts, async (core) => {
        const profile = resolveProfile(core, opts.profile);
        const r = await runJobFromCli<PostRotationBackupResult>(core, { kind: 'keys.postRotationBackup', profile: profile.name, target: opts.target }, opts);
        printResult(opts, r, describePostBackup);
        return r.verified;
      }),
    );

  key
    .command('incident')
    .description('The incident checklist of the latest "key compromised" rotation; --tick / --untick record your own steps (with who and when)')
    .option('--tick <steps...>', `steps you have done: ${USER_STEPS.map(kebab).join(', ')}`)
    .option('--untick <steps...>', 'steps to mark as not done again')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--json', 'print one JSON document')
    .action((opts: OutputOptions & { profile?: string; tick?: string[]; untick?: string[] }) =>
      env.action(opts, async (core) => {
        const profile = resolveProfile(core, opts.profile);
        // Every step name is checked before anything is recorded.
        const ticks = (opts.tick ?? []).map((x) => [stepOf(x), true] as const);
        const unticks = (opts.untick ?? []).map((x) => [stepOf(x), false] as const);
        let status = latestIncidentRotation(core, profile.name);
        if (!status) throw new AppError('NotFound', `"${profile.name}" has no incident rotation.`, 'If the key may have leaked, start one with "custodian key rotate --incident" (or Keys > Rotation > The key is compromised).');
        for (const [step, ticked] of [...ticks, ...unticks]) status = tickIncidentStep(core, profile.name, status.id, step, ticked);
        const custody = await custodyFor(core, profile.name);
        const items = checklistOf(status, custody.escrow.length);
        printResult(opts, { rotationId: status.id, state: status.state, startedAt: status.startedAt, items }, describeIncident);
        return items.every((i) => i.done);
      }),
    );

  key
    .command('history')
    .description('Key custody history: every key (fingerprint), when it became primary or was retired, escrow copies, rotations')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--json', 'print one JSON document')
    .action((opts: OutputOptions & { profile?: string }) =>
      env.action(opts, async (core) => {
        const profile = resolveProfile(core, opts.profile);
        const h: KeyHistory = { custody: await custodyFor(core, profile.name), rotations: rotationHistory(core, profile.name) };
        printResult(opts, h, describeHistory);
      }),
    );
}

function describeDryRun(r: RotationDryRun): string {
  const rows = [['COLUMN', 'TO RE-ENCRYPT', 'ALREADY NEW', 'EMPTY', 'NO KEY OPENS']];
  for (const c of r.columns) rows.push([`${c.schema}.${c.table}.${c.column}`, String(c.toReencrypt), String(c.alreadyNew), String(c.empty), String(c.undecryptableCount)]);
  const bad = r.columns.filter((c) => c.undecryptableCount > 0).map((c) => `  ${c.schema}.${c.table}.${c.column}: id ${c.undecryptable.join(', ')}${c.undecryptableCount > c.undecryptable.length ? ' ...' : ''}`);
  return [
    `Dry run for "${r.profile}"${r.agency ? ` (agency ${r.agency})` : ''}: nothing was changed.`,
    table(rows),
    `Total: ${r.totals.toReencrypt} to re-encrypt, ${r.totals.alreadyNew} already under the new key, ${r.totals.empty} empty, ${r.totals.undecryptable} that no key opens.`,
    ...(bad.length ? ['Rows no key opens (rotation is refused until they are explained):', ...bad] : []),
    ...(r.unsupported.length ? [`Columns without a single-column primary key (cannot be rotated): ${r.unsupported.join(', ')}`] : []),
    r.ok ? 'Ready: take a backup, then run "custodian key rotate".' : 'Not ready to rotate.',
  ].join('\n');
}

function describeRun(r: RotationRunResult): string {
  const s = r.status;
  const sum = (k: 'reencrypted' | 'alreadyNew' | 'empty' | 'conflicts') => s.columns.reduce((n, c) => n + c[k], 0);
  const who = `Rotation to key ${s.newFingerprint} for "${s.profile}"${s.agency ? ` (agency ${s.agency})` : ''}`;
  return [
    r.verify ? `${who}: ${sum('reencrypted')} values re-encrypted, ${sum('alreadyNew')} already new, ${sum('empty')} empty, ${sum('conflicts')} changed by KoNote meanwhile (re-read, not overwritten).` : `${who}: started.`,
    !r.verify ? `Prepared: the key list is now "new,old" (${s.newFingerprint} first); nothing is re-encrypted yet.` : r.verify.ok ? `Check passed: all ${r.verify.checked} values open with the new key alone.` : `Check FAILED: ${r.verify.failed.length} values do not open with the new key alone:\n${r.verify.failed.slice(0, 20).map((f) => `  ${f.schema}.${f.table}.${f.column} id ${f.id}`).join('\n')}`,
    'Next:',
    ...s.nextSteps.map((x) => `  - ${x}`),
  ].join('\n');
}

type DropOutput = DropOldResult & { postBackup: PostRotationBackupResult | null; backupError?: { message: string; hint?: string } | null };

function describePostBackup(r: PostRotationBackupResult): string {
  return r.verified
    ? `Backup set ${r.setId} taken, verified and pinned "post-key-rotation" (${r.dir}).`
    : `Backup set ${r.setId} was written and pinned but did NOT pass verification; take another with "custodian key post-rotation-backup".`;
}

function describeDrop(r: DropOutput): string {
  const steps = r.postBackup ? r.nextSteps.filter((s) => !s.startsWith('Take the post-rotation backup')) : r.nextSteps;
  return [
    `The key list of "${r.status.profile}" is now the new key ${r.status.newFingerprint} alone.`,
    ...(r.postBackup ? [describePostBackup(r.postBackup)] : []),
    ...(r.backupError ? [`The post-rotation backup failed: ${r.backupError.message}${r.backupError.hint ? ` ${r.backupError.hint}` : ''}`, 'Fix that, then run "custodian key post-rotation-backup".'] : []),
    'Next:',
    ...steps.map((x) => `  - ${x}`),
  ].join('\n');
}

function kebab(step: string): string {
  return step.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function stepOf(name: string): IncidentStep {
  const step = USER_STEPS.find((s) => kebab(s) === name.trim().toLowerCase());
  if (!step) throw new AppError('Validation', `"${name}" is not a step you can tick.`, `Use one of: ${USER_STEPS.map(kebab).join(', ')}. (Rotating, the fresh backup and new escrow copies are checked by Custodian.) Nothing was recorded.`);
  return step;
}

/** How to get the steps Custodian checks done. */
const HOW: Partial<Record<ChecklistItem['step'], string>> = {
  rotated: 'custodian key rotate --resume, then key drop-old --yes',
  backupTaken: 'custodian key post-rotation-backup',
  newEscrow: 'custodian key escrow file|sheet|split, after the rotation',
};

function describeIncident(r: { rotationId: string; state: string; startedAt: string; items: ChecklistItem[] }): string {
  const line = (i: ChecklistItem) => {
    const who = i.done ? ` — ${i.by}${i.at ? `, ${i.at.slice(0, 16).replace('T', ' ')} UTC` : ''}` : ` (${HOW[i.step] ?? `tick with --tick ${kebab(i.step)}`})`;
    return `  [${i.done ? 'x' : ' '}] ${STEP_TEXT[i.step]}${who}`;
  };
  const open = r.items.filter((i) => !i.done).length;
  return [
    `Incident checklist of the rotation started ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC (${r.state}):`,
    ...r.items.map(line),
    open ? `${open} step(s) still open.` : 'Every step is done.',
  ].join('\n');
}

function describeHistory(h: KeyHistory): string {
  const rows = [['STARTED', 'SCOPE', 'STATE', 'OLD → NEW']];
  for (const r of h.rotations) rows.push([r.startedAt.slice(0, 16).replace('T', ' ') + ' UTC', r.agency ?? 'master', r.state + (r.incident ? ' (incident)' : ''), `${r.oldFingerprints.join(',')} → ${r.newFingerprint}`]);
  const esc = h.custody.escrow.map((e) => `  ${e.kind}: made ${e.createdAt.slice(0, 10)}, last tested ${e.lastTestedAt?.slice(0, 10) ?? 'never'}`);
  const incident = h.rotations.find((r) => r.incident);
  const ticks = incident ? [`Incident checklist of the latest incident rotation: ${incident.checklist.length} of ${USER_STEPS.length} of your own steps ticked (see "custodian key incident").`] : [];
  return [describeCustody(h.custody), '', h.rotations.length ? table(rows) : 'No rotation recorded.', ...ticks, ...(esc.length ? ['Escrow copies of the current list:', ...esc] : [])].join('\n');
}
