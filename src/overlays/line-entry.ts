import { parse } from 'yaml';
import {
  applySplices,
  type EditOutcome,
  isFailure,
  needsQuotes,
  renderString,
  type Splice,
} from './cst-edit.js';
import { type FieldLine, type ListItem, readLine, type ScannedList, scanLists } from './yaml/lines.js';
import type { FieldChange } from './list-entry.js';

// The fast path of list-entry.ts for kustomizations the line scanner reads (yaml/lines.ts): one
// scan of the file for every entry edited, splices worked out from it, and a check of only what
// changed (each written value is read back by yaml on its own, and each changed line is scanned
// again). It answers `undefined` whenever the CST path should decide instead: a shape it does not
// handle, or any error, so messages and refusals stay those of one implementation.

export interface EntryEdit {
  readonly name: string;
  readonly changes: readonly FieldChange[];
}

const PRINTABLE = /^[\x20-\x7e]*$/;

function describe(value: string | undefined): string {
  return value ?? '(unset)';
}

/** Source text for a value replacing `old` (keeping its quotes), or undefined to leave it to the CST path. */
function sourceFor(old: FieldLine['value'], value: string | number): string | undefined {
  if (typeof value === 'number') return String(value);
  if (!PRINTABLE.test(value)) return undefined;
  if (old?.style === 'single') return `'${value.replaceAll("'", "''")}'`;
  if (old?.style === 'double' || needsQuotes(value)) return JSON.stringify(value);
  return value;
}

function newSource(value: string | number): string | undefined {
  if (typeof value === 'number') return String(value);
  return PRINTABLE.test(value) ? renderString(value) : undefined;
}

/** True when `source` alone reads back as `value` (a string stays a string, a count a number). */
function readsBack(source: string, value: string | number): boolean {
  try {
    return parse(source) === value;
  } catch {
    return false;
  }
}

function nameOf(item: ListItem): string | undefined {
  return item.fields?.find((f) => f.key === 'name')?.value?.value;
}

/** A whole-number scalar as a number (what yaml reads), else undefined. */
function countOf(field: FieldLine | undefined): number | undefined {
  const v = field?.value;
  return v?.style === 'plain' && /^[0-9]{1,15}$/.test(v.value) ? Number(v.value) : undefined;
}

function lineAfter(text: string, offset: number, lines: readonly string[], eol: string): Splice {
  if (offset === text.length && !text.endsWith('\n')) {
    return { start: offset, end: offset, insert: lines.map((l) => eol + l).join('') };
  }
  return { start: offset, end: offset, insert: lines.map((l) => l + eol).join('') };
}

/** The entries of a list as the scanner read them, or undefined when the CST path must read the file. */
export function scanEntries(text: string, listKey: string): ScannedList | 'absent' | undefined {
  const scan = scanLists(text, [listKey]);
  if (scan === undefined) return undefined;
  const list = scan.lists.get(listKey);
  if (list === undefined) return 'absent';
  if (list === 'other') return undefined;
  return list;
}

