import { spawnSync } from 'node:child_process';
import { describe, it, expect } from 'vitest';
import { openMemoryLogStore } from '../../src-main/store/log-store';
import { JobRunner } from '../../src-main/core/jobs/runner';
import type { JobEvent } from '../../src-main/contract/jobs';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('JobRunner', () => {
  it('persists a job, reports progress and log, and finishes with its result', async () => {
    const db = openMemoryLogStore();
    const runner = new JobRunner(db);
    runner.define('demo.sleep', {
      title: (s) => `sleep ${s.seconds}`,
      async run(spec, job) {
        job.log('info', 'starting');
        job.progress(0.5, 'half way');
        return { slept: spec.seconds };
      },
    });
    const events: JobEvent[] = [];
    runner.onEvent((e) => events.push(e));
    const id = runner.start({ kind: 'demo.sleep', seconds: 0 });
    const done = await runner.wait(id);
    expect(done.state).toBe('succeeded');
    expect(done.result).toEqual({ slept: 0 });
    expect(done.progress.fraction).toBe(1);
    expect(runner.logAfter(id).map((l) => l.text)).toEqual(['starting']);
    expect(events.some((e) => e.type === 'progress' && e.progress.message === 'half way')).toBe(true);
    expect(events.filter((e) => e.type === 'state').map((e) => (e.type === 'state' ? e.job.state : ''))).toEqual(['queued', 'running', 'succeeded']);
    // A new runner on the same log (a window reload / another process) still lists the job.
    expect(new JobRunner(db).list().map((j) => j.id)).toContain(id);
  });

  it('cancel really stops the child process and records the job as cancelled', async () => {
    const runner = new JobRunner(openMemoryLogStore());
    let childPid = 0;
    let resolveStarted!: () => void;
    const started = new Promise<void>((r) => (resolveStarted = r));
    runner.define('demo.sleep', {
      title: () => 'long child',
      async run(_spec, job) {
        await job.run(process.execPath, ['-e', 'console.log(process.pid); setInterval(() => {}, 1000)'], {
          onStdoutLine: (line) => {
            childPid = Number(line);
            resolveStarted();
          },
        });
      },
    });
    const id = runner.start({ kind: 'demo.sleep', seconds: 60 });
    await started;
    expect(isAlive(childPid)).toBe(true);
    expect(runner.cancel(id)).toBe(true);
    const done = await runner.wait(id);
    expect(done.state).toBe('cancelled');
    expect(done.error?.kind).toBe('Cancelled');
    expect(isAlive(childPid)).toBe(false);
  });

  it('records a failure with its kind and hint, never as success', async () => {
    const runner = new JobRunner(openMemoryLogStore());
    runner.define('demo.sleep', {
      title: () => 'failing child',
      async run(_spec, job) {
        await job.run(process.execPath, ['-e', 'process.stderr.write("boom\\n"); process.exit(3)']);
      },
    });
    const done = await runner.wait(runner.start({ kind: 'demo.sleep', seconds: 1 }));
    expect(done.state).toBe('failed');
    expect(done.error?.message).toMatch(/exit 3/);
    expect(done.error?.message).toMatch(/boom/);
  });

  it('a missing executable is ToolMissing with a hint', async () => {
    const runner = new JobRunner(openMemoryLogStore());
    runner.define('demo.sleep', { title: () => 'x', run: (_s, job) => job.run('/nonexistent/pg_dump', []) });
    const done = await runner.wait(runner.start({ kind: 'demo.sleep', seconds: 1 }));
    expect(done.error?.kind).toBe('ToolMissing');
    expect(done.error?.hint).toBeTruthy();
  });

  it('marks jobs left running by a dead process as failed on start-up', () => {
    const db = openMemoryLogStore();
    db.prepare(`INSERT INTO jobs (id, kind, title, spec_json, state, created_at) VALUES ('x', 'demo.sleep', 't', '{}', 'running', '2026-01-01T00:00:00Z')`).run();
    const job = new JobRunner(db).get('x');
    expect(job?.state).toBe('failed');
    expect(job?.error?.hint).toMatch(/again/);
  });

  it('leaves a job of another live process alone (the CLI starting while the app backs up)', () => {
    const db = openMemoryLogStore();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const deadPid = Number(dead.stdout.toString());
    const insert = db.prepare(`INSERT INTO jobs (id, kind, title, spec_json, state, created_at, owner_pid) VALUES (?, 'demo.sleep', 't', '{}', 'running', '2026-01-01T00:00:00Z', ?)`);
    insert.run('live', process.ppid); // the test runner's parent: certainly alive
    insert.run('dead', deadPid); // a process that has exited
    const runner = new JobRunner(db);
    expect(runner.get('live')?.state).toBe('running');
    expect(runner.get('dead')?.state).toBe('failed');
  });

  it('throttles progress events to about 10 per second', async () => {
    const runner = new JobRunner(openMemoryLogStore());
    runner.define('demo.sleep', {
      title: () => 'chatty',
      async run(_s, job) {
        for (let i = 0; i < 1000; i++) job.progress(i / 1000, `step ${i}`);
        await new Promise((r) => setTimeout(r, 150));
      },
    });
    let progressEvents = 0;
    runner.onEvent((e) => void (e.type === 'progress' && progressEvents++));
    await runner.wait(runner.start({ kind: 'demo.sleep', seconds: 1 }));
    expect(progressEvents).toBeGreaterThan(0);
    expect(progressEvents).toBeLessThan(10);
  });
});
