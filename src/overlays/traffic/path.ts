import { type Document, isMap, isScalar, type Node, type YAMLMap } from 'yaml';
import { type EditFailure, fail } from '../cst-edit.js';
import { backendOf, objectOf } from './common.js';
import type { Split, TrafficProvider } from './split.js';

// The generic setter for anything else: a YAML path such as `spec.rules[0].backendRefs[1].weight`
// names one scalar, which takes the percentage as it is (number, or string if it was one).

export function parsePath(expr: string): (string | number)[] | EditFailure {
  if (!/^[^.[\]]+(\.[^.[\]]+|\[\d+\])*$/.test(expr)) {
    return fail(
      'invalid-spec',
      `--path ${JSON.stringify(expr)} is not a YAML path like spec.rules[0].backendRefs[1].weight`,
    );
  }
  const parts: (string | number)[] = [];
  for (const m of expr.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (m[2] !== undefined) parts.push(Number(m[2]));
    else if (m[1] !== undefined) parts.push(m[1]);
  }
  if (typeof parts[parts.length - 1] !== 'string') {
    return fail('invalid-spec', `--path ${JSON.stringify(expr)} must end with a key, e.g. ...weight`);
  }
  return parts;
}

export function pathProvider(path: readonly (string | number)[]): TrafficProvider {
  const parentPath = path.slice(0, -1);
  const key = String(path[path.length - 1]);
  const label = path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
    .join('')
    .replace(/^\./, '');
  return {
    kind: 'path',
    description: 'any scalar named by a YAML path (--path spec.x[0].weight)',
    matches: (doc) => isMap(parentPath.length === 0 ? doc.contents : doc.getIn(parentPath, true)),
    splits: (doc: Document.Parsed, docIndex: number): Split[] => {
      const parent = (parentPath.length === 0 ? doc.contents : doc.getIn(parentPath, true)) as
        Node | undefined;
      if (!isMap(parent)) return [];
      const node = (parent as YAMLMap).get(key, true);
      const valueKind = isScalar(node) && typeof node.value === 'string' ? 'string' : 'number';
      return [
        {
          routes: [label],
          label: `${label} (document ${docIndex + 1})`,
          object: objectOf(doc),
          docIndex,
          mode: 'single',
          valueKind,
          backends: [backendOf(label, [], parent as YAMLMap, parentPath, key, 0)],
        },
      ];
    },
  };
}
