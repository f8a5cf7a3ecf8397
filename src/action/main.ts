import { appendFileSync } from 'node:fs';
import { run } from '../cli/main.js';

// Minimal Action entry of the walking skeleton: maps inputs onto the CLI's verbs so the Action and
// the CLI share one core. The Action issue replaces this with event routing and GitHub adapters.

function input(name: string): string {
  return (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

function setOutput(name: string, value: string): void {
  const file = process.env.GITHUB_OUTPUT;
  if (file) appendFileSync(file, `${name}<<__rollgate__\n${value}\n__rollgate__\n`);
}

const command = input('command') || 'check';
const argv = [command, input('environment'), '--json'];
if (input('version')) argv.push('--version', input('version'));
for (const s of input('services')
  .split(/[\s,]+/)
  .filter(Boolean))
  argv.push('--service', s);
if (input('config')) argv.push('--config', input('config'));
if (command === 'promote' && input('dry-run') === 'true') argv.push('--dry-run');

let json = '';
const code = await run(argv, {
  stdout: (t) => {
    json += t;
    process.stdout.write(`${t}\n`);
  },
  stderr: (t) => process.stderr.write(`${t}\n`),
  env: process.env,
  cwd: process.cwd(),
});
setOutput('result', json);
setOutput('allowed', String(code === 0));
process.exitCode = code;
