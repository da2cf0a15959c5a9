import { config } from 'zod';

/**
 * Must be main.tsx's first import: zod 4 decides at schema construction whether to compile parsers
 * with `new Function`, and even its probe is reported as a CSP violation (script-src has no
 * 'unsafe-eval', on purpose). jitless keeps every parse in the interpreter.
 */
config({ jitless: true });
