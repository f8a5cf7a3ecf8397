import { isAlias, isMap, isNode, isScalar, LineCounter, type Node, visit, Document } from 'yaml';
import { ConfigError, type ConfigProblem } from '../core/errors.js';
import { GATE_KINDS } from '../gates/registry.js';
import { DEFAULT_LIMITS, isYamlProblem, parseBounded } from '../overlays/yaml/bounded.js';
import { normalizeRepoPath } from '../core/repo-paths.js';
import { suggestion } from './did-you-mean.js';
import { yamlProblems } from './yaml-errors.js';
import { MIRROR_KINDS } from '../overlays/traffic/mirror.js';
import type { BlueGreenConfig, CanaryConfig, Config, FlagRolloutConfig, GateConfig } from './schema.js';

// Reading a config: YAML, `${NAME}` references, gates one by one, cross-references. What checks a
// file's structure is passed in: zod (load.ts, which words every problem), or the shapes generated
// from the same schemas (load-file.ts, which loads no zod and hands a config it refuses to zod).

export interface ConfigText {
  readonly file: string;
  readonly text: string;
}

export type Path = readonly (string | number)[];

/** One parsed YAML file with what is needed to point at a key: its document and line counter. */
export interface Source {
  readonly file: string;
  readonly doc: Document;
  readonly lines: LineCounter;
}

/** A structure check's answer: the value as the schema outputs it, or its problems at `base`. */
export type Checked =
  | { readonly ok: true; readonly data: unknown }
  | { readonly ok: false; readonly problems: (source: Source, base: Path) => ConfigProblem[] };

/** What checks the structure of the config file, of a policy file, and of one gate's config. */
export interface StructureCheck {
  readonly config: (raw: unknown) => Checked;
  readonly policy: (raw: unknown) => Checked;
  readonly gate: (kind: string, raw: unknown) => Checked;
}

/**
 * Parses and validates a config and its policy files (pure: the Action passes texts read from the
 * default branch). Every problem names file:line:col and the key path; all are reported at once.
 */
