import { readFileSync } from 'node:fs';

/** This package's version, read from its package.json (the same file from `src/` and `dist/`). */
export const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Sent with every HTTP request so vendors' logs tell Weft's calls (and their version) apart. */
export const userAgent = `weft-email/${version}`;
