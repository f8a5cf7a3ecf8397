#!/usr/bin/env node
import { EXIT, run } from './main.js';

// The rollgate command: the only place that touches the real process.
run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
  cwd: process.cwd(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`rollgate: ${String(err)}\n`);
    process.exitCode = EXIT.io;
  },
);
