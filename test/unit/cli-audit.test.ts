import { registerAuditCommands, filterFromOptions } from '../../src-main/cli/audit';
import { registerSecurityAuditCommand } from '../../src-main/cli/security-audit';
import { saveProfile } from '../../src-main/core/connections/profile-store';
import { memoryCore } from '../helpers/memory-core';
import { cliRunner } from '../helpers/cli-harness';

/** `custodian audit ...` / `security-audit` option handling on an in-memory core (no database reached). */
const endpoint = { host: 'localhost', port: 5432, database: 'konote', user: 'konote', sslmode: 'disable' as const };

async function setup() {
  const core = memoryCore();
  await saveProfile(core, { name: 'only', main: endpoint, audit: { ...endpoint, database: 'konote_audit' }, schemas: ['public'] });
  return cliRunner(core, (program, env) => {
    registerAuditCommands(program, env);
    registerSecurityAuditCommand(program, env);
  });
}

describe('custodian audit / security-audit options', () => {
  it('lists the saved queries as one JSON document', async () => {
    const run = await setup();
    const r = await run('audit', 'saved', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).queries.map((q: { name: string }) => q.name)).toContain('failed-logins');
  });

  it('refuses unknown categories with a typed error naming the valid ones', async () => {
    const run = await setup();
    const r = await run('security-audit', '--category', 'ENC,CFG', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).error).toMatchObject({ kind: 'Validation', message: expect.stringContaining('CFG'), hint: expect.stringContaining('ENC, RBAC, AUD, BAK') });
  });

  it('validates filters through the contract before any query', async () => {
    expect(filterFromOptions({ action: ['login', 'logout'], since: '7d' })).toMatchObject({ actions: ['login', 'logout'], since: '7d' });
    expect(() => filterFromOptions({ link: 'not-a-uuid' })).toThrow(expect.objectContaining({ kind: 'Validation' }));
    const run = await setup();
    const r = await run('audit', 'checkpoint', '--reason', 'whenever', '--json');
    expect(JSON.parse(r.out).error.kind).toBe('Validation');
    const q = await run('audit', 'query', '--before', '12; DROP', '--json');
    expect(JSON.parse(q.out).error.kind).toBe('Validation');
  });
});
