import { ASSERTED_NOTE, type Decision, type FileEdit, type Verdict } from '../core/types.js';
import { unifiedDiff } from './diff.js';
import { cell, codeBlock, escapeInline, escapeMd } from './escape.js';
import { pipelineMermaid, type PipelineView } from './mermaid.js';
import { headlineOf, type RunStatus } from './status.js';

// The report a person reads in the PR comment and the job summary. One shape: a heading, the
// facts, the gate table, the diff folded away, the pipeline picture, then one line on what to do.

/** GitHub refuses comment bodies over 65,536 characters; keep a margin for the marker and edits. */
export const COMMENT_LIMIT = 65_536;
const BUDGET = COMMENT_LIMIT - 1_024;

export interface ReportInput {
  readonly environment: string;
  readonly services: readonly string[];
  readonly version: string;
  readonly requestedBy: string;
  readonly source?: string;
  readonly decision?: Decision;
  readonly edits: readonly FileEdit[];
  readonly status: RunStatus;
  readonly pipeline?: PipelineView;
  /** The one line that says what to do next, when there is something to do. */
  readonly next?: string;
  /** A feature-flag rollout (`/promote <env> --flag NAME`): shown instead of the services and version. */
  readonly flag?: { readonly name: string; readonly variant: string; readonly firstShare?: number };
}

/** The hidden marker that finds the sticky comment for this PR and environment. */
export function markerFor(environment: string): string {
  return `<!-- rollgate:${environment} -->`;
}

export const OUTCOME_ICON: Record<Verdict['outcome'], string> = {
  pass: '✅',
  fail: '❌',
  warn: '⚠️',
  skip: '⏭️',
};
const STATUS_ICON: Record<RunStatus['kind'], string> = {
  committed: '🚀',
  proposed: '📬',
  'dry-run': '🧪',
  'no-op': '✅',
  denied: '⛔',
  aborted: '🛑',
  failed: '💥',
};

export function renderReport(input: ReportInput): string {
  const head = renderHead(input);
  const gates = input.decision ? renderGates(input.decision) : '';
  const pipeline = input.pipeline
    ? `<details><summary>Pipeline</summary>\n\n${codeBlock(pipelineMermaid(input.pipeline, input.environment), 'mermaid')}\n\n</details>\n`
    : '';
  const next = input.next ? `\n${input.next}\n` : '';
  const fixed = head.length + gates.length + pipeline.length + next.length;
  const diff = renderDiff(input.edits, Math.max(0, BUDGET - fixed));
  const report = [head, gates, diff, pipeline, next].filter(Boolean).join('\n');
  // A gate table too long on its own (thousands of verdicts) is cut as a last resort.
  return report.length <= BUDGET
    ? report
    : `${report.slice(0, BUDGET - 40)}\n\n… report cut at ${BUDGET} characters\n`;
}

function renderHead(input: ReportInput): string {
  const s = input.status;
  const what = input.services.length > 0 ? input.services.join(', ') : 'all services';
  const lines = [
    markerFor(input.environment),
    `### ${STATUS_ICON[s.kind]} rollgate: ${input.environment} ${headlineOf(s)}`,
    '',
    ...(input.flag !== undefined
      ? [
          `- **Flag rollout:** ${escapeInline(input.flag.name)}, variant ${escapeInline(input.flag.variant)}${input.flag.firstShare !== undefined ? ` (first step: ${input.flag.firstShare}% of users)` : ''}`,
        ]
      : [
          `- **Services:** ${escapeMd(what)}`,
          `- **Version:** ${escapeInline(input.version || 'unchanged')}`,
        ]),
    `- **Requested by:** @${escapeMd(input.requestedBy)}${input.source ? ` from ${escapeMd(input.source)}` : ''}`,
  ];
  if (s.kind === 'committed')
    lines.push(`- **Commit:** ${s.url ? `[${s.sha.slice(0, 7)}](${s.url})` : s.sha}`);
  if (s.kind === 'proposed') lines.push(`- **Pull request:** ${s.url} (commit ${s.sha.slice(0, 7)})`);
  if (s.kind === 'aborted') lines.push(`- **Why:** ${escapeMd(s.message)} (\`${s.reasonCode}\`)`);
  if (s.kind === 'failed') lines.push(`- **Error:** ${escapeMd(s.message)}`);
  if (input.decision) lines.push(`- **Evaluated at:** ${input.decision.evaluatedAt}`);
  return `${lines.join('\n')}\n`;
}

function renderGates(decision: Decision): string {
  if (decision.verdicts.length === 0) return '_No gates guard this environment._\n';
  const rows = decision.verdicts.map((v) => {
    const override = v.override
      ? ` (overridden by ${v.override.by} by @${v.override.who}: ${v.override.reason}${v.override.asserted ? `; ${ASSERTED_NOTE}` : ''})`
      : '';
    const opens = v.opensAt ? ` Opens ${v.opensAt}.` : '';
    return `| ${OUTCOME_ICON[v.outcome]} ${v.outcome} | ${cell(v.gate)} | ${cell(v.kind)} | ${cell(v.reason + opens + override)} |`;
  });
  return ['| outcome | gate | kind | reason |', '| --- | --- | --- | --- |', ...rows, ''].join('\n');
}

/** Unified diffs of every edit, folded, cut at a line boundary to fit `budget` characters. */
export function renderDiff(edits: readonly FileEdit[], budget: number): string {
  const changed = edits.filter((e) => e.before !== e.after);
  if (changed.length === 0) return '';
  const patch = changed.map(unifiedDiff).join('\n');
  const open = `<details><summary>Diff (${changed.length} file${changed.length === 1 ? '' : 's'})</summary>\n\n\`\`\`diff\n`;
  const close = '\n```\n\n</details>\n';
  const room = budget - open.length - close.length - 120;
  if (patch.length <= room) return `${open}${fence(patch)}${close}`;
  const lines = patch.split('\n');
  let kept = 0;
  let size = 0;
  while (kept < lines.length && size + (lines[kept]?.length ?? 0) + 1 <= room)
    size += (lines[kept++]?.length ?? 0) + 1;
  const cut = lines.length - kept;
  return `${open}${fence(lines.slice(0, kept).join('\n'))}\n… ${cut} more diff line${cut === 1 ? '' : 's'} cut to fit GitHub's comment limit; see the commit for all of it${close}`;
}

/** A diff line of three backticks would close the fence early. */
function fence(text: string): string {
  return text.replace(/```/g, '`\u200b``');
}

// Shared with the rollout reports; defined with the other escaping in escape.ts.
export { cell, escapeMd } from './escape.js';
