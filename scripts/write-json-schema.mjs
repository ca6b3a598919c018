// Build step: writes schema/scenario.schema.json from the zod schema (the single source of truth).
import { mkdirSync, writeFileSync } from 'node:fs';
import { scenarioJsonSchema } from '../dist/src/scenario/schema.js';

mkdirSync(new URL('../schema/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('../schema/scenario.schema.json', import.meta.url),
  `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`,
);
