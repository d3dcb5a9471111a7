#!/usr/bin/env node
import { execute, settings } from '@oclif/core';

// Always run the compiled commands in dist/, even under NODE_ENV=test or development.
settings.enableAutoTranspile = false;

await execute({ dir: import.meta.url });
