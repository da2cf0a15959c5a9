import type { AppErrorData, ErrorKind } from '../../contract/errors';

/**
 * The one error type the core throws on purpose. It carries a kind from the contract's closed set
 * and a plain-language hint (the fix), so every surface (IPC, preview, CLI) can show it as is.
 */
export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly hint: string | undefined;

  constructor(kind: ErrorKind, message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.kind = kind;
    this.hint = hint;
  }

  toData(): AppErrorData {
    return this.hint === undefined ? { kind: this.kind, message: this.message } : { kind: this.kind, message: this.message, hint: this.hint };
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** Turns anything thrown into contract error data, without leaking stack traces to the user. */
export function toErrorData(e: unknown): AppErrorData {
  if (isAppError(e)) return e.toData();
  const message = e instanceof Error ? e.message : String(e);
  return {
    kind: 'Internal',
    message: `Something unexpected went wrong: ${message}`,
    hint: 'Try again. If it keeps happening, run "custodian doctor" and send its output to your support contact.',
  };
}
