import { type EditFailure, fail, isFailure, type ParsedText, parseText } from './parse.js';

// The post-write check: parse the new text and compare it with the old one plus the intended change.

/** One change to the parsed value, used to check the written text means what was intended. */
export type SemanticOp =
  | { readonly op: 'set'; readonly path: readonly (string | number)[]; readonly value: unknown }
  | { readonly op: 'delete'; readonly path: readonly (string | number)[] };

/**
 * The post-write check: the new text parses, its documents equal the old ones with `ops` applied to
 * document `docIndex`, and every changed byte lies inside `spans` (the edited scalars and lines).
 */
export function verifyEdit(
  before: ParsedText,
  after: string,
  docIndex: number,
  ops: readonly SemanticOp[],
): EditFailure | undefined {
  // The text was within the limits before the edit; a line more must not make the check refuse it.
  const reparsed = parseText(after, { maxFileSize: Number.POSITIVE_INFINITY });
  if (isFailure(reparsed))
    return fail('verify-failed', `the edit produced invalid YAML (${reparsed.message})`);
  if (reparsed.docs.length !== before.docs.length) {
    return fail(
      'verify-failed',
      `the edit changed the number of YAML documents (${before.docs.length} -> ${reparsed.docs.length})`,
    );
  }
  for (let i = 0; i < before.docs.length; i++) {
    const beforeDoc = before.docs[i];
    const actualDoc = reparsed.docs[i];
    if (beforeDoc === undefined || actualDoc === undefined) continue;
    let expectedJs: unknown = beforeDoc.toJS({ maxAliasCount: -1 });
    if (i === docIndex) for (const op of ops) expectedJs = applyOp(expectedJs, op);
    const expected = JSON.stringify(expectedJs);
    const actual = JSON.stringify(actualDoc.toJS({ maxAliasCount: -1 }));
    if (expected !== actual) {
      return fail(
        'verify-failed',
        `the edit changed more than intended in document ${i + 1}: expected ${expected}, got ${actual}`,
      );
    }
  }
  return undefined;
}

/** Applies one semantic change to plain data (what toJS gives), creating maps on the way as setIn would. */
function applyOp(root: unknown, op: SemanticOp): unknown {
  const [head, ...rest] = op.path;
  if (head === undefined) return op.op === 'set' ? op.value : undefined;
  const container: Record<string | number, unknown> | unknown[] =
    root !== null && typeof root === 'object' ? (root as Record<string, unknown>) : {};
  const next = (container as Record<string | number, unknown>)[head];
  if (rest.length === 0 && op.op === 'delete') {
    if (Array.isArray(container) && typeof head === 'number') container.splice(head, 1);
    else delete (container as Record<string | number, unknown>)[head];
    return container;
  }
  (container as Record<string | number, unknown>)[head] = applyOp(next, { ...op, path: rest } as SemanticOp);
  return container;
}
