#!/usr/bin/env node
// The `custodian` command. Runs the TypeScript core through tsx so a checkout works right after
// `npm ci` with no build step; the packaged app bundles the same entry with esbuild.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src-main/cli/main.ts');
await main(process.argv);