/** Applies every edit on one scan; undefined leaves the whole edit to the CST path. */
export function fastUpsert(
  text: string,
  listKey: string,
  edits: readonly EntryEdit[],
): EditOutcome | undefined {
  if (new Set(edits.map((e) => e.name)).size !== edits.length) return undefined;
  // Only the entries edited are kept from the scan: a 10 MB list costs one pass, not 90,000 entries
  // held in memory (which made the garbage collector's work grow faster than the file).
  const names = new Set(edits.map((e) => e.name));
  const scan = scanLists(text, [listKey], (name) => name !== undefined && names.has(name));
  const list = scan?.lists.get(listKey);
  if (scan === undefined || list === undefined || list === 'other' || list.last === undefined)
    return undefined;
  const splices: Splice[] = [];
  const descriptions: string[] = [];
  // Each written value with the whole line it ends up on: both are read back before anything is returned.
  const checks: { source: string; value: string | number; line: string; key: string; column: number }[] = [];
  const appended: string[] = [];
  const last = list.last;
  if (last === undefined) return undefined;
  const keyColumn = last.fields === undefined ? list.dashColumn + 2 : last.keyColumn;

  for (const edit of edits) {
    if (new Set(edit.changes.map((c) => c.field)).size !== edit.changes.length) return undefined;
    const matches = list.items.filter((item) => nameOf(item) === edit.name);
    if (matches.length > 1) return undefined;
    const entry = matches[0];
    if (entry === undefined) {
      const sets = edit.changes.filter((c): c is Extract<FieldChange, { kind: 'set' }> => c.kind === 'set');
      const pairs: { key: string; value: string | undefined }[] = [
        { key: 'name', value: newSource(edit.name) },
        ...sets.map((c) => ({ key: c.field, value: newSource(c.value) })),
      ];
      if (pairs.some((p) => p.value === undefined)) return undefined;
      pairs.forEach((p, i) => {
        const source = p.value as string;
        const line =
          i === 0
            ? `${' '.repeat(list.dashColumn)}-${' '.repeat(Math.max(keyColumn - list.dashColumn - 1, 1))}${p.key}: ${source}`
            : `${' '.repeat(keyColumn)}${p.key}: ${source}`;
        const value = i === 0 ? edit.name : (sets[i - 1]?.value as string | number);
        checks.push({ source, value, line, key: p.key, column: keyColumn });
        appended.push(line);
      });
      descriptions.push(
        `${listKey}: add ${edit.name} (${sets.map((c) => `${c.field} ${String(c.value)}`).join(', ') || 'no fields'})`,
      );
      continue;
    }
    const fields = entry.fields ?? [];
    const added: string[] = [];
    for (const change of edit.changes) {
      const field = fields.find((f) => f.key === change.field);
      if (change.kind === 'remove') {
        if (field === undefined) continue;
        if (field.onDashLine) return undefined;
        if (field.nextLine === text.length && !text.endsWith('\n')) {
          const before = text[field.lineStart - 2] === '\r' ? field.lineStart - 2 : field.lineStart - 1;
          splices.push({ start: before, end: field.nextLine, insert: '' });
        } else {
          splices.push({ start: field.lineStart, end: field.nextLine, insert: '' });
        }
        descriptions.push(`${listKey} ${edit.name}: remove ${change.field} ${describe(field.value?.value)}`);
        continue;
      }
      if (field !== undefined) {
        if (field.value === undefined) return undefined; // `newTag:` with nothing: the CST path places it
        if (typeof change.value === 'number') {
          if (countOf(field) === change.value) continue;
          if (field.value.style === 'plain' && countOf(field) === undefined) return undefined;
        } else if (field.value.value === change.value) continue;
        const source = sourceFor(field.value, change.value);
        if (source === undefined) return undefined;
        splices.push({ start: field.value.start, end: field.value.end, insert: source });
        const lineEnd = text[field.nextLine - 1] === '\n' ? field.nextLine - 1 : field.nextLine;
        const line = (
          text.slice(field.lineStart, field.value.start) +
          source +
          text.slice(field.value.end, lineEnd)
        ).replace(/\r$/, '');
        checks.push({ source, value: change.value, line, key: change.field, column: entry.keyColumn });
      } else {
        const source = newSource(change.value);
        if (source === undefined) return undefined;
        const line = `${' '.repeat(entry.keyColumn)}${change.field}: ${source}`;
        added.push(line);
        checks.push({ source, value: change.value, line, key: change.field, column: entry.keyColumn });
      }
      descriptions.push(
        `${listKey} ${edit.name}: ${change.field} ${describe(field?.value?.value)} -> ${String(change.value)}`,
      );
    }
    if (added.length > 0) {
      if (entry.fields === undefined) return undefined;
      splices.push(lineAfter(text, entry.end, added, scan.eol));
    }
  }
  if (appended.length > 0) splices.push(lineAfter(text, last.end, appended, scan.eol));
  if (splices.length === 0) return { ok: true, text, changed: false, descriptions: [] };
  // Verify only what changed: every written value reads back as itself through yaml, and every
  // written line scans as the key and value meant, in the entry's column.
  for (const check of checks) {
    if (!readsBack(check.source, check.value)) return undefined;
    const read = readLine(check.line);
    if (read?.key !== check.key || read.column !== check.column || read.value?.value !== String(check.value))
      return undefined;
  }
  const after = applySplices(text, splices);
  if (isFailure(after)) return undefined;
  return { ok: true, text: after, changed: after !== text, descriptions };
}
