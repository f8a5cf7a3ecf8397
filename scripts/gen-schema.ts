// Writes policies/*.schema.json and src/config/shapes.generated.ts from the same zod schemas that
// type and validate the config. `--check` fails (exit 1) when a committed file is stale, for CI.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { renderSchemas } from '../src/config/json-schema.js';
import { renderShapes } from '../src/config/shape-sources.js';

const check = process.argv.includes('--check');

const shapesFile = new URL('../src/config/shapes.generated.ts', import.meta.url);
const shapes = await format(renderShapes(), {
  ...(await resolveConfig(fileURLToPath(shapesFile))),
  filepath: fileURLToPath(shapesFile),
});

const files: [URL, string, string][] = [
  ...Object.entries(renderSchemas()).map(([name, text]): [URL, string, string] => [
    new URL(`../policies/${name}`, import.meta.url),
    `policies/${name}`,
    text,
  ]),
  [shapesFile, 'src/config/shapes.generated.ts', shapes],
];

let stale = 0;
for (const [target, shown, text] of files) {
  if (check) {
    if ((await readFile(target, 'utf8').catch(() => '')) !== text) {
      process.stderr.write(`${shown} is stale: run \`npm run schema\` and commit it.\n`);
      stale++;
    }
  } else {
    await writeFile(target, text);
    process.stdout.write(`wrote ${shown}\n`);
  }
}
if (check && stale === 0)
  process.stdout.write('policies/*.json and src/config/shapes.generated.ts are up to date.\n');
process.exitCode = stale === 0 ? 0 : 1;
