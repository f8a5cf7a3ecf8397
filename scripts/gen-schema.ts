// Writes policies/*.schema.json from the same zod schemas that type and validate the config.
// `--check` fails (exit 1) when a committed file is stale, for CI.
import { readFile, writeFile } from 'node:fs/promises';
import { renderSchemas } from '../src/config/json-schema.js';

const check = process.argv.includes('--check');
let stale = 0;
for (const [name, text] of Object.entries(renderSchemas())) {
  const target = new URL(`../policies/${name}`, import.meta.url);
  if (check) {
    if ((await readFile(target, 'utf8').catch(() => '')) !== text) {
      process.stderr.write(`policies/${name} is stale: run \`npm run schema\` and commit it.\n`);
      stale++;
    }
  } else {
    await writeFile(target, text);
    process.stdout.write(`wrote policies/${name}\n`);
  }
}
if (check && stale === 0) process.stdout.write('policies/*.json are up to date.\n');
process.exitCode = stale === 0 ? 0 : 1;
