import { afterEach, expect } from 'vitest';
import {
  commentEvent,
  makeScene,
  runAction,
  type ActionRun,
  type Scene,
  type SceneOptions,
} from './harness.js';

// Scenarios end to end: the built dist/action.js as a real process against the loopback GitHub
// simulator, backed by real git repositories. Each row sets a scene, runs the Action, and asserts
// what GitHub and the GitOps repository look like afterwards.

export const CHECKOUT_DEV = 'apps/checkout/overlays/dev/kustomization.yaml';
export const CHECKOUT_PROD = 'apps/checkout/overlays/production/kustomization.yaml';
export const CART_DEV = 'apps/cart/overlays/dev/kustomization.yaml';

let scene: Scene | undefined;

/** Each test sets one scene; afterEach checks the simulator saw nothing GitHub would refuse, then closes it. */
export function useScenes(): void {
  afterEach(async () => {
    if (scene) expect(scene.sim.violations).toEqual([]);
    await scene?.close();
    scene = undefined;
  });
}

export async function setUp(options: SceneOptions = {}): Promise<Scene> {
  scene = await makeScene(options);
  return scene;
}

export function comment(
  s: Scene,
  user: string,
  body: string,
  inputs: Record<string, string> = {},
): Promise<ActionRun> {
  return runAction(s, { event: 'issue_comment', payload: commentEvent(s, user, body), inputs });
}

export const tagOf = (text: string) => /newTag: "([^"]+)"/.exec(text)?.[1];
export const botComments = (s: Scene) =>
  s.sim.state.comments.filter((c) => c.user !== 'alice' && c.user !== 'rita');
export const reactionsOn = (s: Scene) => s.sim.state.reactions.map((r) => r.content);
export const operations = (s: Scene, from = 0) =>
  s.sim.requests.slice(from).map((r) => (r as { operation?: string }).operation ?? `${r.method} ${r.path}`);
export const graphqlCommits = (s: Scene, from = 0) =>
  operations(s, from).filter((o) => o === 'graphql:createCommitOnBranch');
export const result = (run: ActionRun) =>
  JSON.parse(run.outputs['result'] ?? '{}') as Record<string, unknown> & {
    decision?: { verdicts: { gate: string; outcome: string; reasonCode: string }[] };
  };

export async function expectNothingWritten(s: Scene, headBefore: string) {
  expect(await s.gitops.head()).toBe(headBefore);
  expect(s.sim.state.apiCommits).toEqual([]);
}
