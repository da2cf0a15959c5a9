import { DatabaseEndpointSchema, ProfileInputSchema, ProfileNameSchema, SSL_MODES, type ProfileInput } from '../../../src-main/contract/profiles';
import type { StepSpec } from '../types';

/** The add-profile form as the user types it (strings), before it becomes a ProfileInput. */
export interface ProfileForm {
  name: string;
  mainHost: string;
  mainPort: string;
  mainDatabase: string;
  mainUser: string;
  mainPassword: string;
  mainSslmode: string;
  sameServer: boolean;
  auditHost: string;
  auditPort: string;
  auditDatabase: string;
  auditUser: string;
  auditPassword: string;
  auditSslmode: string;
  schemas: string;
}

export const EMPTY_PROFILE_FORM: ProfileForm = {
  name: '',
  mainHost: '',
  mainPort: '5432',
  mainDatabase: 'konote',
  mainUser: '',
  mainPassword: '',
  mainSslmode: 'prefer',
  sameServer: true,
  auditHost: '',
  auditPort: '5432',
  auditDatabase: 'konote_audit',
  auditUser: '',
  auditPassword: '',
  auditSslmode: 'prefer',
  schemas: 'public',
};

const E = 'profileWizard.error.';
const endpoint = DatabaseEndpointSchema.shape;

/** Validation comes from the contract's zod schemas; the messages are our own plain-language keys. */
function required(value: string): string | null {
  return value.trim() === '' ? `${E}required` : null;
}
function host(value: string): string | null {
  return required(value) ?? (endpoint.host.safeParse(value.trim()).success ? null : `${E}host`);
}
export function parsePort(value: string): number | null {
  if (!/^\s*\d+\s*$/.test(value)) return null;
  const n = Number(value);
  return endpoint.port.safeParse(n).success ? n : null;
}
function port(value: string): string | null {
  return parsePort(value) === null ? `${E}port` : null;
}
function pgName(value: string): string | null {
  return required(value) ?? (endpoint.database.safeParse(value.trim()).success ? null : `${E}tooLong`);
}
export function parseSchemas(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
const schemaItem = ProfileInputSchema.shape.schemas.unwrap().element;

const separateAudit = (f: ProfileForm) => !f.sameServer;
const fld = (key: string) => `profileWizard.field.${key}`;

export const PROFILE_STEPS: StepSpec<ProfileForm>[] = [
  {
    id: 'name',
    title: 'profileWizard.steps.name',
    fields: [
      {
        name: 'name',
        label: fld('name'),
        help: fld('nameHelp'),
        kind: 'text',
        validate: (f) => required(f.name) ?? (ProfileNameSchema.safeParse(f.name.trim()).success ? null : `${E}name`),
      },
    ],
  },
  {
    id: 'main',
    title: 'profileWizard.steps.main',
    fields: [
      { name: 'mainHost', label: fld('host'), kind: 'text', validate: (f) => host(f.mainHost) },
      { name: 'mainPort', label: fld('port'), kind: 'number', validate: (f) => port(f.mainPort) },
      { name: 'mainDatabase', label: fld('database'), kind: 'text', validate: (f) => pgName(f.mainDatabase) },
      { name: 'mainUser', label: fld('user'), kind: 'text', autoComplete: 'username', validate: (f) => pgName(f.mainUser) },
      { name: 'mainPassword', label: fld('password'), help: fld('passwordHelp'), kind: 'password' },
      { name: 'mainSslmode', label: fld('sslmode'), kind: 'select', options: SSL_MODES },
    ],
  },
  {
    id: 'audit',
    title: 'profileWizard.steps.audit',
    fields: [
      { name: 'sameServer', label: fld('sameServer'), kind: 'checkbox' },
      { name: 'auditHost', label: fld('host'), kind: 'text', visible: separateAudit, validate: (f) => host(f.auditHost) },
      { name: 'auditPort', label: fld('port'), kind: 'number', visible: separateAudit, validate: (f) => port(f.auditPort) },
      { name: 'auditDatabase', label: fld('database'), kind: 'text', validate: (f) => pgName(f.auditDatabase) },
      { name: 'auditUser', label: fld('user'), kind: 'text', visible: separateAudit, validate: (f) => pgName(f.auditUser) },
      { name: 'auditPassword', label: fld('password'), help: fld('passwordHelp'), kind: 'password', visible: separateAudit },
      { name: 'auditSslmode', label: fld('sslmode'), kind: 'select', options: SSL_MODES, visible: separateAudit },
    ],
  },
  {
    id: 'schemas',
    title: 'profileWizard.steps.schemas',
    fields: [
      {
        name: 'schemas',
        label: fld('schemas'),
        help: fld('schemasHelp'),
        kind: 'text',
        validate: (f) => {
          const list = parseSchemas(f.schemas);
          if (list.length === 0) return `${E}required`;
          return list.every((s) => schemaItem.safeParse(s).success) ? null : `${E}schemas`;
        },
      },
    ],
  },
  { id: 'review', title: 'profileWizard.steps.review', fields: [] },
];

/** The profiles.save input; "same server" copies the main connection except the database name. */
export function toProfileInput(f: ProfileForm): ProfileInput {
  const sslmode = (v: string) => (SSL_MODES as readonly string[]).includes(v) ? (v as (typeof SSL_MODES)[number]) : 'prefer';
  const main = { host: f.mainHost.trim(), port: parsePort(f.mainPort) ?? 5432, database: f.mainDatabase.trim(), user: f.mainUser.trim(), sslmode: sslmode(f.mainSslmode) };
  const audit = f.sameServer
    ? { ...main, database: f.auditDatabase.trim() }
    : { host: f.auditHost.trim(), port: parsePort(f.auditPort) ?? 5432, database: f.auditDatabase.trim(), user: f.auditUser.trim(), sslmode: sslmode(f.auditSslmode) };
  const auditPassword = f.sameServer ? f.mainPassword : f.auditPassword;
  const input: ProfileInput = { name: f.name.trim(), main, audit, schemas: parseSchemas(f.schemas) };
  if (f.mainPassword !== '') input.mainPassword = f.mainPassword;
  if (auditPassword !== '') input.auditPassword = auditPassword;
  return input;
}
