export const HELP = `rollgate: policy-gated GitOps promotion

Usage:
  rollgate validate [--config FILE]
  rollgate check <env> [--service S]... --version V [--at ISO-TIME] [--json]
  rollgate plan <env> [--service S]... --version V [--at ISO-TIME] [--json]
  rollgate promote <env> [--service S]... --version V [--at ISO-TIME] [--dry-run] [--reason TEXT] [--source-time ISO|REV]
  rollgate rollback <env> [--service S]... [--dry-run] [--reason TEXT]
  rollgate status [--json]
  rollgate promote <env> --flag NAME [--dry-run] [--reason TEXT]
  rollgate tick [<env>...] [--service S]... [--flag NAME]... [--json]
  rollgate advance|pause|resume|abort <env> [--service S]... [--flag NAME]... [--reason TEXT]
  rollgate report [--since 90d] [--environment E] [--json | --markdown | --html FILE]
  rollgate edit image <dir|file> <spec>...
  rollgate edit replicas <dir|file> <name>=<count>...
  rollgate edit weight <file> <percent> [--route NAME] [--canary-backend NAME]
  rollgate edit mirror <file> <percent> [--backend NAME] [--route NAME] [--document N]
  rollgate edit flag <file> <flag> [--state ENABLED|DISABLED] [--default VARIANT] [--fraction VARIANT=PCT]...
  rollgate demo [canary|blue-green|flags] [--keep]

Common options:
  --config FILE        config file (default .github/rollgate.yaml); policies/*.yaml beside it are read too
  --gitops PATH|URL    GitOps repository to use instead of gitops.repository
  --at ISO-TIME        evaluate at this time instead of now (e.g. 2026-11-20T16:30:00+01:00; no offset
                       means UTC; years 1970..2099; not before the GitOps head commit)
  --requested-by USER  who asks (default $ROLLGATE_ACTOR, $GITHUB_ACTOR or $USER; required when none is set)
  --reason TEXT        why; required to break glass through a freeze
  --label L            a pull request label to take into account (repeatable); like --requested-by it
                       is asserted, not verified: overrides resting on them are marked so, and a
                       freeze with unless.verifiedOnly refuses them
  --approved-by USER   an approval to count where no pull request exists (repeatable); asserted, not
                       verified: the pass is marked so, and an approvals gate with verifiedOnly refuses it

Exit codes: 0 ok or allowed, 1 denied by a gate, 2 usage or config error, 3 I/O failure.
Run "rollgate <command> --help" for one command.`;

const ROLLOUT_VERB_HELP = `rollgate advance|pause|resume|abort <env> [--service S]... [--reason TEXT] [--json] [--at ISO-TIME --simulate-clock]

Steers the active rollouts of <env> (the named services, else all with one), one commit each:
  pause    stop stepping (analysis still rolls back)
  resume   go on from a pause: a fresh window and hold start
  abort    roll back now: canary weight 0, canary (and stable) image back to the stable version, the
           version held until promote --reason lifts it
  advance  skip the rest of the hold: the next step now (freeze and analysis still apply)
--reason is recorded as Rollgate-Reason. Exit 0 done, 1 refused (nothing active, paused, frozen),
2 usage, 3 I/O.`;

