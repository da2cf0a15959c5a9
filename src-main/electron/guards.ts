/**
 * The event handlers window-factory.ts attaches to every webContents and session, built from the
 * pure deciders in security-policy.ts. No electron import (events are typed structurally), so the
 * handlers themselves — not just the deciders — are unit-tested with fake events.
 */
import { decideNavigation, decidePermission, decideWindowOpen } from './security-policy';

export type OpenExternal = (url: string) => void;

interface PreventableEvent {
  preventDefault(): void;
}

/** will-navigate: stay on app://custodian; a safe https link goes to the OS browser instead. */
export function navigationGuard(openExternal: OpenExternal) {
  return (event: PreventableEvent, url: string): void => {
    const decision = decideNavigation(url);
    if (decision.allow) return;
    event.preventDefault();
    if (decision.openExternally) openExternal(url);
  };
}

/** will-frame-navigate / will-redirect: refuse anything off the app origin, open nothing. */
export function stayInAppGuard() {
  return (event: PreventableEvent, url: string): void => {
    if (!decideNavigation(url).allow) event.preventDefault();
  };
}

/** setWindowOpenHandler: never a new window; a safe https link goes to the OS browser. */
export function windowOpenHandler(openExternal: OpenExternal) {
  return ({ url }: { url: string }): { action: 'deny' } => {
    const decision = decideWindowOpen(url);
    if (decision.openExternally) openExternal(url);
    return { action: decision.action };
  };
}

/** session.setPermissionRequestHandler: every request answered "no". */
export function permissionRequestHandler(_contents: unknown, permission: string, callback: (granted: boolean) => void): void {
  callback(decidePermission(permission));
}

/** session.setPermissionCheckHandler: every check answered "no". */
export function permissionCheckHandler(_contents: unknown, permission: string): boolean {
  return decidePermission(permission);
}