export function parseConfigWith(
  check: StructureCheck,
  main: ConfigText,
  policies: readonly ConfigText[],
  env: Readonly<Record<string, string | undefined>>,
): Config {
  const steps = configSteps(check, main, policies, env);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * parseConfigWith, handing the event loop a turn between files and between gates: the CLI reads
 * the GitOps repository meanwhile (src/cli/early-clone.ts), and each of its fetch rounds needs a
 * turn to ask for the next. The answer is the same.
 */
export async function parseConfigWithTurns(
  check: StructureCheck,
  main: ConfigText,
  policies: readonly ConfigText[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<Config> {
  const steps = configSteps(check, main, policies, env);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** The work of parseConfigWith, in steps: it yields where the work may pause. */
function* configSteps(
  check: StructureCheck,
  main: ConfigText,
  policies: readonly ConfigText[],
  env: Readonly<Record<string, string | undefined>>,
): Generator<void, Config> {
  const problems: ConfigProblem[] = [];
  const mainSource = parseSource(main, env, problems);
  const policySources: Source[] = [];
  for (const p of policies) {
    yield;
    policySources.push(parseSource(p, env, problems));
  }
  if (problems.length > 0) throw new ConfigError(problems);

  yield;
  // Aliases were bounded when the files were parsed (parseBounded), so expanding them is safe.
  const raw = mainSource.doc.toJS({ maxAliasCount: -1 }) as unknown;
  // Gates are checked one by one below for precise messages, so the top level sees them as opaque.
  const parsed = check.config(raw);
  if (!parsed.ok) problems.push(...parsed.problems(mainSource, []));

  const gates: Record<string, GateConfig> = {};
  yield* collectGates(check, mainSource, ['gates'], gates, problems);
  for (const source of policySources) {
    const policyRaw = source.doc.toJS({ maxAliasCount: -1 }) as unknown;
    const shape = check.policy(policyRaw);
    if (!shape.ok) problems.push(...shape.problems(source, []));
    else yield* collectGates(check, source, ['gates'], gates, problems);
  }
  if (problems.length > 0 || !parsed.ok) throw new ConfigError(problems);

  yield;
  const data = parsed.data as unknown as Omit<Config, 'gates' | 'file'>;
  checkReferences(mainSource, data, gates, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...data, gates, file: main.file };
}

function parseSource(
  input: ConfigText,
  env: Readonly<Record<string, string | undefined>>,
  problems: ConfigProblem[],
): Source {
  // The config is read before its limits are known, so config and policy files get the default.
  const parsed = parseBounded(input.text, DEFAULT_LIMITS);
  if (isYamlProblem(parsed)) {
    const lines = new LineCounter();
    lines.addNewLine(0);
    for (let i = input.text.indexOf('\n'); i !== -1; i = input.text.indexOf('\n', i + 1))
      lines.addNewLine(i + 1);
    if (parsed.errors !== undefined) {
      problems.push(...yamlProblems(input.file, input.text, parsed.errors, lines));
      return { file: input.file, doc: new Document(), lines };
    }
    const pos = lines.linePos(parsed.offset);
    problems.push({
      file: input.file,
      line: pos.line,
      col: pos.col,
      path: '',
      message: parsed.message,
    });
    return { file: input.file, doc: new Document(), lines };
  }
  const [doc, ...more] = parsed.docs;
  const lines = parsed.lines;
  if (more.length > 0) {
    const pos = lines.linePos(more[0]?.range[0] ?? 0);
    problems.push({
      file: input.file,
      line: pos.line,
      col: pos.col,
      path: '',
      message: `the file holds ${parsed.docs.length} YAML documents; keep one (remove the --- line)`,
    });
  }
  const source = { file: input.file, doc: doc ?? new Document(), lines };
  resolveEnv(source, env, problems);
  return source;
}

/**
 * A gate's `prometheus:` block keeps its `${NAME}` references: they are expanded when the query runs
 * (src/facts/prometheus.ts resolveTarget), so reasons can show the URL as configured and a secret
 * spliced into it (an api_key) never reaches a PR comment.
 */
const EXPANDED_AT_QUERY = /^gates\.[^.]+\.[^.]+\.prometheus(\.|$)/;

/**
 * A notification target's URL and headers keep their `${NAME}` references too: they are expanded
 * when the message is sent (src/notify/send.ts), so the secret is never part of the loaded config,
 * and a variable missing on a machine that sends nothing (a laptop) is no config error: the send
 * warns instead.
 */
const EXPANDED_AT_SEND = /^notify(\.|$)/;

/**
 * `${NAME}` in any string value is replaced from the environment at load (except in a gate's
 * `prometheus:` block, only checked here); a missing variable is an error.
 */
function resolveEnv(
  source: Source,
  env: Readonly<Record<string, string | undefined>>,
  problems: ConfigProblem[],
): void {
  visit(source.doc, {
    Scalar(_key, node, path) {
      if (typeof node.value !== 'string' || !node.value.includes('${')) return;
      const keyPath = keyPathOf(path);
      const keep = EXPANDED_AT_QUERY.test(keyPath);
      if (EXPANDED_AT_SEND.test(keyPath)) return;
      node.value = node.value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => {
        const value = env[name];
        if (value !== undefined) return keep ? whole : value;
        problems.push({
          ...at(source, node),
          path: keyPath,
          message: `environment variable ${name} is not set (referenced as ${whole}); set it, or write the value in place`,
        });
        return whole;
      });
    },
  });
}

function keyPathOf(ancestors: readonly unknown[]): string {
  const keys: (string | number)[] = [];
  for (const a of ancestors) {
    if (a && typeof a === 'object' && 'key' in a && isScalar((a as { key: unknown }).key)) {
      keys.push(String((a as { key: { value: unknown } }).key.value));
    }
  }
  return keys.join('.');
}

export function at(
  source: Source,
  node: Node | null | undefined,
): { file: string; line: number; col: number } {
  const offset = node?.range?.[0] ?? 0;
  const pos = source.lines.linePos(offset);
  return { file: source.file, line: pos.line, col: pos.col };
}

/** The plain JS value at a path (getIn alone hands back collection nodes). */
export function valueAt(source: Source, path: Path): unknown {
  const node = source.doc.getIn(path, true);
  return isNode(node) ? node.toJS(source.doc, { maxAliasCount: -1 }) : node;
}

export function formatPath(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** The node at a path, or the nearest ancestor that exists (a missing key is reported at its parent). */
export function nodeAt(source: Source, path: Path): Node | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = source.doc.getIn(path.slice(0, n), true) as Node | undefined;
    if (node && typeof node === 'object' && 'range' in node) return node;
  }
  return source.doc.contents ?? undefined;
}

export function keyNodeAt(source: Source, path: Path, key: string): Node | undefined {
  const parent = source.doc.getIn(path, true);
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === key);
  return (pair?.key as Node | undefined) ?? undefined;
}

/** Checks each gate of a file alone, yielding before each (configSteps). */
function* collectGates(
  check: StructureCheck,
  source: Source,
  base: Path,
  gates: Record<string, GateConfig>,
  problems: ConfigProblem[],
): Generator<void, void> {
  const map = source.doc.getIn(base, true);
  if (!isMap(map)) return;
  for (const pair of map.items) {
    yield;
    const name = isScalar(pair.key) ? String(pair.key.value) : '';
    const path = [...base, name];
    // A gate may be an alias of another (`b: *a`): it is judged as the value it stands for.
    const body = isAlias(pair.value) ? pair.value.resolve(source.doc) : pair.value;
    if (!isMap(body) || body.items.length !== 1) {
      problems.push({
        ...at(source, (body as Node | null) ?? (pair.key as Node)),
        path: formatPath(path),
        message: `a gate holds exactly one key, its kind (${Object.keys(GATE_KINDS).join(', ')}), e.g. "${name}: { bake: 1h }"`,
      });
      continue;
    }
    const kindPair = body.items[0];
    const kind = isScalar(kindPair?.key) ? String(kindPair.key.value) : '';
    const gateKind = GATE_KINDS[kind];
    if (gateKind === undefined) {
      problems.push({
        ...at(source, kindPair?.key as Node),
        path: formatPath([...path, kind]),
        message: `unknown gate kind "${kind}"${suggestion(kind, Object.keys(GATE_KINDS))}; kinds: ${Object.keys(GATE_KINDS).join(', ')}`,
      });
      continue;
    }
    if (gates[name] !== undefined) {
      problems.push({
        ...at(source, pair.key as Node),
        path: formatPath(path),
        message: `gate "${name}" is already defined in ${gates[name]?.file}; gate names must be unique`,
      });
      continue;
    }
    const kindPath = [...path, kind];
    const kindValue = kindPair?.value;
    const parsed = check.gate(
      kind,
      isNode(kindValue) ? kindValue.toJS(source.doc, { maxAliasCount: -1 }) : kindValue,
    );
    if (!parsed.ok) {
      problems.push(...parsed.problems(source, kindPath));
      continue;
    }
    const semantic = gateKind.check?.(parsed.data) ?? [];
    for (const p of semantic) {
      problems.push({
        ...at(source, nodeAt(source, [...kindPath, ...p.path])),
        path: formatPath([...kindPath, ...p.path]),
        message: p.message,
      });
    }
    gates[name] = { name, kind, config: parsed.data, file: source.file };
  }
}

function checkReferences(
  source: Source,
  config: Omit<Config, 'gates' | 'file'>,
  gates: Readonly<Record<string, GateConfig>>,
  problems: ConfigProblem[],
): void {
  const envNames = Object.keys(config.environments);
  const serviceNames = Object.keys(config.services);
  for (const [envName, env] of Object.entries(config.environments)) {
    const base = ['environments', envName];
    if (env.after !== undefined && config.environments[env.after] === undefined) {
      problems.push({
        ...at(source, nodeAt(source, [...base, 'after'])),
        path: formatPath([...base, 'after']),
        message: `"after: ${env.after}" names no environment${suggestion(env.after, envNames)}; environments: ${envNames.join(', ')}`,
      });
    }
    env.gates.forEach((gate, i) => {
      if (gates[gate] === undefined) {
        const known = Object.keys(gates);
        problems.push({
          ...at(source, nodeAt(source, [...base, 'gates', i])),
          path: formatPath([...base, 'gates', i]),
          message: `no gate named "${gate}"${suggestion(gate, known)}; define it under gates: or in policies/*.yaml (known: ${known.join(', ') || 'none'})`,
        });
      }
    });
    env.services?.forEach((service, i) => {
      if (config.services[service] === undefined) {
        problems.push({
          ...at(source, nodeAt(source, [...base, 'services', i])),
          path: formatPath([...base, 'services', i]),
          message: `no service named "${service}"${suggestion(service, serviceNames)}; services: ${serviceNames.join(', ')}`,
        });
      }
    });
    try {
      normalizeRepoPath(env.path.replaceAll('{{service}}', 'service'));
    } catch (err) {
      problems.push({
        ...at(source, nodeAt(source, [...base, 'path'])),
        path: formatPath([...base, 'path']),
        message: `${(err as Error).message}, e.g. apps/{{service}}/overlays/${envName}`,
      });
    }
    if (env.canary !== undefined) checkCanary(source, config, envName, env.canary, gates, problems);
    if (env.blueGreen !== undefined) checkBlueGreen(source, config, envName, env.blueGreen, gates, problems);
    if (env.flags !== undefined) checkFlagRollouts(source, config, envName, env.flags, gates, problems);
    if (
      !env.path.includes('{{service}}') &&
      serviceNames.length > 1 &&
      (env.services?.length ?? serviceNames.length) > 1
    ) {
      problems.push({
        ...at(source, nodeAt(source, [...base, 'path'])),
        path: formatPath([...base, 'path']),
        message: `path "${env.path}" has no {{service}} but several services deploy here; write e.g. apps/{{service}}/overlays/${envName}`,
      });
    }
  }
  for (const [target, spec] of Object.entries(config.notify ?? {})) {
    spec.environments?.forEach((env, i) => {
      if (config.environments[env] === undefined) {
        const path = ['notify', target, 'environments', i];
        problems.push({
          ...at(source, nodeAt(source, path)),
          path: formatPath(path),
          message: `no environment named "${env}"${suggestion(env, envNames)}; environments: ${envNames.join(', ')}`,
        });
      }
    });
  }
  // `after` must not loop: dev -> staging -> dev would make every promotion wait for itself. Each
  // loop is reported once, at its first environment in the file; one that only leads into a loop
  // (staging: { after: dev } when dev names itself) is not blamed.
  const inReportedLoop = new Set<string>();
  for (const start of envNames) {
    if (inReportedLoop.has(start)) continue;
    const walk = [start];
    let current = config.environments[start]?.after;
    while (current !== undefined && !walk.includes(current)) {
      walk.push(current);
      current = config.environments[current]?.after;
    }
    if (current !== start) continue;
    for (const env of walk) inReportedLoop.add(env);
    problems.push({
      ...at(source, nodeAt(source, ['environments', start, 'after'])),
      path: `environments.${start}.after`,
      message:
        walk.length === 1
          ? `"after: ${start}" names ${start} itself; an environment cannot come after itself: remove "after", or name the environment before it`
          : `"after" forms a loop: ${[...walk, start].join(' -> ')}; the pipeline must have a first environment`,
    });
  }
}

function insideRepo(path: string): boolean {
  try {
    normalizeRepoPath(path);
    return true;
  } catch {
    return false;
  }
}

/** Reports a problem at a path below `base` (file:line:col of its node, and the dotted path). */
function problemsUnder(
  source: Source,
  base: Path,
  problems: ConfigProblem[],
): (path: Path, message: string) => void {
  return (path, message) => {
    problems.push({
      ...at(source, nodeAt(source, [...base, ...path])),
      path: formatPath([...base, ...path]),
      message,
    });
  };
}

/** What the schema cannot say about `environments.<env>.canary`: cross-references and order. */
function checkCanary(
  source: Source,
  config: Omit<Config, 'gates' | 'file'>,
  envName: string,
  canary: CanaryConfig,
  gates: Readonly<Record<string, GateConfig>>,
  problems: ConfigProblem[],
): void {
  const base = ['environments', envName, 'canary'];
  const problem = problemsUnder(source, base, problems);
  if (config.gitops.mode === 'pull-request') {
    problem(
      [],
      'canary rollouts commit every step straight to the GitOps branch: set gitops.mode: push (pull-request mode for rollouts comes later)',
    );
  }
  if ((canary.image === undefined) === (canary.path === undefined)) {
    problem(
      [],
      canary.image === undefined
        ? 'say where the canary workload is: image: "{{service}}-canary" (an images[].name in the same overlay) or path: a canary overlay folder'
        : 'give image or path, not both: image names the canary workload in the same overlay, path a separate overlay',
    );
  }
  const services = config.environments[envName]?.services ?? Object.keys(config.services);
  for (const service of services) {
    const stable = config.services[service]?.image ?? service;
    if (canary.image !== undefined && canary.image.replaceAll('{{service}}', service) === stable) {
      problem(
        ['image'],
        `canary.image "${canary.image}" is the stable image of ${service} (${stable}): the canary would edit the stable entry; name the canary workload's image, e.g. "{{service}}-canary"`,
      );
      break;
    }
    const envPath = config.environments[envName]?.path ?? '';
    if (
      canary.path !== undefined &&
      canary.path.replaceAll('{{service}}', service).replace(/\/+$/, '') ===
        envPath.replaceAll('{{service}}', service).replace(/\/+$/, '')
    ) {
      problem(
        ['path'],
        `canary.path is the environment's own overlay (${envPath}): the canary would edit the stable entry; point it at a separate canary overlay`,
      );
      break;
    }
  }
  // Paths rollgate will read and write must stay inside the GitOps repository (item 13 of issue 11,
  // as for `path:`): canary.path from the repository root, traffic.file from the overlay folder.
  const sample = (text: string) => text.replaceAll('{{service}}', 'service');
  if (canary.path !== undefined) {
    try {
      normalizeRepoPath(sample(canary.path));
    } catch (err) {
      problem(
        ['path'],
        `canary.${(err as Error).message.replace(`"${sample(canary.path)}"`, `"${canary.path}"`)}, e.g. apps/{{service}}/overlays/${envName}-canary`,
      );
    }
  }
  const trafficFile = canary.traffic.file;
  const overlayPath = config.environments[envName]?.path ?? '';
  if (/^([/\\]|[a-zA-Z]:)/.test(trafficFile)) {
    problem(
      ['traffic', 'file'],
      `traffic.file "${trafficFile}" must be relative to the environment's overlay folder (${overlayPath}); drop the leading / or drive letter, e.g. httproute.yaml`,
    );
  } else if (insideRepo(sample(overlayPath))) {
    try {
      normalizeRepoPath(`${sample(overlayPath)}/${sample(trafficFile)}`);
    } catch {
      problem(
        ['traffic', 'file'],
        `traffic.file "${trafficFile}" leaves the GitOps repository from the overlay folder ${overlayPath}; name a file inside it, relative to that folder, e.g. httproute.yaml`,
      );
    }
  }
  if (canary.path !== undefined && services.length > 1 && !canary.path.includes('{{service}}')) {
    problem(['path'], `canary.path "${canary.path}" has no {{service}} but several services deploy here`);
  }
  if (canary.traffic.kind === 'path' && canary.traffic.path === undefined) {
    problem(
      ['traffic'],
      'traffic kind path needs traffic.path, the YAML path of the weight, e.g. spec.rules[0].backendRefs[1].weight',
    );
  }
  let previous = -1;
  canary.steps.forEach((step, i) => {
    const weight = typeof step === 'number' ? step : step.weight;
    if (weight === 0) {
      problem(
        ['steps', i],
        'a step of weight 0 sends the canary no traffic; use canary.warmup to start at 0',
      );
    } else if (weight < previous) {
      problem(
        ['steps', i],
        `weights must rise: ${weight} after ${previous}; write the steps in rising order, e.g. [5, 25, 50]`,
      );
    }
    previous = Math.max(previous, weight);
  });
  const known = Object.keys(gates);
  const checkGates = (names: readonly string[], path: Path) =>
    names.forEach((gate, i) => {
      if (gates[gate] === undefined) {
        problem(
          [...path, i],
          `no gate named "${gate}"${suggestion(gate, known)}; define it under gates: or in policies/*.yaml (known: ${known.join(', ') || 'none'})`,
        );
      }
    });
  checkGates(canary.analysis, ['analysis']);
  if (canary.verify !== undefined) checkGates(canary.verify.analysis, ['verify', 'analysis']);
  if (canary.shadow !== undefined) {
    checkGates(canary.shadow.analysis, ['shadow', 'analysis']);
    if (!(MIRROR_KINDS as readonly string[]).includes(canary.traffic.kind)) {
      problem(
        ['shadow'],
        `traffic kind ${canary.traffic.kind} cannot mirror requests; shadow traffic needs ${MIRROR_KINDS.join(' or ')} (Istio mirror, Gateway API RequestMirror): remove shadow, or move the route to one of them`,
      );
    }
    if (canary.warmup !== undefined) {
      problem(
        ['warmup'],
        'warmup and shadow both start the canary at weight 0; drop warmup (the shadow stage warms the canary up, and analysisDelay keeps its first minutes out of the analysis)',
      );
    }
  }
}

/** What the schema cannot say about `environments.<env>.blueGreen`: colours, traffic, gates. */
function checkBlueGreen(
  source: Source,
  config: Omit<Config, 'gates' | 'file'>,
  envName: string,
  bg: BlueGreenConfig,
  gates: Readonly<Record<string, GateConfig>>,
  problems: ConfigProblem[],
): void {
  const base = ['environments', envName, 'blueGreen'];
  const problem = problemsUnder(source, base, problems);
  if (config.environments[envName]?.canary !== undefined) {
    problem([], 'an environment delivers one way: remove canary or blueGreen');
  }
  if (config.gitops.mode === 'pull-request') {
    problem(
      [],
      'blue-green commits every move straight to the GitOps branch: set gitops.mode: push (pull-request mode for rollouts comes later)',
    );
  }
  for (const colour of ['blue', 'green'] as const) {
    const spec = bg[colour];
    if ((spec.image === undefined) === (spec.path === undefined)) {
      problem(
        [colour],
        spec.image === undefined
          ? `say where the ${colour} workload is: image: "{{service}}-${colour}" (an images[].name in the overlay) or path: its own overlay folder`
          : `give image or path for ${colour}, not both`,
      );
    }
  }
  if (
    (bg.blue.image !== undefined && bg.blue.image === bg.green.image) ||
    (bg.blue.path !== undefined && bg.blue.path === bg.green.path)
  ) {
    problem(['green'], 'blue and green name the same workload; give each colour its own');
  }
  if (bg.traffic.blue === bg.traffic.green) {
    problem(
      ['traffic', 'green'],
      `blue and green are both "${bg.traffic.blue}" in the traffic file; name each colour's backend`,
    );
  }
  if (bg.traffic.kind === 'service' && bg.traffic.selector === undefined) {
    problem(
      ['traffic'],
      'traffic kind service needs selector: the label of the Service selector that names the colour, e.g. app.kubernetes.io/color',
    );
  }
  if (bg.traffic.kind !== 'service' && bg.traffic.selector !== undefined) {
    problem(
      ['traffic', 'selector'],
      `selector is for traffic kind service; kind ${bg.traffic.kind} switches by weights`,
    );
  }
  if (bg.scaleDown && bg.replicas === undefined) {
    problem(
      ['scaleDown'],
      'scaleDown (the default) scales the old colour to 0, so a preview must scale the idle colour up: set replicas (e.g. replicas: 4), or scaleDown: false',
    );
  }
  const known = Object.keys(gates);
  const checkGates = (names: readonly string[], path: Path) =>
    names.forEach((gate, i) => {
      if (gates[gate] === undefined) {
        problem(
          [...path, i],
          `no gate named "${gate}"${suggestion(gate, known)}; define it under gates: or in policies/*.yaml (known: ${known.join(', ') || 'none'})`,
        );
      }
    });
  checkGates(bg.readiness, ['readiness']);
  if (bg.preview !== undefined) checkGates(bg.preview.analysis, ['preview', 'analysis']);
  if (bg.verify !== undefined) checkGates(bg.verify.analysis, ['verify', 'analysis']);
}

/** What the schema cannot say about `environments.<env>.flags`: paths, order, gates (docs/flags.md). */
function checkFlagRollouts(
  source: Source,
  config: Omit<Config, 'gates' | 'file'>,
  envName: string,
  flags: Readonly<Record<string, FlagRolloutConfig>>,
  gates: Readonly<Record<string, GateConfig>>,
  problems: ConfigProblem[],
): void {
  const known = Object.keys(gates);
  const seen = new Map<string, string>();
  for (const [name, rollout] of Object.entries(flags)) {
    const base = ['environments', envName, 'flags', name];
    const problem = problemsUnder(source, base, problems);
    if (config.gitops.mode === 'pull-request')
      problem([], 'flag rollouts commit every step straight to the GitOps branch: set gitops.mode: push');
    try {
      normalizeRepoPath(rollout.file);
    } catch (err) {
      problem(
        ['file'],
        `${(err as Error).message.replace(/^path /, 'file ')}, e.g. apps/checkout/flags/${envName}.flagd.json`,
      );
    }
    const key = `${rollout.file}\u0000${rollout.flag ?? name}`;
    const other = seen.get(key);
    if (other !== undefined)
      problem(
        [],
        `flag ${rollout.flag ?? name} in ${rollout.file} is already rolled out by flags.${other}; one rollout per flag`,
      );
    seen.set(key, name);
    let previous = -1;
    rollout.steps.forEach((step, i) => {
      const weight = typeof step === 'number' ? step : step.weight;
      if (weight === 0)
        problem(['steps', i], 'a step of share 0 serves the variant to nobody; start at 1 or more');
      else if (weight < previous)
        problem(
          ['steps', i],
          `shares must rise: ${weight} after ${previous}; write the steps in rising order, e.g. [5, 25, 50]`,
        );
      previous = Math.max(previous, weight);
    });
    const checkGates = (names: readonly string[], path: Path) =>
      names.forEach((gate, i) => {
        if (gates[gate] === undefined)
          problem(
            [...path, i],
            `no gate named "${gate}"${suggestion(gate, known)}; define it under gates: or in policies/*.yaml (known: ${known.join(', ') || 'none'})`,
          );
      });
    checkGates(rollout.analysis, ['analysis']);
    if (rollout.verify !== undefined) checkGates(rollout.verify.analysis, ['verify', 'analysis']);
  }
}
