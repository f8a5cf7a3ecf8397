import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { setImages } from '../src/overlays/kustomization.js';

// Edits per second of one image tag change: rollgate's CST edit (with its post-write re-parse and
// check) against re-serializing through yaml's Document API, on a 20-line and a 2,000-line
// kustomization. Also counts the lines each approach changed.

function kustomization(images: number): string {
  const lines = [
    '# overlay for production',
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'namespace: shop   # all services',
    'resources:',
    '  - ../../base',
    '  - httproute.yaml',
    '',
    'images:',
  ];
  for (let i = 0; i < images; i++) {
    lines.push(
      `  - name: ghcr.io/acme/service-${i} # team ${i % 7}`,
      `    newTag: "1.${i}.0"  # pinned`,
      `    digest: sha256:${'ab'.repeat(32)}`,
    );
    if (i % 5 === 4) lines.push('');
  }
  lines.push('labels:', '  - pairs: {team: shop}', '');
  return lines.join('\n');
}

function documentEdit(text: string, index: number, tag: string): string {
  const doc = parseDocument(text);
  doc.setIn(['images', index, 'newTag'], tag);
  doc.deleteIn(['images', index, 'digest']);
  return String(doc);
}

function rate(fn: (i: number) => string, ms = 1000): number {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    fn(n);
    n++;
  }
  return n / ((performance.now() - start) / 1000);
}

function changedLines(a: string, b: string): number {
  const x = a.split('\n');
  const y = b.split('\n');
  let same = 0;
  const seen = new Map<string, number>();
  for (const line of x) seen.set(line, (seen.get(line) ?? 0) + 1);
  for (const line of y) {
    const c = seen.get(line) ?? 0;
    if (c > 0) {
      same++;
      seen.set(line, c - 1);
    }
  }
  return Math.max(x.length, y.length) - same;
}

export default function run(): void {
  const rows: string[][] = [
    ['file', 'lines', 'rollgate CST edits/s', 'yaml Document edits/s', 'lines changed (CST / Document)'],
  ];
  for (const images of [3, 640]) {
    const text = kustomization(images);
    const lineCount = text.split('\n').length;
    const target = Math.floor(images / 2);
    const name = `ghcr.io/acme/service-${target}`;
    const cst = (i: number) => {
      const r = setImages(text, [{ name, newTag: `2.${i}.0` }]);
      if (!r.ok) throw new Error(r.message);
      return r.text;
    };
    const docEdit = (i: number) => documentEdit(text, target, `2.${i}.0`);
    const cstRate = rate(cst);
    const docRate = rate(docEdit);
    rows.push([
      images === 3 ? 'small' : 'large',
      String(lineCount),
      cstRate.toFixed(0),
      docRate.toFixed(0),
      `${changedLines(text, cst(1))} / ${changedLines(text, docEdit(1))}`,
    ]);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '));
}

// Details behind the table, not targets: npx tsx bench/overlays.ts
if (process.argv[1] !== undefined && resolve(process.argv[1]) === import.meta.filename) await run();
