import type { Logger } from '@openfeature/core';
import { MemoryStorage } from '@openfeature/flagd-core';
import { parseAllDocuments } from 'yaml';

// Realistic flagd definitions in the four shapes `edit flag` reads, and flagd's own validator
// (@openfeature/flagd-core, strict validation against the flag and targeting schemas) as the oracle.

export const JSON_FILE = `{
  "$schema": "https://flagd.dev/schema/v0/flags.json",
  "flags": {
    "new-checkout": {
      "state": "ENABLED",
      "variants": {
        "on": true,
        "off": false
      },
      "defaultVariant": "off"
    },
    "header-color": {
      "state": "ENABLED",
      "variants": { "red": "#ff0000", "blue": "#0000ff", "green": "#00ff00" },
      "defaultVariant": "red",
      "targeting": {
        "if": [
          { "ends_with": [{ "var": "email" }, "@acme.com"] },
          {
            "fractional": [
              { "cat": [{ "var": "$flagd.flagKey" }, { "var": "email" }] },
              ["blue", 10],
              ["red", 60],
              ["green", 30]
            ]
          },
          null
        ]
      },
      "metadata": { "owner": "web-team" }
    }
  },
  "metadata": { "flagSetId": "checkout", "version": "3" }
}
`;

export const YAML_FILE = `# flagd flags for checkout (mounted at /etc/flagd/flags.yaml)
flags:
  new-checkout:
    state: DISABLED   # not yet
    variants:
      'on': true
      'off': false
    defaultVariant: 'off'
    targeting:
      fractional:
        - ["on", 0]
        - ["off", 100]

  discount-rate:
    state: ENABLED
    variants: { none: 0, small: 0.05, big: 0.15 }
    defaultVariant: none
`;

export const CONFIGMAP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: flagd-config   # read by the flagd sidecar
  labels:
    app: checkout
data:
  other.txt: keep me
  flags.flagd.json: |
    {
      "flags": {
        "new-checkout": {
          "state": "ENABLED",
          "variants": {"on": true, "off": false},
          "defaultVariant": "off",
          "targeting": {}
        }
      }
    }
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: unrelated
data:
  a: b
`;

export const FEATURE_FLAG = `apiVersion: core.openfeature.dev/v1beta1
kind: FeatureFlag
metadata:
  name: checkout-flags
spec:
  flagSpec:
    flags:
      new-checkout:
        state: ENABLED   # on for everyone in staging
        variants:
          'on': true
          'off': false
        defaultVariant: 'off'
        targeting:
          fractional:
            - ["on", 10]
            - ["off", 90]
`;

const quiet: Logger = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };

/** The flag set a file holds, as the JSON text flagd would load. */
export function flagSetJson(text: string): string {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new Error('unparsable');
  for (const doc of docs) {
    const js = doc.toJS() as Record<string, unknown>;
    if (js.kind === 'ConfigMap') {
      const data = js.data as Record<string, string>;
      const hit = Object.values(data).find((v) => v.includes('"flags"'));
      if (hit !== undefined) return hit;
    } else if (js.kind === 'FeatureFlag') {
      return JSON.stringify((js.spec as Record<string, unknown>).flagSpec);
    } else if ('flags' in js) {
      return JSON.stringify(js);
    }
  }
  throw new Error('no flag set');
}

/** flagd's strict validation; throws with flagd's message when the file would be refused. */
export function flagdAccepts(text: string): MemoryStorage {
  const storage = new MemoryStorage(quiet);
  storage.setConfigurations(flagSetJson(text), true);
  return storage;
}
