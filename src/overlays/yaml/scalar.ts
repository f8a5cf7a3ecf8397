import { CST, type Node } from 'yaml';
import { type EditFailure, fail } from './parse.js';
import { needsQuotes } from './quote.js';
import type { Splice } from './splice.js';

// Rewriting one scalar in place through its CST token (yaml's CST.setScalarValue).

type ScalarType = 'PLAIN' | 'QUOTE_SINGLE' | 'QUOTE_DOUBLE' | 'BLOCK_LITERAL' | 'BLOCK_FOLDED';

/**
 * How a replaced scalar is written: a quoted scalar keeps its quotes; a plain one stays plain unless
 * the new value would then read back as another type (a tag `1234`).
 */
function styleFor(tokenType: string, value: string, kind: 'string' | 'number'): ScalarType {
  if (kind === 'number') return 'PLAIN';
  if (tokenType === 'single-quoted-scalar') return 'QUOTE_SINGLE';
  if (tokenType === 'double-quoted-scalar') return 'QUOTE_DOUBLE';
  return needsQuotes(value) ? 'QUOTE_DOUBLE' : 'PLAIN';
}

export interface ScalarWrite {
  readonly value: string;
  /** `string` keeps the value a string (quoting when needed); `number` writes it plain. */
  readonly kind: 'string' | 'number';
  /** Force double quotes unless the scalar is already single-quoted (annotation values). */
  readonly quoted?: boolean;
}

/**
 * The splice that rewrites one scalar (or alias) in place: its CST token is given the new value with
 * `CST.setScalarValue`, and the token's old source (value, trailing comment, line break) is replaced by
 * the token's new source. Working from the composed node's own token avoids walking the whole CST.
 */
export function scalarSplice(node: Node, write: ScalarWrite, inFlow: boolean): Splice | EditFailure {
  const token = node.srcToken;
  if (token === undefined || !(CST.isScalar(token) || (token.type as string) === 'alias')) {
    return fail('unsupported', 'the value is not a plain, quoted or block scalar');
  }
  const old = CST.stringify(token);
  let type = styleFor(token.type, write.value, write.kind);
  if (write.quoted === true && type === 'PLAIN') type = 'QUOTE_DOUBLE';
  CST.setScalarValue(token, write.value, { afterKey: true, inFlow, type });
  // yaml writes a replaced block scalar's line break as \n and keeps one after the value: keep the
  // file's own line ending, and no break where the old value ended the file without one.
  let next = CST.stringify(token);
  if (old.includes('\r\n')) next = next.replace(/\r?\n/g, '\r\n');
  if (!old.endsWith('\n')) next = next.replace(/\r?\n$/, '');
  // Keep the splice to the value itself: the token's trailing comment and line break are unchanged,
  // and leaving them out lets a neighbouring line be removed in the same edit.
  let same = 0;
  while (
    same < old.length &&
    same < next.length &&
    old[old.length - 1 - same] === next[next.length - 1 - same]
  )
    same++;
  return {
    start: token.offset,
    end: token.offset + old.length - same,
    insert: next.slice(0, next.length - same),
  };
}
