import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// Pure core, thin adapters: the core (and the pure libraries it stands on) names the GitOps store
// and the trailer format as ports in src/core and never imports an adapter or does I/O itself.
const PURE = ['src/core', 'src/gates', 'src/strategies', 'src/overlays'];
// src/overlays/cli-edit.ts is the `rollgate edit` verb and reads files: the I/O rule spares overlays.
const NO_IO = ['src/core', 'src/gates', 'src/strategies'];
const ADAPTERS = ['src/gitops', 'src/facts', 'src/github', 'src/action', 'src/cli'];
const IO_MODULES = /^node:(child_process|fs|fs\/promises|http|https|net|os)$/;

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(
    entries.map((e) =>
      e.isDirectory()
        ? sources(join(dir, e.name))
        : Promise.resolve(e.name.endsWith('.ts') ? [join(dir, e.name)] : []),
    ),
  );
  return nested.flat();
}

describe('layering', () => {
  it('the pure core imports no adapter and no I/O module', async () => {
    const problems: string[] = [];
    for (const dir of PURE) {
      for (const file of await sources(dir)) {
        const text = await readFile(file, 'utf8');
        for (const match of text.matchAll(/^\s*(?:import|export)[^'"]*from\s+'([^']+)'/gm)) {
          const spec = match[1] ?? '';
          if (IO_MODULES.test(spec) && NO_IO.includes(dir)) problems.push(`${file} imports ${spec}`);
          if (!spec.startsWith('.')) continue;
          const target = relative('.', join(file, '..', spec));
          if (ADAPTERS.some((a) => target.startsWith(`${a}/`))) problems.push(`${file} imports ${target}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
