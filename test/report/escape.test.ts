import { describe, expect, it } from 'vitest';
import { usageReply } from '../../src/action/help.js';
import { statusText } from '../../src/action/status-reply.js';
import type { Decision } from '../../src/core/types.js';
import { renderReport } from '../../src/report/markdown.js';

// Issue 11 item 6: every value echoed into a reply renders as itself (no HTML, no @mention, no
// link), and no value can add a line to a table.

const HOSTILE = '<img src=x onerror=alert(1)> @acme/sre [click](javascript:alert(1)) ```';

function rendersInert(markdown: string): void {
  expect(markdown).not.toContain('<img');
  expect(markdown).not.toMatch(/@acme\/sre/); // a mention would notify the team
  expect(markdown).not.toMatch(/(?<!\\)\]\(javascript:/); // an unescaped ]( makes a link
}

describe('echoed text is escaped in every reply', () => {
  it('usage replies: the problem quoting the comment', () => {
    const text = usageReply(`unknown environment "${HOSTILE}"`, '/promote <env>');
    rendersInert(text.split('\n')[0] ?? '');
    expect(text).toContain('/promote <env>'); // the usage itself is code, shown verbatim
  });

  it('/status: versions read from overlays stay inside their code span, names are escaped', () => {
    const text = statusText({ dev: { [`x${HOSTILE}`]: '1.0` <b>bold</b> `' } }, 'graph LR');
    const row = text.split('\n').find((l) => l.startsWith('| x')) ?? '';
    rendersInert(row.split('|')[1] ?? '');
    expect(row).toContain('`` 1.0` <b>bold</b> ` ``');
  });

  it('the report: a reason with any line break (CR, LF, U+2028) stays in its cell, one row per gate', () => {
    const decision: Decision = {
      allowed: true,
      environment: 'production',
      services: ['checkout'],
      version: '1.4.0',
      evaluatedAt: '2026-11-27T17:00:00.000Z',
      verdicts: [
        {
          gate: 'freeze',
          kind: 'freeze',
          outcome: 'warn',
          reasonCode: 'overridden',
          reason: 'frozen',
          details: {},
          override: { by: 'label', who: 'alice', reason: `INC-7\rfixed\u2028| x | y |\n${HOSTILE}` },
        },
      ],
    };
    const report = renderReport({
      environment: 'production',
      services: [`checkout ${HOSTILE}`],
      version: '1.4.0',
      requestedBy: 'alice',
      decision,
      edits: [],
      status: { kind: 'aborted', reasonCode: 'x', message: HOSTILE },
    });
    const rows = report.split('\n').filter((l) => l.startsWith('|'));
    expect(rows).toHaveLength(3); // header, rule, one gate
    expect(rows[2]?.split(/(?<!\\)\|/)).toHaveLength(6);
    rendersInert(report);
  });
});
