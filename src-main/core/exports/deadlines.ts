import type { CoreContext } from '../context';
import type { Deadline, DeadlinesResult } from '../../contract/exports';
import { AppError } from '../common/errors';
import { withClient } from '../connections/pg-client';
import { loadKeyList } from '../keys/key-service';
import { konoteDate } from './summary';
import { planDeadline } from './deadline-rules';
import { sendExportMail } from './mail';
import { finishAction, startAction } from './action-log';

/**
 * KoNote's `check_report_deadlines` on `report_schedules` (rules in deadline-rules.ts): sets
 * `banner_shown_at`, emails the schedule's notify users (fallback: active admins) once and sets
 * `email_sent_at`, advances recurring due dates. Emails are decrypted with the deployment's key
 * list only when one is actually to be sent; each schedule is updated right after its own email,
 * so a mail failure half-way leaves every schedule consistent and the rest for the next run.
 */

interface ScheduleRow {
  id: string;
  name: string;
  report_type: string;
  frequency: string;
  due_date: string;
  reminder_days_before: number;
  banner_shown_at: Date | null;
  email_sent_at: Date | null;
  is_active: boolean;
}

export async function checkDeadlines(ctx: CoreContext, input: { profile: string; dryRun: boolean }, today = konoteDate(new Date())): Promise<DeadlinesResult> {
  return withClient(ctx, input.profile, 'main', async (c) => {
    const rows = (
      await c.query<ScheduleRow>(
        `SELECT id, name, report_type, frequency, due_date::text AS due_date, reminder_days_before, banner_shown_at, email_sent_at, is_active
           FROM report_schedules ORDER BY due_date, id`,
      )
    ).rows;
    const notify = (await c.query<{ sid: string; uid: string; display_name: string; email: Buffer }>(
      `SELECT n.reportschedule_id AS sid, u.id AS uid, u.display_name, u._email_encrypted AS email
         FROM report_schedules_notify_users n JOIN users u ON u.id = n.user_id WHERE u.is_active ORDER BY u.display_name`,
    )).rows;
    const admins = (await c.query<{ uid: string; display_name: string; email: Buffer }>(`SELECT id AS uid, display_name, _email_encrypted AS email FROM users WHERE is_admin AND is_active ORDER BY display_name`)).rows;

    const plans = rows.map((r) => {
      const plan = r.is_active ? planDeadline({ dueDate: r.due_date, frequency: r.frequency, reminderDaysBefore: r.reminder_days_before, bannerShown: r.banner_shown_at !== null, emailSent: r.email_sent_at !== null }, today) : null;
      const users = notify.filter((n) => n.sid === r.id);
      return { r, plan, to: users.length ? users : admins };
    });

    const emailsNeeded = plans.some((p) => p.plan?.email && p.to.length);
    const keys = !input.dryRun && emailsNeeded ? await loadKeyList(ctx, input.profile) : null;
    const decryptEmail = (u: { display_name: string; email: Buffer }) => {
      if (!keys || u.email.length === 0) return null;
      try {
        return keys.decrypt(u.email).toString('utf8');
      } catch {
        throw new AppError('KeyMismatch', `The email address of ${u.display_name} could not be decrypted with the stored key list.`, 'Check the key list with `custodian key verify`. No reminder was sent.');
      }
    };

    const result: DeadlinesResult = { today, dryRun: input.dryRun, schedules: [], emailsSent: 0 };
    const actionId = input.dryRun ? null : startAction(ctx, { profile: input.profile, kind: 'deadlines' });
    for (const { r, plan, to } of plans) {
      const d: Deadline = {
        id: Number(r.id),
        name: r.name,
        reportType: r.report_type,
        frequency: r.frequency,
        dueDate: plan?.dueDate ?? r.due_date,
        reminderDaysBefore: r.reminder_days_before,
        daysLeft: plan?.daysLeft ?? 0,
        isActive: r.is_active,
        inReminderWindow: plan?.inWindow ?? false,
        bannerShownAt: r.banner_shown_at?.toISOString() ?? null,
        emailSentAt: r.email_sent_at?.toISOString() ?? null,
        actions: [],
        emailTo: plan?.email ? to.map((u) => u.display_name) : [],
        nextDueDate: plan?.advanced ? plan.dueDate : null,
      };
      if (plan) {
        if (plan.advanced) d.actions.push('advance');
        if (plan.banner) d.actions.push('banner');
        if (plan.email && to.length) d.actions.push('email');
      }
      result.schedules.push(d);
      if (input.dryRun || !plan || d.actions.length === 0) continue;

      if (d.actions.includes('email')) {
        const addresses = to.map(decryptEmail).filter((x): x is string => !!x && x.includes('@'));
        if (addresses.length) {
          await sendExportMail(ctx, {
            to: addresses,
            subject: `Report due: ${r.name} (${plan.dueDate})`,
            text: `The report "${r.name}" (${r.report_type}) is due on ${plan.dueDate}, in ${plan.daysLeft} day(s).\n\nThis reminder is sent once per due date.\n\n— Sent by Custodian for KoNote`,
          });
          result.emailsSent += 1;
        }
      }
      const now = new Date();
      await c.query(
        `UPDATE report_schedules SET due_date = $2::date,
                banner_shown_at = CASE WHEN $3::boolean THEN $5::timestamptz WHEN $6::boolean THEN NULL ELSE banner_shown_at END,
                email_sent_at   = CASE WHEN $4::boolean THEN $5::timestamptz WHEN $6::boolean THEN NULL ELSE email_sent_at END,
                updated_at = $5::timestamptz
          WHERE id = $1`,
        [r.id, plan.dueDate, plan.banner, d.actions.includes('email'), now, plan.advanced],
      );
      if (plan.banner) d.bannerShownAt = now.toISOString();
      else if (plan.advanced) d.bannerShownAt = null;
      if (d.actions.includes('email')) d.emailSentAt = now.toISOString();
      else if (plan.advanced) d.emailSentAt = null;
    }
    if (actionId) finishAction(ctx, actionId, 'done', { emailsSent: result.emailsSent, changed: result.schedules.filter((s) => s.actions.length).map((s) => s.id) });
    return result;
  });
}
