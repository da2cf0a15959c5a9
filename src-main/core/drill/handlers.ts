import type { CoreContext } from '../context';
import type { Handlers } from '../ipc/dispatcher';
import { AppError } from '../common/errors';
import { resolveProfile } from '../connections/profile-store';
import { drillStore } from './drill-store';
import { renderDrillReportHtml } from './report';
import { renderReportPdf } from './report-pdf';
import { runPreflight } from './checklist';
import { markInterrupted, pickSet } from './drill-run';
import { scratchNames } from './restore-args';
import { applyLockdown, checkLockdown } from './lockdown';

type DrillChannels = 'drills.list' | 'drills.get' | 'drills.report' | 'drills.reportPdf' | 'drills.preflight' | 'lockdown.check' | 'lockdown.apply';

function getDrill(ctx: CoreContext, id: string) {
  const d = drillStore.get(ctx, id);
  if (!d) throw new AppError('NotFound', `There is no drill "${id}".`, 'Refresh the drill history.');
  return d;
}

export function drillHandlers(ctx: CoreContext): Pick<Handlers, DrillChannels> {
  return {
    'drills.list': ({ profile }) => {
      markInterrupted(ctx); // a drill killed with its process never shows as running (or passed)
      return drillStore.list(ctx, profile);
    },
    'drills.get': ({ id }) => getDrill(ctx, id),
    'drills.report': ({ id }) => ({ id, html: renderDrillReportHtml(getDrill(ctx, id)) }),
    'drills.reportPdf': async ({ id }) => ({ id, pdfBase64: (await renderReportPdf(renderDrillReportHtml(getDrill(ctx, id)), ctx.env)).toString('base64') }),
    'drills.preflight': async ({ profile, setId, local }) => {
      const p = resolveProfile(ctx, profile);
      const set = pickSet(ctx, p.name, setId ?? undefined);
      // The wizard's checklist step: the same checks the drill runs first, with throwaway names.
      // A local drill's instance does not exist yet: its server programs are checked instead.
      const pre = await runPreflight(ctx, p, set, { kind: 'drill', scratch: scratchNames(`preview${Date.now()}`), local: local ? { server: null, label: 'a local throwaway instance' } : undefined });
      return { setId: set.id, ok: pre.ok, checks: pre.checks };
    },
    'lockdown.check': ({ profile }) => checkLockdown(ctx, profile),
    'lockdown.apply': ({ profile }) => applyLockdown(ctx, profile),
  };
}
