import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { parse } from 'yaml';

// The corpus keeps real kustomization files; the resources they name are mostly not in the corpus.
// Each missing one is written as a small Deployment named after its path (its image is the
// kustomization's first image name, so image edits show in the render), so the real file builds.

function stubName(path: string): string {
  return (
    path
      .toLowerCase()
      .replace(/\.(ya?ml|json)$/, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(-50)
      .replace(/^-+/, '') || 'stub'
  );
}

function deployment(name: string, image: string): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  replicas: 1',
    '  selector:',
    `    matchLabels: {app: ${name}}`,
    '  template:',
    `    metadata: {labels: {app: ${name}}}`,
    '    spec:',
    '      containers:',
    `      - name: main`,
    `        image: ${image}`,
    '',
  ].join('\n');
}

type Kustomization = Record<string, unknown>;

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export async function writeStubs(caseDir: string, text: string): Promise<void> {
  const k = (parse(text) ?? {}) as Kustomization;
  const firstImage =
    (Array.isArray(k.images) ? (k.images[0] as { name?: string } | undefined)?.name : undefined) ?? 'nginx';
  const image = `${firstImage}:1.0`;
  // Names the kustomization's replicas: list refers to go to the first stand-ins, so it matches.
  const wanted = (Array.isArray(k.replicas) ? k.replicas : [])
    .map((r) => (r as { name?: string }).name)
    .filter((n): n is string => typeof n === 'string');
  for (const entry of [...strings(k.resources), ...strings(k.bases)]) {
    if (entry.includes('://') || entry.startsWith('github.com/')) continue;
    const target = resolve(caseDir, entry);
    if (existsSync(target)) continue;
    const name = wanted.shift() ?? stubName(entry);
    if (['.yaml', '.yml', '.json'].includes(extname(entry))) {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, deployment(name, image));
    } else {
      await mkdir(target, { recursive: true });
      await writeFile(join(target, 'kustomization.yaml'), 'resources:\n- stub.yaml\n');
      await writeFile(join(target, 'stub.yaml'), deployment(name, image));
    }
  }
  for (const generator of [
    ...(Array.isArray(k.configMapGenerator) ? k.configMapGenerator : []),
    ...(Array.isArray(k.secretGenerator) ? k.secretGenerator : []),
  ]) {
    const g = generator as { files?: unknown; envs?: unknown; env?: unknown };
    const files = [
      ...strings(g.files).map((f) => f.slice(f.indexOf('=') + 1)),
      ...strings(g.envs),
      ...(typeof g.env === 'string' ? [g.env] : []),
    ];
    for (const file of files) {
      const target = resolve(caseDir, file);
      if (existsSync(target)) continue;
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, 'KEY=stub\n');
    }
  }
}
