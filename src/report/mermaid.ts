// A mermaid picture of the pipeline: each environment with the versions it runs, and the gates
// on the arrow into it. GitHub renders ```mermaid blocks in comments and job summaries.

export interface EnvironmentView {
  readonly name: string;
  readonly after?: string;
  readonly gates: readonly string[];
  /** service -> version running there (undefined when not deployed). */
  readonly running: Readonly<Record<string, string | undefined>>;
}

export interface PipelineView {
  readonly environments: readonly EnvironmentView[];
}

export function pipelineMermaid(view: PipelineView, target?: string): string {
  const ids = new Map(view.environments.map((e, i) => [e.name, `e${i}`]));
  const lines = ['flowchart LR'];
  for (const env of view.environments) {
    const versions = Object.entries(env.running)
      .map(([service, version]) => escape(`${service}: ${version ?? '—'}`))
      .join('<br/>');
    const label = versions ? `<b>${escape(env.name)}</b><br/>${versions}` : `<b>${escape(env.name)}</b>`;
    lines.push(`  ${ids.get(env.name)}["${label}"]`);
  }
  for (const env of view.environments) {
    const from = env.after !== undefined ? ids.get(env.after) : undefined;
    if (from === undefined) continue;
    const gates = env.gates.length > 0 ? `|"${escape(env.gates.join(', '))}"|` : '';
    lines.push(`  ${from} -->${gates} ${ids.get(env.name)}`);
  }
  const targetId = target !== undefined ? ids.get(target) : undefined;
  if (targetId !== undefined) {
    lines.push('  classDef target stroke-width:3px', `  class ${targetId} target`);
  }
  return lines.join('\n');
}

/** Mermaid labels in quotes take HTML entities; a quote or bracket in a name must not end the label. */
export function escape(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}
