import type { LinkStatus } from '../../../../src-main/contract/exports';

export const STATUS_COLOR: Record<LinkStatus, string> = { revoked: 'gray', expired: 'gray', file_missing: 'red', file_unknown: 'yellow', pending: 'orange', active: 'green' };
