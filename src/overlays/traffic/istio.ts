import { type Document, isMap, type YAMLMap } from 'yaml';
import { apiGroupKind, backendOf, mapsOf, metadataName, stringAt, objectOf } from './common.js';
import type { Split, TrafficProvider } from './split.js';

// Istio VirtualService: weighted `route` destinations of each http, tcp or tls route.

function splits(doc: Document.Parsed, docIndex: number): Split[] {
  const name = metadataName(doc);
  return (['http', 'tcp', 'tls'] as const).flatMap((section) =>
    mapsOf(doc.getIn(['spec', section], true)).flatMap(({ map: route, index }) => {
      const destinations = mapsOf(route.get('route', true));
      if (destinations.length < 2) return [];
      const routeName = stringAt(route, 'name');
      return [
        {
          routes: routeName === undefined ? [name] : [name, routeName],
          label: `VirtualService ${name} ${section}[${routeName ?? index}]`,
          object: objectOf(doc),
          docIndex,
          mode: 'pair',
          valueKind: 'number',
          backends: destinations.map(({ map, index: i }) => {
            const dest = map.get('destination', true);
            const host = isMap(dest) ? stringAt(dest as YAMLMap, 'host') : undefined;
            const subset = isMap(dest) ? stringAt(dest as YAMLMap, 'subset') : undefined;
            const label = subset === undefined ? (host ?? `#${i}`) : `${host ?? ''}/${subset}`;
            const aliases = [host, subset].filter((a): a is string => a !== undefined);
            return backendOf(label, aliases, map, ['spec', section, index, 'route', i], 'weight', 0);
          }),
        } satisfies Split,
      ];
    }),
  );
}

export const istio: TrafficProvider = {
  kind: 'istio',
  description: 'Istio VirtualService: weighted route destinations (host, or host/subset)',
  matches: (doc) => {
    const { group, kind } = apiGroupKind(doc);
    return group === 'networking.istio.io' && kind === 'VirtualService';
  },
  splits,
};
