import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The `import` lines a plugin written to a temporary folder needs: the built SDK and zod, by
 * absolute file URL, since nothing resolves packages from there.
 *
 * @example
 * writeFileSync(file, `${pluginImports()}\nexport default definePlugin({ … });`);
 */
export function pluginImports(): string {
  const sdk = pathToFileURL(fileURLToPath(new URL('../../plugin-sdk/dist/index.js', import.meta.url))).href;
  const zodDir = realpathSync(fileURLToPath(new URL('../../plugin-sdk/node_modules/zod', import.meta.url)));
  const zodEntry = (JSON.parse(readFileSync(join(zodDir, 'package.json'), 'utf8')) as { exports: { '.': { import: string } } }).exports['.'].import;
  return [
    `import { z } from ${JSON.stringify(pathToFileURL(join(zodDir, zodEntry)).href)};`,
    `import { defineIdentityResolver, definePlugin } from ${JSON.stringify(sdk)};`,
  ].join('\n');
}
