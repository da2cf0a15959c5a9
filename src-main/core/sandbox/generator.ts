import fs from 'node:fs';
import type { Client } from 'pg';
import type { MultiFernet } from '../keys/fernet';
import { BulkInserter, CLIENT_WORDS, FIRST_NAMES, GOALS, LAST_NAMES, NOTE_BODIES, NOTE_CLOSINGS, NOTE_OPENINGS, Prng, STREETS, syncIdentity, type Encrypt } from './generator-support';
import { generateFixedRows, type SandboxUser } from './generator-fixed';
import { generateAuditLog, type AuditSpecial } from './generator-audit';

/**
 * Synthetic but realistic KoNote data, deterministic from a seed: the same seed gives the same
 * people, notes and events (Fernet tokens differ, as their IV is random). Clients are generated in
 * chunks so 100 k clients never sit in memory; every PII column is encrypted with the given key
 * list exactly as KoNote stores it (token text as bytea, '' for empty).
 */

export interface GenerateOptions {
  clients: number;
  keys: MultiFernet;
  /** Folder standing in for KoNote's SECURE_EXPORT_DIR; export files are created there. */
  exportDir: string;
  seed?: number;
  now?: Date;
  /** Default max(20000, clients * 50). */
  auditRows?: number;
  onProgress?: (fraction: number, message: string) => void;
  /** Called between chunks; throw to stop (job cancel). */
  checkpoint?: () => void;
}

export interface GenerateSummary {
  clients: number;
  users: number;
  programs: number;
  enrolments: number;
  progressNotes: number;
  planTargets: number;
  detailValues: number;
  exportLinks: number;
  exportFiles: number;
  auditRows: number;
}

const CHUNK = 250;
const DAY = 86_400_000;
const MAIN_TABLES = [
  'users', 'programs', 'user_program_roles', 'client_files', 'client_program_enrolments', 'custom_field_groups', 'custom_field_definitions', 'client_detail_values',
  'plan_sections', 'plan_targets', 'progress_notes', 'progress_note_targets', 'report_schedules', 'report_schedules_notify_users', 'organization_profiles', 'circles',
  'circle_memberships', 'communications', 'staff_messages', 'portal_participant_users', 'registration_submissions', 'survey_partial_answers',
] as const;

export function makeEncrypt(keys: MultiFernet): Encrypt {
  const empty = Buffer.alloc(0);
  return (plaintext) => (plaintext === '' ? empty : Buffer.from(keys.encrypt(plaintext), 'latin1'));
}

const isoDate = (d: Date) => d.toISOString().slice(0, 10);

