import type { SecurityResult } from '../../contract/audit';

/** Small constructors so each check reads as its finding, not as object plumbing. */
type Cat = SecurityResult['category'];

export const pass = (check_id: string, category: Cat, description: string, detail: string): SecurityResult => ({ check_id, category, description, status: 'PASS', detail, fix: null });
export const warn = (check_id: string, category: Cat, description: string, detail: string, fix: string): SecurityResult => ({ check_id, category, description, status: 'WARN', detail, fix });
export const fail = (check_id: string, category: Cat, description: string, detail: string, fix: string): SecurityResult => ({ check_id, category, description, status: 'FAIL', detail, fix });
export const skip = (check_id: string, category: Cat, description: string, detail: string, fix: string | null = null): SecurityResult => ({ check_id, category, description, status: 'SKIP', detail, fix });

export function summarise(results: SecurityResult[]) {
  return {
    passed: results.filter((r) => r.status === 'PASS').length,
    warnings: results.filter((r) => r.status === 'WARN').length,
    failed: results.filter((r) => r.status === 'FAIL').length,
    skipped: results.filter((r) => r.status === 'SKIP').length,
  };
}

/** KoNote's exit codes: 1 on any FAIL, or on any WARN with --fail-on-warn; else 0. */
export function exitCode(results: SecurityResult[], failOnWarn: boolean): 0 | 1 {
  if (results.some((r) => r.status === 'FAIL')) return 1;
  if (failOnWarn && results.some((r) => r.status === 'WARN')) return 1;
  return 0;
}
