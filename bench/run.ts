import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// `npm run bench`: runs every bench/*.ts (but this file) in name order; each exports a default
// async function that prints its own results.

const here = import.meta.dirname;
const files = (await readdir(here)).filter((f) => f.endsWith('.ts') && f !== 'run.ts').sort();
for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as {
    default?: () => Promise<void> | void;
  };
  if (typeof mod.default !== 'function') throw new Error(`bench/${file} has no default export to run`);
  console.log(`\n== bench/${file}`);
  await mod.default();
}
