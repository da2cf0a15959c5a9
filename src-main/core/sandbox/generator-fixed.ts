import fs from 'node:fs';
import path from 'node:path';
import type { Client } from 'pg';
import { BulkInserter, FIRST_NAMES, LAST_NAMES, Prng, type Encrypt } from './generator-support';
import type { AuditSpecial } from './generator-audit';

/**
 * The small, fixed-size part of the sandbox: programs, staff accounts and their program roles,
 * custom fields, secure export links (with their files) in every status, report schedules and
 * the organisation profile. Also returns the audit events those links imply, so the audit log
 * tells the same story as the links table.
 */

export interface SandboxUser {
  id: number;
  username: string;
  displayName: string;
  isAdmin: boolean;
  isActive: boolean;
}
export interface FieldDef {
  id: number;
  sensitive: boolean;
  sample(rng: Prng, first: string, last: string): string;
}
export interface FixedRows {
  users: SandboxUser[];
  programs: number;
  fieldDefs: FieldDef[];
  exportLinks: number;
  auditSpecials: AuditSpecial[];
}

const DAY = 86_400_000;
const MIN = 60_000;
const PROGRAMS = [
  ['Housing First', 'Logement d’abord', '#1f77b4', false],
  ['Youth Employment', 'Emploi jeunesse', '#ff7f0e', false],
  ['Newcomer Settlement', 'Établissement des nouveaux arrivants', '#2ca02c', false],
  ['Mental Health Counselling', 'Counselling en santé mentale', '#d62728', true],
  ['Family Support', 'Soutien aux familles', '#9467bd', false],
] as const;

export const exportFilePath = (exportDir: string, id: string, filename: string) => path.join(exportDir, `${id}_${filename}`);

