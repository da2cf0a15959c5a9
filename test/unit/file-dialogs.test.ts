import { chosenPath, dialogPlan } from '../../src-main/electron/file-dialogs';
import { contract } from '../../src-main/contract/channels';
import { createCoreDispatcher } from '../../src-main/core/handlers';
import { memoryCore } from '../helpers/memory-core';

/**
 * The "Browse…" buttons. Electron cannot run here, so its dialog module is not called: these test
 * the options main.ts hands it and how its answer is read, and the core's refusal where there is
 * no dialog (the preview and the CLI).
 */
const parse = (input: unknown) => contract['app.pickPath'].input.parse(input);
const trusted = { trusted: true, description: 'test' };

describe('native file dialogs', () => {
  it('a folder: open dialog for directories (may create one), no file filters', () => {
    const plan = dialogPlan(parse({ kind: 'folder', title: 'Backup folder', defaultPath: 'D:\\Backups', extensions: ['age'] }));
    expect(plan).toEqual({ dialog: 'open', options: { title: 'Backup folder', defaultPath: 'D:\\Backups', filters: undefined, properties: ['openDirectory', 'createDirectory', 'promptToCreate'] } });
    expect(chosenPath(plan, { canceled: false, filePaths: ['D:\\Backups\\2026'] })).toBe('D:\\Backups\\2026');
    expect(chosenPath(plan, { canceled: true, filePaths: [] })).toBeNull();
  });

  it('a file to open: its extensions first, then all files', () => {
    const plan = dialogPlan(parse({ kind: 'open', title: 'Bundle', extensions: ['enc'] }));
    expect(plan.dialog).toBe('open');
    expect(plan.options).toMatchObject({ filters: [{ name: '.enc', extensions: ['enc'] }, { name: 'All files', extensions: ['*'] }], properties: ['openFile'] });
    expect(plan.options.defaultPath).toBeUndefined();
  });

  it('a file to save: asks before overwriting; the chosen name is read from filePath', () => {
    const plan = dialogPlan(parse({ kind: 'save', title: 'Where to save the PDF', extensions: ['pdf'] }));
    expect(plan).toMatchObject({ dialog: 'save', options: { properties: ['createDirectory', 'showOverwriteConfirmation'] } });
    expect(chosenPath(plan, { canceled: false, filePath: '/Volumes/USB/sheet.pdf' })).toBe('/Volumes/USB/sheet.pdf');
    expect(chosenPath(plan, { canceled: false, filePath: '' })).toBeNull();
  });

  it('the contract refuses odd requests (extension patterns, unknown kinds)', () => {
    expect(() => parse({ kind: 'open', title: 'x', extensions: ['*.exe;rm'] })).toThrow();
    expect(() => parse({ kind: 'delete', title: 'x' })).toThrow();
  });

  it('without a host dialog (preview, CLI) the core says to type the path; a host handler is used when given', async () => {
    const ctx = memoryCore();
    const plain = await createCoreDispatcher(ctx).dispatch('app.pickPath', { kind: 'folder', title: 'Backup folder' }, trusted);
    expect(plain).toMatchObject({ ok: false, error: { kind: 'Validation', hint: expect.stringContaining('Type the full path') } });
    const hosted = await createCoreDispatcher(ctx, { 'app.pickPath': (req) => ({ path: `/picked/${req.kind}` }) }).dispatch('app.pickPath', { kind: 'folder', title: 'Backup folder' }, trusted);
    expect(hosted).toEqual({ ok: true, value: { path: '/picked/folder' } });
  });
});
