import type { OpenDialogOptions, SaveDialogOptions } from 'electron';
import type { ChannelParsedInput } from '../contract/channels';

/**
 * The "Browse…" buttons: Electron's native open/save dialogs, for IT staff who should not have to
 * type a path. Only the dialogs' options are built here (pure, unit-tested without Electron); the
 * call itself is in main.ts. Whatever the user picks is still checked by the core like a typed path.
 */
export type PickRequest = ChannelParsedInput<'app.pickPath'>;

export type DialogPlan = { dialog: 'open'; options: OpenDialogOptions } | { dialog: 'save'; options: SaveDialogOptions };

export function dialogPlan(req: PickRequest): DialogPlan {
  const filters = req.extensions?.length ? [{ name: req.extensions.map((e) => `.${e}`).join(', '), extensions: req.extensions }, { name: 'All files', extensions: ['*'] }] : undefined;
  const base = { title: req.title, defaultPath: req.defaultPath || undefined, filters };
  if (req.kind === 'save') return { dialog: 'save', options: { ...base, properties: ['createDirectory', 'showOverwriteConfirmation'] } };
  return {
    dialog: 'open',
    options: { ...base, filters: req.kind === 'folder' ? undefined : filters, properties: req.kind === 'folder' ? ['openDirectory', 'createDirectory', 'promptToCreate'] : ['openFile'] },
  };
}

/** The path the user chose, or null when the dialog was closed. */
export function chosenPath(plan: DialogPlan, result: { canceled: boolean; filePaths?: string[]; filePath?: string }): string | null {
  if (result.canceled) return null;
  return (plan.dialog === 'save' ? result.filePath : result.filePaths?.[0]) || null;
}
