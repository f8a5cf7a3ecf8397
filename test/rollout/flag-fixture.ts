import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { flagStatePath, formatState, type ServiceState } from '../../src/core/state.js';
import { setFlag } from '../../src/overlays/flags/edit-flag.js';

// A GitOps repository with two flagd flags in one ConfigMap (a literal block of JSON, as the flagd
// sidecar mounts it), two flag rollouts on them, and the request counters per flag variant that a
// metric gate judges them by: `new-checkout` serving `on` stays healthy; `new-search` serving `v2`
// fails 10% of requests for the last 20 minutes before END.

export const END = new Date('2026-12-01T12:00:00Z'); // a Tuesday, clear of the weekend freeze
export const before = (minutes: number) => new Date(END.getTime() - minutes * 60_000);

export const FLAG_FILE = 'apps/checkout/flags/flagd-config.yaml';

export const FLAGD_CONFIGMAP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: flagd-config # mounted by the flagd sidecar at /etc/flagd
data:
  flags.flagd.json: |
    {
      "$schema": "https://flagd.dev/schema/v0/flags.json",
      "flags": {
        "new-checkout": {
          "state": "ENABLED",
          "variants": {"on": true, "off": false},
          "defaultVariant": "off",
          "targeting": {}
        },
        "new-search": {
          "state": "ENABLED",
          "variants": {"v1": "classic", "v2": "vector"},
          "defaultVariant": "v1"
        }
      }
    }
`;

export function flagRepoFiles(): Record<string, string> {
  return {
    [FLAG_FILE]: FLAGD_CONFIGMAP,
    'apps/checkout/flags/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: checkout
resources:
  - flagd-config.yaml
`,
  };
}

export function flagConfigText(url: string, extra = ''): string {
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
    flags:
      new-checkout:
        file: ${FLAG_FILE}
        variant: "on"
        steps: [10, 50]
        interval: 30m
        analysis: [flag-errors]${extra}
      new-search:
        file: ${FLAG_FILE}
        variant: v2
        steps: [10, 50]
        interval: 30m
        analysis: [flag-errors]
gates:
  weekend-freeze:
    freeze:
      windows:
        - { start: "0 16 * * FRI", end: "0 8 * * MON", timezone: UTC }
${flagErrorsGate(url)}`;
}

/** The metric gate `flag-errors` (a variant's error rate: {{service}} is the rollout's name, {{version}} the variant), as a `gates:` entry. */
export function flagErrorsGate(url: string): string {
  return `  flag-errors:
    metric:
      prometheus: { url: "${url}" }
      query: sum(rate(http_requests_total{job="checkout",flag="{{service}}",variant="{{version}}",code=~"5.."}[{{interval}}])) / sum(rate(http_requests_total{job="checkout",flag="{{service}}",variant="{{version}}"}[{{interval}}]))
      thresholdRange: { max: 0.01 }
      interval: 1m
      failureLimit: 2
`;
}

/**
 * The GitOps files as a flag rollout's first commit leaves them: the flag file with the variant's
 * first share (written by rollgate's own flag edit) and the rollout's state file.
 */
export function startedFlagFiles(o: {
  readonly flag: string;
  readonly variant: string;
  readonly stable: string;
  readonly weight: number;
  readonly steps: number;
  readonly start: Date;
  readonly landedAt: Date;
  /** The pull request (or run) that started it: its sticky gets the reports. */
  readonly source?: string;
}): Record<string, string> {
  const files = flagRepoFiles();
  const edited = setFlag(files[FLAG_FILE] ?? '', o.flag, {
    fractions: [{ variant: o.variant, weight: o.weight }],
  });
  if (!edited.ok) throw new Error(edited.message);
  const start = o.start.toISOString();
  const state: ServiceState = {
    schema_version: 1,
    environment: 'production',
    service: o.flag,
    version: o.stable,
    stable: o.stable,
    landedAt: o.landedAt.toISOString(),
    rollout: {
      strategy: 'flag',
      version: o.variant,
      phase: 'progressing',
      step: 1,
      steps: o.steps,
      weight: o.weight,
      windowStart: start,
      startedAt: start,
      ...(o.source !== undefined ? { source: o.source } : {}),
    },
  };
  return { ...files, [FLAG_FILE]: edited.text, [flagStatePath('production', o.flag)]: formatState(state) };
}

export function flagConfig(url: string, extra = ''): Config {
  return parseConfig({ file: 'rollgate.yaml', text: flagConfigText(url, extra) }, [], {});
}

/** Requests per 15 s sample, by flag and variant, over the 3 hours before END; deterministic. */
export function flagOpenMetrics(end: Date = END): string {
  const series = [
    { flag: 'new-checkout', variant: 'on' },
    { flag: 'new-search', variant: 'v2', failingFrom: end.getTime() - 20 * 60_000 },
  ];
  const lines = ['# HELP http_requests Requests served.', '# TYPE http_requests counter'];
  for (const code of ['200', '500'] as const) {
    for (const s of series) {
      let count = 0;
      const first = end.getTime() / 1000 - 3 * 3600;
      for (let i = 0, t = first; t <= end.getTime() / 1000; i++, t += 15) {
        if (i > 0) {
          const failed = s.failingFrom !== undefined && t * 1000 > s.failingFrom ? 10 : i % 4 === 0 ? 1 : 0;
          count += code === '200' ? 100 - failed : failed;
        }
        lines.push(
          `http_requests_total{job="checkout",flag="${s.flag}",variant="${s.variant}",code="${code}"} ${count} ${t}`,
        );
      }
    }
  }
  lines.push('# EOF', '');
  return lines.join('\n');
}
