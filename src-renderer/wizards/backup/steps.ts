import type { StepSpec } from '../types';

/** The "Back up now" form as the user fills it, before it becomes a backup.run job spec. */
export interface BackupForm {
  target: string;
  format: string;
  encrypt: boolean;
}

/** Encryption is on unless the user turns it off: the dumps hold personal information. */
export const EMPTY_BACKUP_FORM: BackupForm = { target: '', format: 'custom', encrypt: true };

export const DUMP_FORMATS = ['custom', 'plain'] as const;

/**
 * A full path on Windows (C:\..., \\server\share) or POSIX (/...). Relative paths are refused here
 * because they would be resolved against wherever the core happens to run, not what the user meant.
 * The core checks the folder for real (writable, not inside the database's data folder).
 */
export function isFullFolderPath(text: string): boolean {
  return /^(?:[A-Za-z]:[\\/]|\\\\[^\\]+\\|\/)/.test(text.trim());
}

export const BACKUP_STEPS: StepSpec<BackupForm>[] = [
  {
    id: 'target',
    title: 'backupWizard.steps.target',
    fields: [
      {
        name: 'target',
        label: 'backupWizard.target',
        help: 'backupWizard.targetHelp',
        kind: 'folder',
        validate: (f) => (f.target.trim() === '' || isFullFolderPath(f.target) ? (f.target.length > 4096 ? 'profileWizard.error.tooLong' : null) : 'backupWizard.targetInvalid'),
      },
    ],
  },
  {
    id: 'format',
    title: 'backupWizard.steps.format',
    fields: [{ name: 'format', label: 'backupWizard.format', kind: 'select', options: DUMP_FORMATS, optionLabels: 'backupWizard.formatOption' }],
  },
  { id: 'encryption', title: 'backupWizard.steps.encryption', fields: [{ name: 'encrypt', label: 'backupWizard.encrypt', kind: 'checkbox' }] },
  { id: 'review', title: 'backupWizard.steps.review', fields: [] },
];

/** The job the wizard starts: intent only; the core picks tools and paths. */
export function toBackupJobSpec(profile: string, f: BackupForm) {
  return {
    kind: 'backup.run' as const,
    profile,
    target: f.target.trim() === '' ? undefined : f.target.trim(),
    format: f.format === 'plain' ? ('plain' as const) : ('custom' as const),
    encrypt: f.encrypt,
  };
}
