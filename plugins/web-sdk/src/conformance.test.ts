import { runConformance } from '@weft/plugin-sdk/testing';
import plugin from './index.js';

runConformance(plugin, { components: { source: { config: {} } } });
