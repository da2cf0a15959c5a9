import { contract, type Channel, type ChannelOutput, type ChannelParsedInput } from '../../contract/channels';
import type { Result } from '../../contract/errors';
import { AppError, toErrorData } from '../common/errors';

/**
 * One handler per channel. Because this is a mapped type over every channel, leaving one out
 * of the object passed to createDispatcher is a compile error.
 */
export type Handlers = { [C in Channel]: (input: ChannelParsedInput<C>) => Promise<ChannelOutput<C>> | ChannelOutput<C> };

/** Who is calling, as the transport saw it; the transport-specific check decides if it is trusted. */
export interface CallerInfo {
  /** True when the transport verified the caller is our own window / preview page. */
  trusted: boolean;
  description: string;
}

export interface Dispatcher {
  dispatch(channel: string, rawInput: unknown, caller: CallerInfo): Promise<Result<unknown>>;
}

export function isChannel(name: string): name is Channel {
  return Object.prototype.hasOwnProperty.call(contract, name);
}

/**
 * Every call goes: sender check → input schema → handler → output schema → Result envelope.
 * Errors cross as plain data with a kind and a hint; nothing else leaks (no stacks, no paths of
 * secrets).
 */
export function createDispatcher(handlers: Handlers): Dispatcher {
  return {
    async dispatch(channel, rawInput, caller) {
      try {
        if (!caller.trusted) {
          throw new AppError('Forbidden', `Refused a call from an untrusted sender (${caller.description}).`, 'Only Custodian’s own window may call it.');
        }
        if (!isChannel(channel)) {
          throw new AppError('Validation', `Unknown channel "${channel}".`, 'Update Custodian: the window and the core disagree on the contract.');
        }
        const spec = contract[channel];
        const parsed = spec.input.safeParse(rawInput ?? {});
        if (!parsed.success) {
          const first = parsed.error.issues[0];
          const where = first && first.path.length ? ` (${first.path.join('.')})` : '';
          throw new AppError('Validation', `${first?.message ?? 'Invalid input'}${where}.`, 'Check the highlighted field and try again.');
        }
        const handler = handlers[channel] as (input: unknown) => Promise<unknown> | unknown;
        const value = await handler(parsed.data);
        return { ok: true, value: spec.output.parse(value) };
      } catch (e) {
        return { ok: false, error: toErrorData(e) };
      }
    },
  };
}
