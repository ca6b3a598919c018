/** Files shipped with the package (REPORT_TEMPLATE.md, package.json), found from the compiled module's place. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Compiled to dist/src/package-root.js: the package root is two levels up.
export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const faultlineVersion: string = (
  JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }
).version;
