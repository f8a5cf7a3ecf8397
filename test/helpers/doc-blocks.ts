import { readdirSync, readFileSync } from 'node:fs';

/** A yaml block of the docs: `file` is where it starts (`docs/canary.md:42`), `text` its body. */
export interface DocBlock {
  readonly file: string;
  readonly text: string;
}

/** Every ```yaml block of README.md and docs/*.md, in file order. */
export function docYamlBlocks(): DocBlock[] {
  const files = [
    'README.md',
    ...readdirSync('docs')
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  return files.flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return [...text.matchAll(/^```ya?ml\n([\s\S]*?)^```/gm)].map((m) => ({
      file: `${file}:${text.slice(0, m.index).split('\n').length + 1}`,
      text: m[1] ?? '',
    }));
  });
}
