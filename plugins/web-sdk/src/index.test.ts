import { readFileSync } from 'node:fs';
import { parse } from 'acorn';
import { describe, expect, it } from 'vitest';
import { pluginManifest } from '@weft/plugin-sdk';
import plugin, { browserSdkUrl, source } from './index.js';

const script = readFileSync(browserSdkUrl, 'utf8');

describe('web-sdk plugin', () => {
  it('contributes weft.js as a JavaScript asset of its source', async () => {
    const asset = source.assets!['weft.js']!;
    expect(asset.contentType).toBe('application/javascript; charset=utf-8');
    expect(await asset.load()).toBe(script);
    expect(pluginManifest(plugin).components).toEqual([expect.objectContaining({ name: 'source', kind: 'source', assets: ['weft.js'] })]);
  });

  it('ships the browser SDK as a plain ES2018 script', () => {
    expect(() => parse(script, { ecmaVersion: 2018, sourceType: 'script' })).not.toThrow();
  });

  it('reports the same version in the script as the package', () => {
    expect(script).toContain(`var VERSION = '${plugin.version}';`);
  });

  it('needs no config and rejects unknown fields', () => {
    expect(source.config.safeParse({}).success).toBe(true);
    expect(source.config.safeParse({ allowedOrigins: ['https://example.com'] }).success).toBe(false);
  });
});
