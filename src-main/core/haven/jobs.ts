import path from 'node:path';
import type { CoreContext } from '../context';
import { havenRewrap } from './haven-service';
import { havenFullPath } from './handlers';

/**
 * `haven.rewrap`: every bundle is fully decrypted to prove it intact (dry run too), so a folder
 * of large exports takes a while. Progress per file; cancel stops between files, and each file is
 * replaced atomically, so a cancelled run leaves every bundle either old or re-wrapped, never half.
 */
export function defineHavenJobs(ctx: CoreContext): void {
  ctx.jobs.define('haven.rewrap', {
    title: (s) => `${s.dryRun ? 'Dry run: re-wrap' : 'Re-wrap'} Haven bundles in ${s.dir}`,
    async run(s, job) {
      const dir = havenFullPath(s.dir, 'folder');
      const report = await havenRewrap(
        ctx,
        dir,
        s.dryRun,
        (file, action) => job.log(action === 'failed' ? 'error' : action === 'skipped' ? 'warn' : 'info', `${action}: ${path.basename(file)}`),
        (file, index, total) => {
          job.throwIfCancelled();
          job.progress(total ? index / total : null, `${s.dryRun ? 'Checking' : 'Re-wrapping'} ${path.basename(file)} (${index + 1} of ${total})`);
        },
      );
      for (const w of report.warnings) job.log('warn', w);
      job.progress(1, `${report.files.length} file(s), ${report.failed} failed`);
      return report;
    },
  });
}
