import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { definePlugin, defineSource } from '@weft/plugin-sdk';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** The browser SDK, shipped as a plain script next to this module (`browser/weft.js`) in `src/` and `dist/` alike. */
export const browserSdkUrl = new URL('../browser/weft.js', import.meta.url);

/**
 * The browser SDK's source: events arrive at `/v1/batch` with this connector's write key; the
 * script itself is served at `/sdk/weft.js`. Nothing to configure: the write key is the credential.
 *
 * @example
 * // <script src="https://weft.example.com/sdk/weft.js"></script>
 * // <script>weft.load('<write key>'); weft.page();</script>
 */
export const source = defineSource({
  title: 'Website (weft.js)',
  description: 'Collects page views, tracks and identifies from websites with the weft.js browser SDK, served at /sdk/weft.js',
  config: z.object({}).strict(),
  assets: {
    'weft.js': {
      contentType: 'application/javascript; charset=utf-8',
      load: () => readFile(browserSdkUrl, 'utf8'),
    },
  },
});

export default definePlugin({
  id: 'web-sdk',
  version,
  sdk: '^0.1.0',
  description: 'The weft.js browser SDK and its source: page views, tracks and identities from websites',
  components: { source },
});
