import { type Document } from 'yaml';
import { apiGroupKind, backendOf, mapsOf, metadataName, stringAt, objectOf } from './common.js';
import type { Split, TrafficProvider } from './split.js';

// SMI TrafficSplit: `spec.backends[]` of `{service, weight}` for the apex `spec.service`.

function splits(doc: Document.Parsed, docIndex: number): Split[] {
  const name = metadataName(doc);
  const apex = doc.getIn(['spec', 'service']);
  const backends = mapsOf(doc.getIn(['spec', 'backends'], true));
  if (backends.length < 2) return [];
  return [
    {
      routes: typeof apex === 'string' ? [name, apex] : [name],
      label: `TrafficSplit ${name}`,
      object: objectOf(doc),
      docIndex,
      mode: 'pair',
      valueKind: 'number',
      backends: backends.map(({ map, index }) =>
        backendOf(stringAt(map, 'service') ?? `#${index}`, [], map, ['spec', 'backends', index], 'weight', 0),
      ),
    },
  ];
}

export const smi: TrafficProvider = {
  kind: 'smi',
  description: 'SMI TrafficSplit: weighted spec.backends',
  matches: (doc) => {
    const { group, kind } = apiGroupKind(doc);
    return group === 'split.smi-spec.io' && kind === 'TrafficSplit';
  },
  splits,
};
