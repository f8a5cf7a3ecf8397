import { gatewayApi } from './gateway-api.js';
import { ingressNginx } from './ingress-nginx.js';
import { istio } from './istio.js';
import { smi } from './smi.js';
import type { TrafficProvider } from './split.js';

// Every traffic provider, by kind. Adding one is a file plus a line here. The generic path setter
// (path.ts) is not listed: it needs a path, so it is built per call from --path.

export const TRAFFIC_PROVIDERS: readonly TrafficProvider[] = [gatewayApi, istio, ingressNginx, smi];

export const TRAFFIC_KINDS = [...TRAFFIC_PROVIDERS.map((p) => p.kind), 'path'] as const;
