import { getInput, setOutput } from '@actions/core';

// The Action's inputs and outputs, declared once. action.yml must list exactly these (a test keeps
// them in step), and no other file calls getInput or setOutput.

export const INPUTS = {
  'github-token': {
    description:
      'Token for this repository: reactions, comments, check runs, statuses, deployments. Usually the workflow token, github.token.',
    required: false,
    default: '${{ github.token }}',
  },
  'gitops-token': {
    description:
      'Token that can write the GitOps repository (contents: write; pull-requests: write in pull-request mode). A GitHub App installation token when the GitOps repository is in another organisation or its commits must trigger workflows there. Defaults to github-token.',
    required: false,
  },
  config: {
    description: 'Path of the rollgate config on the default branch.',
    required: false,
    default: '.github/rollgate.yaml',
  },
  command: {
    description:
      'A command in the comment grammar (e.g. "/promote staging checkout --version 1.4.0") for workflow_dispatch and push; overrides environment/services/version.',
    required: false,
  },
  environment: {
    description: 'Environment to promote to (workflow_dispatch, push).',
    required: false,
  },
  services: {
    description:
      'Services to promote, separated by spaces, commas or newlines; all services of the environment when empty.',
    required: false,
  },
  version: {
    description:
      'Version to promote: a tag, a digest, or tag@digest. From the services tag template and the commit SHA when empty.',
    required: false,
  },
  'dry-run': {
    description: 'Evaluate the gates and show the plan without writing anything.',
    required: false,
    default: 'false',
  },
  permission: {
    description:
      'Lowest repository permission a commenter needs to run a command: read, triage, write, maintain or admin.',
    required: false,
    default: 'write',
  },
  'allow-forks': {
    description:
      'Accept commands on pull requests from forks. A fork push has no server-side time, so such a command also needs deployment-confirmation.',
    required: false,
    default: 'false',
  },
  'allow-bots': {
    description:
      'Bot accounts (e.g. "release-bot[bot]") whose commands are obeyed, separated by spaces, commas or newlines. Comments from any other bot are ignored without a word.',
    required: false,
    default: '',
  },
  'deployment-confirmation': {
    description:
      'When GitHub has no server-side time for the push of the pull request head (a fork), reply naming the SHA and ship only once the commenter reacts +1 to that reply. Without it such commands are refused.',
    required: false,
    default: 'false',
  },
  'deployment-confirmation-timeout': {
    description: 'Seconds to wait for the +1 on the deployment confirmation reply (1 to 600).',
    required: false,
    default: '60',
  },
  'delivery-report': {
    description:
      'On schedule: the window of the delivery report (deployments, lead time, change failure rate, time to restore) written to the job summary, e.g. 90d or 12w. Empty (the default) writes none: the report reads the GitOps history of the whole window.',
    required: false,
    default: '',
  },
} as const;

export const OUTPUTS = {
  allowed: { description: '"true" when every gate passed (or was overridden), "false" otherwise.' },
  environment: { description: 'The environment the run was about.' },
  version: { description: 'The version promoted (or asked for).' },
  'commit-sha': { description: 'The GitOps commit written, when one was.' },
  phase: {
    description:
      'The rollout phase after the run (progressing, paused, promoted, verified, rolled-back, aborted), when the run was about one rollout.',
  },
  step: {
    description:
      'The rollout step after the run (1 = the first weight; 0 = warm-up), when the run was about one rollout.',
  },
  weight: {
    description: "The canary's traffic percentage after the run, when the run was about one rollout.",
  },
  result: {
    description:
      'The whole outcome as JSON, with schema_version: the decision, status, reason code and commit.',
  },
} as const;

export type InputName = keyof typeof INPUTS;
export type OutputName = keyof typeof OUTPUTS;

export type Inputs = { readonly [K in InputName]: string };

/** Every input as trimmed text ('' when unset, the declared default applied by the runner). */
export function readInputs(): Inputs {
  const entries = (Object.keys(INPUTS) as InputName[]).map((name) => {
    const declared = INPUTS[name] as { readonly default?: string };
    const value = getInput(name);
    // Outside a runner (or a bare `node dist/action.js`) defaults are not applied for us.
    return [
      name,
      value === '' && declared.default !== undefined && !declared.default.includes('${{')
        ? declared.default
        : value,
    ];
  });
  return Object.fromEntries(entries) as Inputs;
}

export function writeOutputs(outputs: { readonly [K in OutputName]?: string }): void {
  for (const name of Object.keys(OUTPUTS) as OutputName[]) {
    const value = outputs[name];
    if (value !== undefined) setOutput(name, value);
  }
}

/** "a, b\nc" -> [a, b, c] */
export function listInput(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

/** A whole number of seconds within [min, max]; the error names the input and the range. */
export function secondsInput(name: InputName, text: string, min: number, max: number): number {
  const t = text.trim();
  const n = Number(t);
  if (!/^\d+$/.test(t) || n < min || n > max) {
    throw new Error(`input ${name} is "${text}"; expected a whole number of seconds from ${min} to ${max}`);
  }
  return n;
}

export function booleanInput(name: InputName, text: string): boolean {
  const t = text.trim().toLowerCase();
  if (t === '' || t === 'false') return false;
  if (t === 'true') return true;
  throw new Error(`input ${name} is "${text}"; expected true or false`);
}
