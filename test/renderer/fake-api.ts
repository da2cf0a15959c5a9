import type { CustodianApi } from '../../src-main/contract/api';
import { SettingsSchema, type Channel, type ChannelInput, type ChannelOutput, type Settings } from '../../src-main/contract/channels';
import type { Result } from '../../src-main/contract/errors';
import type { JobEvent } from '../../src-main/contract/jobs';

type Handler = (input: unknown) => Result<unknown> | Promise<Result<unknown>>;

/**
 * A fake CustodianApi for renderer tests: records every call and answers from per-channel
 * handlers (defaults: an empty deployment).
 */
export function createFakeApi(overrides: Partial<Record<Channel, Handler>> = {}) {
  const calls: { channel: Channel; input: unknown }[] = [];
  const listeners = new Set<(e: JobEvent) => void>();
  let settings: Settings = SettingsSchema.parse({});
  const ok = <T>(value: T): Result<T> => ({ ok: true, value });
  const defaults: Partial<Record<Channel, Handler>> = {
    'app.info': () => ok({ version: '0.1.0', dataFolder: '/tmp/custodian-home', preview: true, platform: 'linux' }),
    'settings.get': () => ok(settings),
    'settings.update': (patch) => {
      settings = { ...settings, ...(patch as Partial<Settings>) };
      return ok(settings);
    },
    'profiles.list': () => ok([]),
    'jobs.list': () => ok([]),
    'jobs.log': () => ok([]),
    'dashboard.health': () => ok([]),
    'pitr.recoveries': () => ok([]),
    'haven.key.status': () => ok({ present: false, fingerprint: null, bits: null, previous: [], warnings: [], warningCodes: [] }),
  };
  const api: CustodianApi = {
    async invoke<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<Result<ChannelOutput<C>>> {
      calls.push({ channel, input });
      const handler = overrides[channel] ?? defaults[channel];
      if (!handler) return { ok: false, error: { kind: 'Internal', message: `fake api: no handler for ${channel}` } };
      return (await handler(input)) as Result<ChannelOutput<C>>;
    },
    onJobEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return {
    api,
    calls,
    callsTo: (channel: Channel) => calls.filter((c) => c.channel === channel).map((c) => c.input),
    emit: (e: JobEvent) => listeners.forEach((l) => l(e)),
  };
}