export async function generateFixedRows(client: Client, rng: Prng, enc: Encrypt, o: { clients: number; now: Date; exportDir: string }): Promise<FixedRows> {
  const now = o.now.getTime();
  const created = new Date(now - 400 * DAY);

  const programs = new BulkInserter(client, 'programs');
  for (const [i, [name, nameFr, colour, confidential]] of PROGRAMS.entries()) {
    await programs.add({
      id: i + 1, name, description: `${name} program.`, colour_hex: colour, status: 'active', created_at: created, updated_at: created, is_confidential: confidential,
      service_model: 'individual', name_fr: nameFr, portal_display_name: name, cids_sector_code: '', description_fr: `Programme ${nameFr}.`, funder_program_code: `P-${100 + i}`,
      population_served_codes: JSON.stringify([]), default_goal_review_days: 90,
    });
  }
  await programs.flush();

  // Staff: a couple of admins, the rest program staff; one deactivated account; one active user whose only role was removed.
  const userCount = Math.max(8, Math.min(300, Math.ceil(o.clients / 20)));
  const users: SandboxUser[] = [];
  const userRows = new BulkInserter(client, 'users');
  const seen = new Set<string>();
  for (let id = 1; id <= userCount; id++) {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    let username = `${first[0]}${last}`.toLowerCase().normalize('NFD').replace(/[^a-z]/g, '') || `user${id}`;
    if (seen.has(username)) username += id;
    seen.add(username);
    const u: SandboxUser = { id, username, displayName: `${first} ${last}`, isAdmin: id <= 2, isActive: id !== userCount };
    users.push(u);
    const mfa = rng.chance(0.4);
    await userRows.add({
      id, password: `pbkdf2_sha256$870000$sandbox${id}$${'x'.repeat(43)}=`, last_login: new Date(now - rng.int(0, 20) * DAY), is_superuser: id === 1, username,
      external_id: null, display_name: u.displayName, _email_encrypted: enc(`${username}@agency.example.org`), is_admin: u.isAdmin, is_active: u.isActive, is_staff: u.isAdmin,
      created_at: created, updated_at: created, last_login_at: new Date(now - rng.int(0, 20) * DAY), consent_given_at: created, data_retention_days: 2555, is_demo: false,
      preferred_language: rng.chance(0.3) ? 'fr' : 'en', mfa_enabled: mfa, mfa_backup_codes: JSON.stringify([]), _mfa_secret_encrypted: enc(mfa ? 'JBSWY3DPEHPK3PXP' : ''), demo_group: null,
    });
  }
  await userRows.flush();

  const roles = new BulkInserter(client, 'user_program_roles');
  let roleId = 0;
  const managers = new Set<number>();
  for (const u of users.filter((x) => !x.isAdmin)) {
    const role = u.id === 3 ? 'program_manager' : rng.weighted([['staff', 6], ['program_manager', 1], ['receptionist', 2], ['executive', 1]] as const);
    const removedOnly = u.id === userCount - 1;
    if (role === 'program_manager' && !removedOnly) managers.add(u.id);
    await roles.add({ id: ++roleId, role, status: removedOnly ? 'removed' : 'active', created_at: created, program_id: ((u.id - 1) % PROGRAMS.length) + 1, user_id: u.id });
    if (!removedOnly && rng.chance(0.25)) {
      await roles.add({ id: ++roleId, role: 'staff', status: 'active', created_at: created, program_id: (u.id % PROGRAMS.length) + 1, user_id: u.id });
    }
  }
  await roles.flush();

  const groups = new BulkInserter(client, 'custom_field_groups');
  await groups.add({ id: 1, title: 'Contact & background', sort_order: 1, status: 'active', created_at: created, collapsed_by_default: false, admin_only: false });
  await groups.add({ id: 2, title: 'Safety (sensitive)', sort_order: 2, status: 'active', created_at: created, collapsed_by_default: true, admin_only: false });
  await groups.flush();
  const defs: Array<{ name: string; group: number; sensitive: boolean; type: string; options: string[]; sample: FieldDef['sample'] }> = [
    { name: 'Pronouns', group: 1, sensitive: false, type: 'select', options: ['she/her', 'he/him', 'they/them', 'elle', 'il', 'iel'], sample: (r) => r.pick(['she/her', 'he/him', 'they/them', 'elle', 'il', 'iel']) },
    { name: 'Language spoken at home', group: 1, sensitive: false, type: 'text', options: [], sample: (r) => r.pick(['English', 'Français', 'Arabic', 'Tagalog', 'Español', 'Inuktitut']) },
    { name: 'Referral agency', group: 1, sensitive: false, type: 'text', options: [], sample: (r) => r.pick(['CLSC', 'Community Health Centre', 'Shelter', 'School board', '']) },
    { name: 'Emergency contact', group: 2, sensitive: true, type: 'text', options: [], sample: (r, _f, l) => `${r.pick(FIRST_NAMES)} ${l} (${r.pick(['mother', 'sister', 'friend', 'père'])}) 613-555-${String(r.int(0, 9999)).padStart(4, '0')}` },
    { name: 'Health card number', group: 2, sensitive: true, type: 'text', options: [], sample: (r) => `${r.int(1000, 9999)}-${r.int(100, 999)}-${r.int(100, 999)}-${String.fromCharCode(65 + r.int(0, 25))}${String.fromCharCode(65 + r.int(0, 25))}` },
  ];
  const defRows = new BulkInserter(client, 'custom_field_definitions');
  const fieldDefs: FieldDef[] = [];
  for (const [i, d] of defs.entries()) {
    await defRows.add({
      id: i + 1, name: d.name, input_type: d.type, placeholder: '', is_required: false, is_sensitive: d.sensitive, options_json: JSON.stringify(d.options), sort_order: i,
      status: 'active', created_at: created, group_id: d.group, front_desk_access: d.sensitive ? 'none' : 'view', validation_type: 'none', is_dv_sensitive: false, show_on_create: !d.sensitive,
    });
    fieldDefs.push({ id: i + 1, sensitive: d.sensitive, sample: d.sample });
  }
  await defRows.flush();

  const specials = await generateExportLinks(client, rng, { users, managers, clients: o.clients, now, exportDir: o.exportDir });

  const sched = new BulkInserter(client, 'report_schedules');
  const dueIn = (days: number) => new Date(now + days * DAY).toISOString().slice(0, 10);
  await sched.add({ id: 1, name: 'Quarterly funder report', report_type: 'funder_report', frequency: 'quarterly', due_date: dueIn(5), reminder_days_before: 14, banner_shown_at: null, email_sent_at: null, last_generated_at: null, is_active: true, created_at: created, updated_at: created, created_by_id: 1 });
  await sched.add({ id: 2, name: 'Rapport annuel au conseil', report_type: 'board_report', frequency: 'annually', due_date: dueIn(200), reminder_days_before: 30, banner_shown_at: null, email_sent_at: null, last_generated_at: new Date(now - 165 * DAY), is_active: true, created_at: created, updated_at: created, created_by_id: 2 });
  await sched.add({ id: 3, name: 'Monthly statistics', report_type: 'metrics', frequency: 'monthly', due_date: dueIn(-3), reminder_days_before: 7, banner_shown_at: null, email_sent_at: null, last_generated_at: null, is_active: false, created_at: created, updated_at: created, created_by_id: 1 });
  await sched.flush();
  const notify = new BulkInserter(client, 'report_schedules_notify_users');
  await notify.add({ id: 1, reportschedule_id: 1, user_id: 1 });
  await notify.add({ id: 2, reportschedule_id: 1, user_id: 3 });
  await notify.flush();

  const org = new BulkInserter(client, 'organization_profiles');
  await org.add({
    id: 1, legal_name: 'Centre communautaire Exemple / Example Community Centre Inc.', operating_name: 'Example Community Centre', description: 'A practice agency for Custodian.',
    description_fr: 'Un organisme fictif pour s’exercer.', legal_status: 'Registered charity', sector_codes: JSON.stringify(['ICNPO-4100']), street_address: '123 rue Exemple',
    city: 'Gatineau', province: 'QC', postal_code: 'J8X 1A1', country: 'CA', website: 'https://example.org', backup_last_exported_at: null,
    backup_reminder_contact_email: 'it@example.org', backup_reminder_enabled: true, backup_reminder_frequency_days: 30, backup_reminder_last_sent_at: null,
  });
  await org.flush();
  return { users, programs: PROGRAMS.length, fieldDefs, exportLinks: specials.links, auditSpecials: specials.events };
}

