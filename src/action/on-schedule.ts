import { info, warning } from '@actions/core';
import type { Verdict } from '../core/types.js';
import { GATE_KINDS } from '../gates/registry.js';
import type { AppRead } from '../github/app-read.js';
import type { ActionContext } from './context.js';
import type { RunEnd } from './finish.js';
import type { Inputs } from './io.js';
import { readAppRepository, trustedConfigOf, type Clients } from './setup.js';
import { writeStatuses, type WantedStatus } from './sweep-statuses.js';

/**
 * schedule: GitHub re-runs nothing on a pull request when a freeze window opens or closes, so a
 * cron sweep sets `rollgate/freeze/<env>` on the head of every open PR from the freeze gates now.
 */
export async function onSchedule(
  ctx: ActionContext,
  inputs: Inputs,
  clients: () => Clients,
  clock: () => Date,
  read?: AppRead,
): Promise<RunEnd> {
  const { github } = clients();
  const repo = ctx.repository;
  // One GraphQL read: the config, and every open pull request's head, labels and statuses.
  const app =
    read?.openPulls !== undefined
      ? read
      : await readAppRepository(clients(), repo, { configPath: inputs.config, openPulls: true });
  const { config } = trustedConfigOf(app, repo, inputs.config, ctx.env);
  const now = clock();
  const frozenEnvs = Object.entries(config.environments).flatMap(([name, env]) => {
    const gates = env.gates.flatMap((g) => {
      const gate = config.gates[g];
      return gate?.kind === 'freeze' ? [gate] : [];
    });
    return gates.length > 0 ? [{ name, gates }] : [];
  });
  if (frozenEnvs.length === 0) return { kind: 'ignored', why: 'no environment has a freeze gate' };

  const pulls = app.openPulls ?? [];
  const freeze = GATE_KINDS['freeze'];
  if (freeze === undefined) throw new Error('the freeze gate kind is not registered');
  let frozen = 0;
  let written = 0;
  const failures: string[] = [];
  for (const pull of pulls) {
    const wanted: WantedStatus[] = frozenEnvs.map((env) => {
      const verdicts: Verdict[] = env.gates.map((gate) =>
        freeze.evaluate(gate.name, gate.config, {
          request: {
            environment: env.name,
            services: [],
            version: {},
            requestedBy: 'rollgate-sweep',
            source: ctx.runUrl,
            labels: pull.labels,
          },
          facts: { now, history: [], running: {} },
        }),
      );
      const failing = verdicts.find((v) => v.outcome === 'fail');
      if (failing) frozen++;
      return {
        context: `rollgate/freeze/${env.name}`,
        state: failing ? 'failure' : 'success',
        description: failing ? `${failing.gate}: ${failing.reason}` : `no freeze active in ${env.name}`,
      };
    });
    // Each pull request on its own: one refused write must not stop the sweep for the others.
    // The statuses came with the read: only a status whose state changes is written.
    for (const outcome of await writeStatuses(
      github,
      repo,
      pull.headSha,
      wanted,
      ctx.runUrl,
      pull.statuses,
    )) {
      if (outcome.kind === 'written') written++;
      if (outcome.kind === 'failed') {
        const line = `#${pull.number} (${pull.headSha.slice(0, 7)}) ${outcome.context}: ${outcome.error}`;
        failures.push(line);
        warning(`rollgate: freeze sweep could not set ${line}`);
      }
    }
  }
  const summary = `freeze sweep at ${now.toISOString()}: ${pulls.length} open PRs x ${frozenEnvs.length} environments, ${frozen} frozen, ${written} statuses written (the rest unchanged), ${failures.length} failed`;
  info(`rollgate: ${summary}`);
  if (failures.length > 0) {
    return {
      kind: 'done',
      why: summary,
      failStep: `rollgate: the freeze sweep could not set ${failures.length} status(es), the other pull requests were swept:\n${failures.join('\n')}`,
    };
  }
  return { kind: 'ignored', why: `freeze sweep done (${pulls.length} pull requests)` };
}
