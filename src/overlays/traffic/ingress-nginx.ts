import { type Document, isMap, type Node, type YAMLMap } from 'yaml';
import { apiGroupKind, backendOf, metadataName, objectOf } from './common.js';
import type { Split, TrafficProvider } from './split.js';

// ingress-nginx canary: an Ingress annotated `nginx.ingress.kubernetes.io/canary: "true"` takes
// `canary-weight` percent. Annotation values are strings, so the weight is written quoted.

export const CANARY = 'nginx.ingress.kubernetes.io/canary';
export const CANARY_WEIGHT = 'nginx.ingress.kubernetes.io/canary-weight';

function splits(doc: Document.Parsed, docIndex: number): Split[] {
  const annotations = doc.getIn(['metadata', 'annotations'], true) as Node | undefined;
  if (!isMap(annotations)) return [];
  const map = annotations as YAMLMap;
  if (String(map.get(CANARY)) !== 'true') return [];
  const name = metadataName(doc);
  return [
    {
      routes: [name],
      label: `canary Ingress ${name}`,
      object: objectOf(doc),
      docIndex,
      mode: 'single',
      valueKind: 'string',
      backends: [backendOf(name, [], map, ['metadata', 'annotations'], CANARY_WEIGHT, 0)],
    },
  ];
}

export const ingressNginx: TrafficProvider = {
  kind: 'ingress-nginx',
  description: `ingress-nginx canary Ingress: the ${CANARY_WEIGHT} annotation (a quoted string)`,
  matches: (doc) => {
    const { group, kind } = apiGroupKind(doc);
    return kind === 'Ingress' && (group === 'networking.k8s.io' || group === 'extensions');
  },
  splits,
};
