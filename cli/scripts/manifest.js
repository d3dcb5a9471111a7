#!/usr/bin/env node
// Writes oclif.manifest.json (command ids, flags, args, help text) so `weft` starts without
// importing every command. Uses @oclif/core's own Plugin loader, as `oclif manifest` does.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Plugin, settings } from '@oclif/core';

// The manifest must point at the compiled commands in dist/, whatever NODE_ENV says.
settings.enableAutoTranspile = false;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const plugin = new Plugin({ root, type: 'core', isRoot: true, ignoreManifest: true, errorOnManifestCreate: true, respectNoCacheDefault: true });
await plugin.load();
if (!plugin.valid) throw new Error(`oclif could not load the CLI at ${root}`);
const file = join(root, 'oclif.manifest.json');
writeFileSync(file, `${JSON.stringify(plugin.manifest, null, 2)}\n`);
console.log(`Wrote ${file}: ${Object.keys(plugin.manifest.commands).length} commands`);
