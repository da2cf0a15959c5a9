import type { CoreContext } from '../context';
import type { PgTool } from '../../contract/tools';
import { pickToolIn, searchFromContext, type ToolProbe } from '../connections/tool-discovery';

/**
 * A client tool at least as new as the server (pg_dump refuses older servers' successors the
 * other way round: a dump by an older pg_dump of a newer server fails). `required` false returns
 * null instead of throwing, for optional checks such as `pg_restore --list` during verification.
 */
export async function locateTool(ctx: CoreContext, tool: PgTool, serverMajor: number, required = false): Promise<ToolProbe | null> {
  try {
    return await pickToolIn(searchFromContext(ctx), tool, serverMajor > 0 ? { atLeastMajor: serverMajor } : {});
  } catch (e) {
    if (required) throw e;
    return null;
  }
}
