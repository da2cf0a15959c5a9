import os from 'node:os';

/** Who is at the keyboard, for evidence records (drills, checklist ticks); never fails. */
export function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown'; // no passwd entry (some containers)
  }
}
