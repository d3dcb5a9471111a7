import { readFileSync } from 'node:fs';
import { definePlugin } from '@weft/plugin-sdk';
import { transform } from './transform.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

export { transform, transformConfigSchema, toEvents, type TransformConfig } from './transform.js';
export { compileExpression, describeJsonataError } from './expression.js';

export default definePlugin({
  id: 'jsonata',
  version,
  sdk: '^0.1.0',
  description: 'Transforms events with JSONata expressions: enrich, rename, drop, split',
  components: { transform },
});
