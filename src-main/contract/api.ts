import type { Channel, ChannelInput, ChannelOutput } from './channels';
import type { Result } from './errors';
import type { JobEvent } from './jobs';

/**
 * The API the renderer sees (window.api in Electron, a WebSocket client in the preview).
 * Generated from the contract: one `invoke` plus the job-event subscription; nothing else.
 */
export interface CustodianApi {
  invoke<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<Result<ChannelOutput<C>>>;
  onJobEvent(listener: (event: JobEvent) => void): () => void;
}
