import type { Config } from '../config/schema.js';
import type { HistoryNeed } from './history-read.js';
import { findKustomization, overlayDir } from './overlay-paths.js';
import { stateOf } from './rollout-start.js';
import type { GitOpsStore } from './store.js';
import { parseTrailers, trailersFor } from './trailers.js';
import type { HistoryEntry } from './types.js';

// Landing times from the state files (DESIGN.md "State in the GitOps repository"): when the
// overlay agrees with the state, the state's landedAt is the landing time, with no history read.
// When it does not (a hand edit, a revert), the landing time is the first-parent commit since which
// the overlay has held the value, read from that path's history only, stopping at the first commit
// that may have set it. Pairs without a state file are left to the trailer history, as before.

/** Phases whose commits do not change what the stable workload runs: not landings. */
const NOT_LANDINGS = new Set([
  'progressing',
  'paused',
  'rolled-back',
  'aborted',
  'verified',
  'shadowing',
  'previewing',
  'scaled-down',
]);

/** True when a history entry put its version in the stable workload (a plain promotion, a promotion of a rollout). */
export function isLanding(entry: HistoryEntry): boolean {
  const phase = entry.trailers?.phase;
  return phase === undefined || !NOT_LANDINGS.has(phase);
}

export interface Landings {
  /** One entry per settled need, dated at the landing. */
  readonly entries: readonly HistoryEntry[];
  /** Needs the state files could not settle (no state file yet, or a version that no longer runs). */
  readonly rest: readonly HistoryNeed[];
}

export async function landingsFromState(
  store: Pick<GitOpsStore, 'history'>,
  head: string,
  config: Config,
  files: Readonly<Record<string, string | undefined>>,
  running: Readonly<Record<string, Readonly<Record<string, string | undefined>>>>,
  needs: readonly HistoryNeed[],
): Promise<Landings> {
  const entries: HistoryEntry[] = [];
  const rest: HistoryNeed[] = [];
  for (const need of needs) {
    const runs = running[need.environment]?.[need.service];
    const loaded = stateOf(files, need.environment, need.service);
    const state = loaded.ok ? loaded.state : undefined;
    if (state === undefined || runs === undefined || need.version !== runs) {
      rest.push(need);
      continue;
    }
    const entry = (committedAt: Date, sha: string): HistoryEntry => ({
      sha,
      committedAt,
      environment: need.environment,
      services: [need.service],
      version: runs,
    });
    if (state.version === runs) {
      entries.push(entry(new Date(state.landedAt), `state:${need.environment}/${need.service}`));
      continue;
    }
    const found = findKustomization(files, overlayDir(config, need.environment, need.service));
    if (found.kind !== 'found') {
      rest.push(need);
      continue;
    }
    const landed = await pathLanding(store, head, found.path, need.environment, need.service, runs);
    if (landed === undefined) rest.push(need);
    else entries.push(entry(landed.at, landed.sha));
  }
  return { entries, rest };
}

/**
 * Walks the overlay file's first-parent history, newest first: rollgate commits of this service
 * with the same version extend the run back; the first commit that may have set the value (a
 * person's commit, a revert, or rollgate setting another version) ends it. Conservative: a hand
 * edit of another line of the file counts as the landing, so bake never counts time it cannot see.
 */
async function pathLanding(
  store: Pick<GitOpsStore, 'history'>,
  head: string,
  path: string,
  environment: string,
  service: string,
  version: string,
): Promise<{ at: Date; sha: string } | undefined> {
  let landed: { at: Date; sha: string } | undefined;
  await store.history(
    head,
    (commit) => {
      const all = parseTrailers(commit.message);
      const ours = all !== undefined && all.environment === environment && all.services.includes(service);
      if (all !== undefined && !ours) return 'more';
      // The service's own part of a commit of several (its version, its phase).
      const t = ours ? trailersFor(all, [service]) : undefined;
      if (t !== undefined && t.version === version && (t.phase === undefined || !NOT_LANDINGS.has(t.phase))) {
        landed = { at: commit.committedAt, sha: commit.sha };
        return 'more';
      }
      if (t !== undefined && landed !== undefined) return 'stop';
      if (t?.phase !== undefined && NOT_LANDINGS.has(t.phase)) return 'more';
      landed = { at: commit.committedAt, sha: commit.sha };
      return 'stop';
    },
    { paths: [path], firstParent: true },
  );
  return landed;
}