type LinkStatus = 'revoked' | 'expired' | 'pending' | 'active' | 'missing';

/** Export links in every status KoNote shows, with files on disk where KoNote would have them. */
async function generateExportLinks(
  client: Client,
  rng: Prng,
  o: { users: SandboxUser[]; managers: Set<number>; clients: number; now: number; exportDir: string },
): Promise<{ links: number; events: AuditSpecial[] }> {
  const plan: Array<{ status: LinkStatus; ageMin: number; type: string; pii: boolean; notes: boolean; count: number; downloads: number; keepFile?: boolean }> = [
    { status: 'revoked', ageMin: 6 * 60, type: 'individual_client', pii: true, notes: true, count: 1, downloads: 0 },
    { status: 'revoked', ageMin: 12 * 24 * 60, type: 'metrics', pii: false, notes: false, count: 140, downloads: 1 },
    { status: 'expired', ageMin: 40 * 24 * 60, type: 'standard_report', pii: false, notes: false, count: 80, downloads: 2, keepFile: true },
    { status: 'expired', ageMin: 10 * 24 * 60, type: 'metrics', pii: false, notes: false, count: 35, downloads: 0, keepFile: true },
    { status: 'expired', ageMin: 3 * 24 * 60, type: 'session_report', pii: true, notes: false, count: 12, downloads: 1, keepFile: false },
    { status: 'expired', ageMin: 24 * 60 + 30, type: 'client_data', pii: true, notes: false, count: 3, downloads: 0, keepFile: true },
    { status: 'pending', ageMin: 3, type: 'individual_client', pii: true, notes: true, count: 1, downloads: 0 },
    { status: 'active', ageMin: 45, type: 'metrics', pii: false, notes: false, count: 60, downloads: 0 },
    { status: 'active', ageMin: 5 * 60, type: 'standard_report', pii: false, notes: false, count: 220, downloads: 3 },
    { status: 'active', ageMin: 9 * 60, type: 'session_report', pii: true, notes: false, count: 8, downloads: 1 },
    { status: 'active', ageMin: 20 * 60, type: 'individual_client', pii: true, notes: false, count: 1, downloads: 0 },
    { status: 'missing', ageMin: 2 * 60, type: 'metrics', pii: false, notes: false, count: 45, downloads: 0 },
  ];
  const links = new BulkInserter(client, 'reports_secureexportlink');
  const events: AuditSpecial[] = [];
  const active = o.users.filter((u) => u.isActive);
  const admin = o.users[0]!;
  for (const p of plan) {
    const id = rng.uuid();
    const creator = p.status === 'pending' ? (o.users.find((u) => o.managers.has(u.id)) ?? rng.pick(active)) : rng.pick(active);
    const createdAt = o.now - p.ageMin * MIN;
    const expiresAt = createdAt + 24 * 60 * MIN;
    const elevated = p.count >= 100 || p.notes || (p.pii && o.managers.has(creator.id));
    const ext = p.type === 'metrics' ? 'csv' : 'pdf';
    const filename = `${p.type}_${new Date(createdAt).toISOString().slice(0, 10)}.${ext}`;
    const filePath = exportFilePath(o.exportDir, id, filename);
    // KoNote deletes the file on revoke; "missing" is a file lost from disk; expired files wait for cleanup.
    const writeFile = p.status === 'active' || p.status === 'pending' || (p.status === 'expired' && p.keepFile !== false);
    if (writeFile) fs.writeFileSync(filePath, ext === 'csv' ? 'program,clients\nHousing First,12\n' : '%PDF-1.4\n% sandbox export\n');
    const downloaded = p.downloads > 0 ? rng.pick(active) : null;
    const revokedAt = p.status === 'revoked' ? createdAt + 60 * MIN : null;
    const clientId = p.type === 'individual_client' ? rng.int(1, Math.max(1, o.clients)) : null;
    await links.add({
      id, created_at: new Date(createdAt), expires_at: new Date(expiresAt), download_count: p.downloads, last_downloaded_at: p.downloads ? new Date(createdAt + 20 * MIN) : null,
      export_type: p.type, filters_json: JSON.stringify(clientId ? { client_id: clientId } : { program: 1 }), client_count: p.count, includes_notes: p.notes,
      recipient: rng.pick(['Funder: United Way', 'Board of directors', 'Participant (self)', 'Ministère de la Santé']), filename, is_elevated: elevated,
      admin_notified_at: elevated ? new Date(createdAt + MIN) : null, revoked: p.status === 'revoked', revoked_at: revokedAt ? new Date(revokedAt) : null, file_path: filePath,
      created_by_id: creator.id, last_downloaded_by_id: downloaded?.id ?? null, revoked_by_id: revokedAt ? admin.id : null, contains_pii: p.pii, agency_notes: '',
      approved_at: null, approved_by_id: null,
    });

    const linkMeta = { link_id: id, created_by: creator.displayName, export_type: p.type, client_count: p.count };
    const by = (u: SandboxUser) => ({ userId: u.id, userDisplay: u.displayName });
    events.push({ at: createdAt - 1000, ...by(creator), action: 'post', resourceType: 'reports', resourceId: null, metadata: { path: '/reports/export/', status_code: 302 } });
    if (p.type === 'metrics') events.push({ at: createdAt, ...by(creator), action: 'export', resourceType: 'metric_report', resourceId: null, metadata: { program: 'Housing First', total_clients: p.count, export_mode: 'aggregate', recipient: 'funder', secure_link_id: id } });
    else if (p.type === 'standard_report' || p.type === 'client_data') events.push({ at: createdAt, ...by(creator), action: 'report_approved', resourceType: 'standard_report', resourceId: null, metadata: { program: 'Housing First', fiscal_year: '2025-26', format: 'pdf', secure_link_id: id } });
    else if (p.type === 'individual_client') events.push({ at: createdAt, ...by(creator), action: 'export', resourceType: 'individual_client_export', resourceId: clientId, metadata: { client_id: clientId, record_id: `KN-${String(clientId).padStart(6, '0')}`, format: 'pdf', delivery: 'link', link_id: id } });
    else events.push({ at: createdAt, ...by(creator), action: 'create', resourceType: 'session_report', resourceId: null, metadata: { link_id: id, program: 'Family Support', client_count: p.count } });
    for (let d = 0; d < p.downloads; d++) {
      events.push({ at: createdAt + (20 + d) * MIN, ...by(downloaded!), action: 'export', resourceType: 'export_download', resourceId: null, metadata: linkMeta });
    }
    if (revokedAt) events.push({ at: revokedAt, ...by(admin), action: 'update', resourceType: 'export_link_revoked', resourceId: null, metadata: linkMeta });
  }
  await links.flush();
  // A file no row points to: what cleanup_expired_exports removes in its second pass.
  fs.writeFileSync(path.join(o.exportDir, `${rng.uuid()}_orphaned_report.csv`), 'orphan\n');
  events.sort((a, b) => a.at - b.at);
  return { links: plan.length, events };
}