export async function generateSandboxData(main: Client, audit: Client, opts: GenerateOptions): Promise<GenerateSummary> {
  const rng = new Prng(opts.seed ?? 20240611);
  const now = opts.now ?? new Date();
  const enc = makeEncrypt(opts.keys);
  const report = opts.onProgress ?? (() => {});
  const auditTotal = opts.auditRows ?? Math.max(20_000, opts.clients * 50);
  fs.mkdirSync(opts.exportDir, { recursive: true });

  await main.query('SET synchronous_commit = off');
  report(0, 'Creating programs, staff accounts and custom fields');
  await main.query('BEGIN');
  const fixed = await generateFixedRows(main, rng, enc, { clients: opts.clients, now, exportDir: opts.exportDir });
  await main.query('COMMIT');

  const ins = (t: string) => new BulkInserter(main, t);
  const T = {
    clients: ins('client_files'), enrol: ins('client_program_enrolments'), details: ins('client_detail_values'), sections: ins('plan_sections'),
    targets: ins('plan_targets'), notes: ins('progress_notes'), noteTargets: ins('progress_note_targets'), circles: ins('circles'),
    members: ins('circle_memberships'), comms: ins('communications'), staffMsgs: ins('staff_messages'), portal: ins('portal_participant_users'),
    regs: ins('registration_submissions'), survey: ins('survey_partial_answers'),
  };
  const ids = { enrol: 0, detail: 0, section: 0, target: 0, note: 0, noteTarget: 0, circle: 0, member: 0, comm: 0, staffMsg: 0, portal: 0, reg: 0, survey: 0 };
  const staff = fixed.users.filter((u) => !u.isAdmin && u.isActive);

  for (let start = 1; start <= opts.clients; start += CHUNK) {
    opts.checkpoint?.();
    const end = Math.min(opts.clients, start + CHUNK - 1);
    await main.query('BEGIN');
    for (let id = start; id <= end; id++) {
      const first = rng.pick(FIRST_NAMES);
      const last = rng.pick(LAST_NAMES);
      const fr = rng.chance(0.3);
      const created = new Date(now.getTime() - rng.int(5, 900) * DAY - rng.int(0, DAY));
      const birth = new Date(Date.UTC(rng.int(1940, 2008), rng.int(0, 11), rng.int(1, 28)));
      const hasEmail = rng.chance(0.6);
      const hasPhone = rng.chance(0.8);
      const email = hasEmail ? `${first}.${last}`.toLowerCase().normalize('NFD').replace(/[^a-z.]/g, '') + `${id}@example.org` : '';
      const phone = hasPhone ? `${rng.pick(['613', '514', '416', '819'])}-555-${String(rng.int(0, 9999)).padStart(4, '0')}` : '';
      const status = rng.weighted([['active', 75], ['discharged', 20], ['waitlist', 5]] as const);
      await T.clients.add({
        id, _first_name_encrypted: enc(first), _middle_name_encrypted: enc(rng.chance(0.3) ? rng.pick(FIRST_NAMES) : ''), _last_name_encrypted: enc(last),
        _birth_date_encrypted: enc(isoDate(birth)), record_id: `KN-${String(id).padStart(6, '0')}`, status, status_reason: status === 'discharged' ? 'Goals met' : '',
        created_at: created, updated_at: new Date(created.getTime() + rng.int(0, 60) * DAY), consent_given_at: created, consent_type: rng.pick(['written', 'verbal']),
        retention_expires: null, erasure_requested: false, erasure_completed_at: null, is_demo: false, is_anonymised: false,
        _phone_encrypted: enc(phone), _preferred_name_encrypted: enc(rng.chance(0.15) ? rng.pick(FIRST_NAMES) : ''), _email_encrypted: enc(email),
        consent_messaging_type: rng.pick(['none', 'sms', 'email']), consent_notes: '', email_consent: hasEmail && rng.chance(0.5), email_consent_date: null,
        email_consent_withdrawn_date: null, has_email: hasEmail, has_phone: hasPhone, phone_last_confirmed: hasPhone ? isoDate(created) : null,
        preferred_contact_method: hasPhone ? 'phone' : hasEmail ? 'email' : 'none', preferred_language: fr ? 'fr' : 'en', sms_consent: hasPhone && rng.chance(0.4),
        sms_consent_date: null, sms_consent_withdrawn_date: null, cross_program_sharing: 'default', is_dv_safe: rng.chance(0.05),
      });

      // Enrolments (1–2 programs); the first is the client's "home" program for notes and plans.
      const programIds = [rng.int(1, fixed.programs)];
      if (rng.chance(0.3)) programIds.push((programIds[0]! % fixed.programs) + 1);
      const episodes: number[] = [];
      for (const programId of programIds) {
        episodes.push(++ids.enrol);
        await T.enrol.add({
          id: ids.enrol, status: status === 'discharged' ? 'finished' : 'enrolled', enrolled_at: created, unenrolled_at: status === 'discharged' ? new Date(created.getTime() + 90 * DAY) : null,
          client_file_id: id, program_id: programId, status_reason: '', episode_type: 'new_intake', primary_worker_id: staff.length ? rng.pick(staff).id : null,
          referral_source: rng.pick(['self', 'hospital', 'agency', 'school', 'family']), started_at: created, ended_at: null, end_reason: '', consent_to_aggregate_reporting: rng.chance(0.9),
        });
      }
      const homeProgram = programIds[0]!;

      for (const def of fixed.fieldDefs) {
        if (!rng.chance(0.6)) continue;
        const value = def.sample(rng, first, last);
        await T.details.add({
          id: ++ids.detail, value: def.sensitive ? '' : value, _value_encrypted: def.sensitive ? enc(value) : enc(''), updated_at: created, client_file_id: id, field_def_id: def.id,
        });
      }

      const targetIds: number[] = [];
      const sectionCount = rng.int(1, 2);
      for (let s = 0; s < sectionCount; s++) {
        const sectionId = ++ids.section;
        await T.sections.add({
          id: sectionId, name: rng.pick(['Housing', 'Employment', 'Health', 'Education', 'Social connections', 'Logement']), status: 'default', status_reason: '', sort_order: s,
          created_at: created, updated_at: created, client_file_id: id, program_id: homeProgram,
        });
        for (let t = rng.int(1, 3); t > 0; t--) {
          const goal = rng.pick(GOALS)[fr ? 1 : 0];
          const achieved = rng.chance(0.2);
          targetIds.push(++ids.target);
          await T.targets.add({
            id: ids.target, _name_encrypted: enc(goal), _description_encrypted: enc(rng.chance(0.7) ? `${goal}: ${rng.pick(NOTE_BODIES)}` : ''), status: 'default',
            _status_reason_encrypted: enc(''), _client_goal_encrypted: enc(rng.chance(0.6) ? rng.pick(CLIENT_WORDS) : ''), sort_order: t, created_at: created, updated_at: created,
            plan_section_id: sectionId, client_file_id: id, cids_outcome_uri: '', achievement_status: achieved ? 'achieved' : rng.pick(['in_progress', 'not_started']),
            achievement_status_source: 'auto', achievement_status_updated_at: achieved ? now : null, first_achieved_at: achieved ? now : null, goal_source: 'joint',
            target_date: isoDate(new Date(now.getTime() + rng.int(30, 365) * DAY)), goal_source_method: '',
          });
        }
      }

      const noteCount = rng.int(3, 7);
      const sinceCreated = Math.max(DAY, now.getTime() - created.getTime());
      for (let n = 0; n < noteCount; n++) {
        const noteId = ++ids.note;
        const at = new Date(created.getTime() + Math.floor(((n + rng.next()) / noteCount) * sinceCreated * 0.98));
        const author = staff.length ? rng.pick(staff) : fixed.users[0]!;
        await T.notes.add({
          id: noteId, note_type: rng.pick(['full', 'quick']), status: 'default', status_reason: '', backdate: null, begin_timestamp: at, created_at: at, updated_at: at,
          author_id: author.id, author_program_id: homeProgram, client_file_id: id, template_id: null, follow_up_completed_at: null,
          follow_up_date: rng.chance(0.2) ? isoDate(new Date(at.getTime() + 7 * DAY)) : null,
          _notes_text_encrypted: enc(`${rng.pick(NOTE_OPENINGS)} ${rng.pick(NOTE_BODIES)} ${rng.pick(NOTE_CLOSINGS)}`), _participant_reflection_encrypted: enc(rng.chance(0.3) ? rng.pick(CLIENT_WORDS) : ''),
          _summary_encrypted: enc(rng.chance(0.5) ? rng.pick(NOTE_BODIES) : ''), interaction_type: rng.pick(['session', 'phone', 'home_visit', 'email', 'group']),
          engagement_observation: rng.pick(['', 'engaged', 'guarded']), _participant_suggestion_encrypted: enc(rng.chance(0.1) ? 'More evening hours, please.' : ''),
          suggestion_priority: '', outcome: '', alliance_rater: '', alliance_rating: rng.chance(0.3) ? rng.int(1, 5) : null, circle_id: null,
          duration_minutes: rng.pick([15, 30, 45, 60, 90]), modality: rng.pick(['in_person', 'phone', 'video']), author_role: 'staff', alliance_prompt_index: null,
          episode_id: episodes[0]!,
        });
        if (targetIds.length && rng.chance(0.6)) {
          await T.noteTargets.add({
            id: ++ids.noteTarget, created_at: at, plan_target_id: rng.pick(targetIds), progress_note_id: noteId, _notes_encrypted: enc(rng.pick(NOTE_BODIES)),
            _client_words_encrypted: enc(rng.chance(0.4) ? rng.pick(CLIENT_WORDS) : ''), progress_descriptor: rng.pick(['improving', 'holding', 'struggling', 'achieved']),
          });
        }
      }

      if (rng.chance(0.05)) {
        const circleId = ++ids.circle;
        await T.circles.add({ id: circleId, _name_encrypted: enc(`Famille ${last}`), status: 'active', created_at: created, updated_at: created, program_id: homeProgram });
        for (let m = rng.int(2, 3); m > 0; m--) {
          await T.members.add({
            id: ++ids.member, circle_id: circleId, client_file_id: m === 1 ? id : null, _member_name_encrypted: enc(`${rng.pick(FIRST_NAMES)} ${last}`),
            relationship: m === 1 ? 'self' : rng.pick(['parent', 'sibling', 'partner', 'friend']), status: 'active', created_at: created,
          });
        }
      }
      if (rng.chance(0.5)) {
        // communications._content_encrypted is nullable: NULL, '' and real tokens all occur.
        const content = rng.weighted([[null, 1], ['', 1], ['Left a voicemail about Tuesday’s appointment.', 6]] as const);
        await T.comms.add({
          id: ++ids.comm, client_file_id: id, author_id: staff.length ? rng.pick(staff).id : null, channel: rng.pick(['sms', 'email', 'phone']),
          direction: rng.pick(['inbound', 'outbound']), _content_encrypted: content === null ? null : enc(content), created_at: new Date(created.getTime() + DAY),
        });
      }
      if (rng.chance(0.3) && staff.length) {
        await T.staffMsgs.add({
          id: ++ids.staffMsg, client_file_id: id, left_by_id: rng.pick(staff).id, for_user_id: rng.chance(0.5) ? rng.pick(staff).id : null,
          _content_encrypted: enc(`${first} a appelé : rappeler au ${phone || 'bureau'}.`), status: rng.pick(['unread', 'read']), created_at: new Date(created.getTime() + 2 * DAY),
        });
      }
      if (rng.chance(0.1)) {
        await T.portal.add({
          id: ++ids.portal, client_file_id: id, _email_encrypted: enc(email || `participant${id}@example.org`), _totp_secret_encrypted: enc(rng.chance(0.5) ? 'JBSWY3DPEHPK3PXP' : ''),
          is_active: true, created_at: created, last_login: rng.chance(0.5) ? new Date(now.getTime() - rng.int(1, 30) * DAY) : null,
        });
      }
      if (rng.chance(0.05)) {
        await T.regs.add({
          id: ++ids.reg, program_id: homeProgram, client_file_id: id, status: 'approved', _first_name_encrypted: enc(first), _last_name_encrypted: enc(last),
          _email_encrypted: enc(email), _phone_encrypted: enc(phone), _field_values_encrypted: enc(JSON.stringify({ address: `${rng.int(1, 999)} ${rng.pick(STREETS)}` })),
          submitted_at: new Date(created.getTime() - DAY), reviewed_at: created,
        });
      }
      if (rng.chance(0.3)) {
        await T.survey.add({ id: ++ids.survey, client_file_id: id, question_key: 'wellbeing_q1', value_encrypted: enc(rng.pick(CLIENT_WORDS)), updated_at: created });
      }
    }
    for (const t of Object.values(T)) await t.flush();
    await main.query('COMMIT');
    report(0.7 * (end / opts.clients), `Created ${end.toLocaleString('en')} of ${opts.clients.toLocaleString('en')} clients`);
  }
  await syncIdentity(main, MAIN_TABLES);
  await main.query('ANALYZE');

  report(0.7, 'Writing the audit log');
  const specials: AuditSpecial[] = fixed.auditSpecials;
  const auditRows = await generateAuditLog(audit, rng, {
    total: auditTotal, now, users: fixed.users, clients: opts.clients, programs: fixed.programs, specials, checkpoint: opts.checkpoint,
    onProgress: (done) => report(0.7 + 0.3 * (done / auditTotal), `Wrote ${done.toLocaleString('en')} of ${auditTotal.toLocaleString('en')} audit rows`),
  });
  report(1, 'Sample data ready');
  return {
    clients: opts.clients, users: fixed.users.length, programs: fixed.programs, enrolments: ids.enrol, progressNotes: ids.note, planTargets: ids.target,
    detailValues: ids.detail, exportLinks: fixed.exportLinks, exportFiles: fs.readdirSync(opts.exportDir).length, auditRows,
  };
}

export type { SandboxUser };
