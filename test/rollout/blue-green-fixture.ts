import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { parseState, type ServiceState, statePath } from '../../src/core/state.js';
import { git, showFile } from '../helpers/repo.js';
import { buildAt } from './fixture.js';

// A GitOps repository for blue-green: per service a blue and a green Deployment (each with its own
// Service), the production overlay pinning both images and replicas, and a traffic file: an
// HTTPRoute with the two colours' backends at 100/0, or the public Service whose selector names the
// live colour. Blue runs 1.4.0 (or `version`) and takes the traffic; green is idle at 0 replicas.

function deployment(name: string, colour: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 1
  selector:
    matchLabels: { app: checkout, color: ${colour} }
  template:
    metadata:
      labels: { app: checkout, color: ${colour} }
    spec:
      containers:
        - name: app
          image: ${name}
`;
}

export type BlueGreenTraffic = 'gateway-api' | 'service';

export function blueGreenFiles(traffic: BlueGreenTraffic, version = '1.4.0'): Record<string, string> {
  const base = 'apps/checkout/base';
  const overlay = 'apps/checkout/overlays/production';
  const colourService = (colour: string) => `apiVersion: v1
kind: Service
metadata:
  name: checkout-${colour}
spec:
  selector: { app: checkout, color: ${colour} }
  ports:
    - port: 80
`;
  return {
    [`${base}/deployment-blue.yaml`]: deployment('checkout-blue', 'blue'),
    [`${base}/deployment-green.yaml`]: deployment('checkout-green', 'green'),
    [`${base}/services.yaml`]: `${colourService('blue')}---\n${colourService('green')}`,
    [`${base}/kustomization.yaml`]:
      'resources:\n  - deployment-blue.yaml\n  - deployment-green.yaml\n  - services.yaml\n',
    [`${overlay}/traffic.yaml`]:
      traffic === 'gateway-api'
        ? `# checkout's public route: one colour takes everything
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: checkout
spec:
  parentRefs:
    - name: public
  rules:
    - backendRefs:
        - name: checkout-blue
          port: 80
          weight: 100 # live
        - name: checkout-green
          port: 80
          weight: 0
`
        : `# checkout's public Service: the selector's color names the live colour
apiVersion: v1
kind: Service
metadata:
  name: checkout
spec:
  selector:
    app: checkout
    color: blue # live
  ports:
    - port: 80
`,
    [`${overlay}/kustomization.yaml`]: `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: checkout
resources:
  - ../../base
  - traffic.yaml

replicas:
  - name: checkout-blue
    count: 4 # sized for peak
  - name: checkout-green
    count: 0

images:
  - name: checkout-blue
    newName: ghcr.io/acme/checkout
    newTag: "${version}"
  - name: checkout-green
    newName: ghcr.io/acme/checkout
    newTag: "${version}"
`,
  };
}

export function blueGreenConfigText(traffic: BlueGreenTraffic, blueGreen: string, gates = ''): string {
  const trafficLine =
    traffic === 'gateway-api'
      ? 'traffic: { kind: gateway-api, file: traffic.yaml, route: "{{service}}", blue: "{{service}}-blue", green: "{{service}}-green" }'
      : 'traffic: { kind: service, file: traffic.yaml, selector: color, blue: blue, green: green }';
  return `version: 1
gitops:
  repository: .
services:
  checkout:
    image: ghcr.io/acme/checkout
environments:
  production:
    path: apps/{{service}}/overlays/production
    gates: [weekend-freeze]
    blueGreen:
      blue: { image: "{{service}}-blue" }
      green: { image: "{{service}}-green" }
      ${trafficLine}
      replicas: 4
${blueGreen
  .split('\n')
  .map((l) => `      ${l}`)
  .join('\n')}
gates:
  weekend-freeze:
    freeze:
      windows:
        - { start: "0 16 * * FRI", end: "0 8 * * MON", timezone: UTC }
${gates}`;
}

export function blueGreenConfig(traffic: BlueGreenTraffic, blueGreen: string, gates = ''): Config {
  return parseConfig({ file: 'rollgate.yaml', text: blueGreenConfigText(traffic, blueGreen, gates) }, [], {});
}

/** checkout's state file in production at the head. */
export async function state(bare: string): Promise<ServiceState> {
  const parsed = parseState('s', await showFile(bare, statePath('production', 'checkout')));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.state;
}

/** The production overlay's built Deployments (kubectl kustomize): name -> { image, replicas }. */
export async function workloads(
  bare: string,
  root: string,
): Promise<Record<string, { image: string; replicas: number }>> {
  const objects = (await buildAt(bare, root, 'apps/checkout/overlays/production')) as {
    kind: string;
    metadata: { name: string };
    spec: { replicas: number; template: { spec: { containers: { image: string }[] } } };
  }[];
  return Object.fromEntries(
    objects
      .filter((o) => o.kind === 'Deployment')
      .map((o) => [
        o.metadata.name,
        { image: o.spec.template.spec.containers[0]?.image ?? '', replicas: o.spec.replicas },
      ]),
  );
}

/** The files the head commit changed, sorted. */
export async function changedFiles(bare: string): Promise<string[]> {
  return (await git(bare, 'show', '--format=', '--name-only', 'main')).trim().split('\n').sort();
}