const VERB_HELP: Readonly<Record<string, string>> = {
  tick: `rollgate tick [<env>...] [--service S]... [--flag NAME]... [--json] [--at ISO-TIME --simulate-clock]

One tick of every active rollout (of the named environments and services, else all): reads the
GitOps head, the state files (.rollgate/state) and Prometheus, and for each rollout decides exactly
one of wait, step, promote, verify, pause or roll back; every action but wait is one commit. --json
prints { schema_version, at, exitCode, rollouts: [{ environment, service, version, stable, phase,
step, steps, weight, action, commit, analysis }], problems }. Exit 0 when every rollout did what the
rules say (waiting, stepping and rolling back included), 3 when one could not be judged (I/O).
--at on a writing verb needs --simulate-clock; such commits carry Rollgate-Clock: simulated.
Feature-flag rollouts (environments.<env>.flags) tick beside the services; --flag NAME picks flag
rollouts (then no service unless --service is given too), --service alone picks no flag.`,
  advance: ROLLOUT_VERB_HELP,
  pause: ROLLOUT_VERB_HELP,
  resume: ROLLOUT_VERB_HELP,
  abort: ROLLOUT_VERB_HELP,
  validate: `rollgate validate [--config FILE]

Loads the config and policies/*.yaml beside it and reports every problem as file:line:col with the
key path, what was expected and a did-you-mean. Exit 0 when valid, 2 otherwise.`,
  check: `rollgate check <env> [--service S]... --version V [--at ISO-TIME] [--json] [--config FILE] [--gitops PATH|URL]

Evaluates every gate of <env> for the services (all that deploy there when none is named) at
version V and prints the gate table, or with --json one decision object:
  { allowed, environment, services, version, evaluatedAt, verdicts: [{ gate, kind, outcome, reason, details }] }
Writes nothing. Exit 0 when allowed, 1 when denied, 2 when no plan can be made (CANNOT PLAN says why).`,
  plan: `rollgate plan <env> [--service S]... --version V [--at ISO-TIME] [--json] [--config FILE] [--gitops PATH|URL]

Like check, and also prints the exact diff a promotion would commit. --json prints the decision
object extended with "plan": { edits: [{ path, descriptions, diff }] } (and "error" when no plan can be
made). Exit 0 allowed, 1 denied, 2 when no plan can be made: then CANNOT PLAN replaces ALLOWED/DENIED.`,
  promote: `rollgate promote <env> [--service S]... --version V [--at ISO-TIME] [--dry-run] [--reason TEXT]

Evaluates the gates and, when they pass, commits the plan as one commit with rollgate trailers and
pushes it to the GitOps branch. When the push is rejected because the branch moved, it re-reads,
re-plans and retries with jitter. A version already in place commits nothing and says so.
--json prints the decision object with "result" (committed, noop, dry-run, denied) and "commit".
--source-time ISO-TIME|REV records when the change was made (Rollgate-Source-Time, the start of the
report's lead time): an ISO time, or a git revision of the repository in the current folder (HEAD).
Exit 0 committed/no-op/dry-run, 1 denied, 2 config or plan error, 3 I/O failure.`,
  rollback: `rollgate rollback <env> [--service S]... [--dry-run] [--reason TEXT]

Restores, for each service, the version it ran in <env> before the current one, read from the
GitOps history: one read and one commit for all services, even when they go back to different
versions (then one Rollgate-Version line per service, in Rollgate-Service order). Gates judge new versions, so they are shown as skipped;
the commit says "roll back" and carries Rollgate-Decision: rollback. Exit 0, 2 when a service has
no earlier version, 3 on I/O failure.`,
  status: `rollgate status [--json] [--config FILE] [--gitops PATH|URL]

Prints every service's version in every environment, in pipeline order, with when rollgate put it
there (from the commit trailers). Exits 2, saying why, when an overlay cannot be read (a binary
file, a symbolic link, a file over limits.maxFileSize, broken YAML).`,
  report: `rollgate report [--since 90d] [--environment E] [--at ISO-TIME] [--json | --markdown | --html FILE]

Delivery figures per environment and service from the GitOps history alone (rollgate's trailers):
deployments per day and week (a version reaching the stable workload), lead time from
Rollgate-Source-Time (deployments without it are counted and left out), change failure rate (rollouts
rolled back or aborted and plain rollbacks, over deployments) and time to restore (a failure to the
next version made stable), with medians and p90. --json prints { schema_version, from, to,
environments: [...] }; --markdown adds mermaid charts; --html FILE writes one self-contained page with
inline SVG charts. Writes nothing to the GitOps repository. Exit 0, 2 usage or config error, 3 I/O.`,
  edit: `rollgate edit image <dir|file> <spec>...
rollgate edit replicas <dir|file> <name>=<count>...
rollgate edit weight <file|overlay-dir> <percent> [--route NAME] [--document N] [--canary-backend NAME] [--kind KIND] [--path P]
rollgate edit mirror <file> <percent> [--backend NAME] [--route NAME] [--document N] [--kind istio|gateway-api]
rollgate edit flag <file> <flag> [--state ENABLED|DISABLED] [--default VARIANT] [--fraction VARIANT=PCT]...

Source-preserving edits: only the values that change (and lines for entries that must be added)
differ. image spec: name=newName:tag@digest, name:tag, name@digest; "*" keeps a field; a missing
entry is added. weight: Gateway API routes, Istio VirtualServices, ingress-nginx canary Ingresses,
SMI TrafficSplits, or any scalar by --path; --document N picks the N-th YAML document when several
objects share a name; on an overlay folder the weight goes into a patch of the
overlay (added under patches: when none holds it). mirror: copies <percent> of a route's requests to
a backend (default the canary) whose answers are dropped: Istio mirror + mirrorPercentage, Gateway API
RequestMirror filter (percent, or fraction below 1%); 0 removes it (docs/shadow.md: mirrored writes
run twice). See docs/overlays.md for the differences from kustomize.
flag: an OpenFeature flagd definition (JSON or YAML file, a ConfigMap holding one as a literal block,
or a FeatureFlag resource); checked against flagd's flag schema; the rolled-out variant stays first in
fractional, so raising its share only adds users. See docs/flags.md.`,
  demo: `rollgate demo [canary|blue-green|flags] [--keep]

Builds a throwaway GitOps repository from examples/ in a temp folder and walks version 1.4.0 of
checkout and cart through dev -> staging -> production with rollgate's own commands and a clock set
by --at, printing gate tables, decisions and diffs, then git log --stat. --keep keeps the folder.

rollgate demo canary (npm run demo:canary) starts a real Prometheus (the prometheus and promtool
binaries; Debian: apt-get install prometheus), backfills it with a healthy release 1.5.0 and a
failing one 1.6.0, and walks both through a canary in production with examples/app/.github/
rollgate-canary.yaml: 1.5.0 steps 5% -> 25% -> 50%, promotes and verifies; 1.6.0 fails its analysis
at 25% and rolls back with a hold. Each action's commit is shown, then rollgate status.

rollgate demo blue-green (npm run demo:blue-green), offline: payments goes to production blue-green
with examples/app/.github/rollgate-blue-green.yaml: 1.4.0 is deployed to the idle colour, previewed,
switched to in one commit, and the old colour scaled down; 1.5.0 goes to the other colour, is
switched to, and an abort switches back in one commit.`,
};

export function helpFor(verb: string): string | undefined {
  return VERB_HELP[verb];
}
