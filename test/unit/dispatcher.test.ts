import { describe, it, expect, vi } from 'vitest';
import { createDispatcher, type Handlers } from '../../src-main/core/ipc/dispatcher';
import { AppError } from '../../src-main/core/common/errors';
import { CHANNELS } from '../../src-main/contract/channels';

const trusted = { trusted: true, description: 'test window' };

function handlersWith(overrides: Partial<Handlers>): Handlers {
  // Every channel throws unless overridden: the test names exactly what it exercises.
  const all = Object.fromEntries(CHANNELS.map((c) => [c, () => { throw new Error(`unexpected call to ${c}`); }])) as unknown as Handlers;
  return { ...all, ...overrides };
}

describe('dispatcher (sender check → schema → handler → Result)', () => {
  it('refuses an untrusted sender before parsing or calling anything (threat: a foreign frame calling the core)', async () => {
    const handler = vi.fn(() => []);
    const d = createDispatcher(handlersWith({ 'profiles.list': handler }));
    const r = await d.dispatch('profiles.list', {}, { trusted: false, description: 'iframe from evil.example' });
    expect(r).toMatchObject({ ok: false, error: { kind: 'Forbidden' } });
    expect(handler).not.toHaveBeenCalled();
  });

  it('rejects input that does not match the schema, with a Validation error naming the field', async () => {
    const handler = vi.fn();
    const d = createDispatcher(handlersWith({ 'jobs.start': handler }));
    const r = await d.dispatch('jobs.start', { kind: 'demo.sleep', seconds: -5 }, trusted);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe('Validation');
      expect(r.error.message).toMatch(/seconds/);
      expect(r.error.hint).toBeTruthy();
    }
    expect(handler).not.toHaveBeenCalled();
  });

  it('rejects unknown channels and extra fields on strict inputs', async () => {
    const d = createDispatcher(handlersWith({}));
    expect(await d.dispatch('shell.exec', {}, trusted)).toMatchObject({ ok: false, error: { kind: 'Validation' } });
    expect(await d.dispatch('jobs.cancel', { jobId: 'x', command: 'rm -rf /' }, trusted)).toMatchObject({ ok: false, error: { kind: 'Validation' } });
  });

  it('passes parsed input (with defaults) to the handler and wraps the value', async () => {
    const d = createDispatcher(handlersWith({ 'jobs.list': ({ limit }) => { expect(limit).toBe(50); return []; } }));
    expect(await d.dispatch('jobs.list', {}, trusted)).toEqual({ ok: true, value: [] });
  });

  it('carries AppError kind and hint across, and hides internal errors behind Internal', async () => {
    const d = createDispatcher(
      handlersWith({
        'profiles.list': () => { throw new AppError('PgAuth', 'Password rejected', 'Re-enter the password'); },
        'tools.discover': () => { throw new TypeError('x is undefined'); },
      }),
    );
    expect(await d.dispatch('profiles.list', {}, trusted)).toEqual({ ok: false, error: { kind: 'PgAuth', message: 'Password rejected', hint: 'Re-enter the password' } });
    const r = await d.dispatch('tools.discover', {}, trusted);
    expect(r).toMatchObject({ ok: false, error: { kind: 'Internal' } });
  });

  it('validates handler output against the contract (a core bug cannot send malformed data)', async () => {
    const d = createDispatcher(handlersWith({ 'jobs.start': () => ({ jobId: 42 }) as unknown as { jobId: string } }));
    const r = await d.dispatch('jobs.start', { kind: 'demo.sleep', seconds: 1 }, trusted);
    expect(r).toMatchObject({ ok: false, error: { kind: 'Internal' } });
  });
});
