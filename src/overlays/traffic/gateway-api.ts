import { type Document } from 'yaml';
import { apiGroupKind, backendOf, mapsOf, metadataName, stringAt, objectOf } from './common.js';
import type { Split, TrafficProvider } from './split.js';

// Gateway API routes: each rule's `backendRefs` with `weight` (a missing weight means 1).

const ROUTE_KINDS = new Set(['HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute', 'UDPRoute']);

function splits(doc: Document.Parsed, docIndex: number): Split[] {
  const name = metadataName(doc);
  const { kind } = apiGroupKind(doc);
  return mapsOf(doc.getIn(['spec', 'rules'], true)).flatMap(({ map: rule, index }) => {
    const refs = mapsOf(rule.get('backendRefs', true));
    if (refs.length < 2) return [];
    const ruleName = stringAt(rule, 'name');
    return [
      {
        routes: ruleName === undefined ? [name] : [name, ruleName],
        label: `${kind} ${name} rule ${ruleName ?? index}`,
        object: objectOf(doc),
        docIndex,
        mode: 'pair',
        valueKind: 'number',
        backends: refs.map(({ map, index: i }) =>
          backendOf(
            stringAt(map, 'name') ?? `#${i}`,
            [],
            map,
            ['spec', 'rules', index, 'backendRefs', i],
            'weight',
            1,
          ),
        ),
      } satisfies Split,
    ];
  });
}

export const gatewayApi: TrafficProvider = {
  kind: 'gateway-api',
  description: 'Gateway API HTTPRoute/GRPCRoute/TCPRoute/TLSRoute: weighted backendRefs of a rule',
  matches: (doc) => {
    const { group, kind } = apiGroupKind(doc);
    return group === 'gateway.networking.k8s.io' && ROUTE_KINDS.has(kind);
  },
  splits,
};
