import type { Command } from 'commander';
import type { CliEnv } from './main';
import { printResult, type OutputOptions } from './output';
import { AppError } from '../core/common/errors';
import { resolveProfile } from '../core/connections/profile-store';
import { streamTarget, walStreamStatus } from '../core/pitr/wal-stream';
import { dropWalSlot, walSlotStatus } from '../core/pitr/wal-slot';
import type { WalStreamStatus } from '../contract/pitr';
import { PitrRoleSchema, ReplicationSlotNameSchema } from '../contract/pitr';

/**
 * `custodian pitr stream`: pg_receivewal in the foreground until Ctrl+C, as the app's job (so the
 * app's job list shows it). Ctrl+C is the normal end here, not a failure: the summary says what
 * the folder now holds.
 */
export function registerPitrStreamCommand(pitr: Command, env: CliEnv): void {
  pitr
    .command('stream')
    .description('Stream WAL to this computer with pg_receivewal until Ctrl+C (for servers without their own WAL archive)')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--role <role>', 'main or audit server', 'main')
    .option('--dir <folder>', 'where to write WAL (default: the archive folder of `pitr config --archive-dir`)')
    .option('--slot <name>', 'replication slot (default: custodian_<profile>_<role>)')
    .option('--json', 'print one JSON document (the final summary)')
    .action((opts: OutputOptions & { profile?: string; role: string; dir?: string; slot?: string }) =>
      env.action(opts, async (core) => {
        const role = PitrRoleSchema.safeParse(opts.role);
        if (!role.success) throw new AppError('Validation', `"${opts.role}" is not a server role.`, 'Use --role main or --role audit.');
        const slot = opts.slot === undefined ? null : ReplicationSlotNameSchema.safeParse(opts.slot);
        if (slot && !slot.success) throw new AppError('Validation', `"${opts.slot}" is not a replication slot name.`, 'Use lower-case letters, digits and _ (at most 63).');
        const p = resolveProfile(core, opts.profile);
        const target = streamTarget(core, { profile: p.name, role: role.data, dir: opts.dir ?? null, slot: slot ? slot.data : null });
        const jobId = core.jobs.start({ kind: 'pitr.receiveWal', profile: p.name, role: role.data, dir: target.dir, slot: target.slot });
        const startedAt = new Date().toISOString();
        const before = walStreamStatus(target);
        let last = '';
        const off = core.jobs.onEvent((e) => {
          if (e.jobId !== jobId || opts.json) return;
          if (e.type === 'progress' && e.progress.message !== last) process.stderr.write(`  ${(last = e.progress.message)}\n`);
          else if (e.type === 'log' && e.line.level !== 'info') process.stderr.write(`  Warning: ${e.line.text}\n`);
        });
        if (!opts.json) process.stderr.write(`Streaming WAL into ${target.dir} (slot ${target.slot}). Press Ctrl+C to stop.\n`);
        const onSigint = () => {
          if (!opts.json) process.stderr.write('\nStopping pg_receivewal…\n');
          core.jobs.cancel(jobId);
        };
        process.on('SIGINT', onSigint);
        let done;
        try {
          done = await core.jobs.wait(jobId);
        } finally {
          off();
          process.removeListener('SIGINT', onSigint);
        }
        if (done.state === 'failed') {
          const err = done.error ?? { kind: 'Internal', message: 'Streaming failed.' };
          throw new AppError(err.kind as never, err.message, err.hint);
        }
        const now = walStreamStatus(target);
        // The job's own result is not kept for a cancelled job: count the new complete files instead.
        const summary: WalStreamStatus = { ...now, receivedBytes: Math.max(0, now.completeSegments - before.completeSegments) * 16 * 1024 * 1024, startedAt, stoppedAt: done.finishedAt };
        printResult(opts, summary, (s) =>
          [
            `Streaming stopped. ${s.completeSegments} complete WAL files in ${s.dir}; the newest is ${s.lastCompleteSegment ?? '—'}.`,
            s.partialSegment ? `${s.partialSegment} is incomplete: recovery can use it once it is complete (next \`pitr stream\`).` : '',
            `Replication slot ${s.slot} stays on the server so no WAL is lost until the next start (it keeps WAL on the server meanwhile; \`custodian pitr slot --drop --yes\` removes it when you give up streaming).`,
          ]
            .filter(Boolean)
            .join('\n'),
        );
      }),
    );

  pitr
    .command('slot')
    .description('The replication slot streaming uses: how much WAL the server keeps for it; --drop --yes removes it')
    .option('--profile <name>', 'deployment profile (default: the only one)')
    .option('--role <role>', 'main or audit server', 'main')
    .option('--slot <name>', 'replication slot (default: custodian_<profile>_<role>)')
    .option('--drop', 'remove the slot (streaming must be stopped), so the server stops keeping WAL for it')
    .option('--yes', 'confirm --drop')
    .option('--json', 'print one JSON document')
    .action((opts: OutputOptions & { profile?: string; role: string; slot?: string; drop?: boolean; yes?: boolean }) =>
      env.action(opts, async (core) => {
        const role = PitrRoleSchema.safeParse(opts.role);
        if (!role.success) throw new AppError('Validation', `"${opts.role}" is not a server role.`, 'Use --role main or --role audit.');
        const slot = opts.slot === undefined ? null : ReplicationSlotNameSchema.safeParse(opts.slot);
        if (slot && !slot.success) throw new AppError('Validation', `"${opts.slot}" is not a replication slot name.`, 'Use lower-case letters, digits and _ (at most 63).');
        if (opts.drop && !opts.yes) throw new AppError('Validation', 'Removing the slot needs --yes.', 'After it is removed, WAL written until the next `pitr stream` is not kept for you: take a new base backup when you start streaming again.');
        const target = { profile: resolveProfile(core, opts.profile).name, role: role.data, slot: slot ? slot.data : null };
        const s = opts.drop ? await dropWalSlot(core, target) : await walSlotStatus(core, target);
        printResult(opts, s, (x) =>
          !x.exists
            ? `${opts.drop ? 'Removed. ' : ''}There is no replication slot "${x.slot}" on the ${x.role} server: it keeps no WAL for Custodian.`
            : `Replication slot "${x.slot}" on the ${x.role} server is ${x.active ? 'in use (streaming)' : 'not in use'}; the server keeps ${((x.retainedBytes ?? 0) / 1024 / 1024).toFixed(1)} MB of WAL for it.${x.active ? '' : ' Start `custodian pitr stream` again, or remove it with `custodian pitr slot --drop --yes` if you gave up streaming.'}`,
        );
      }),
    );
}
