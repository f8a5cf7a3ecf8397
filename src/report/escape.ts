// Text that came from outside (a comment, a config name, an overlay value, an error message that
// quotes them) shown in a Markdown comment must render as itself: on one line, opening no HTML,
// no link and no @mention. Every reply and report goes through these helpers.

/** Line breaks (CR, LF, the Unicode separators) as one space each; other control characters dropped. */
export function oneLine(text: string): string {
  const spaced = text.replace(/\r\n|[\r\n\u2028\u2029\u0085]/g, ' ');
  return [...spaced].filter((ch) => ch === '\t' || !isControl(ch.charCodeAt(0))).join('');
}

const isControl = (code: number): boolean => code < 0x20 || code === 0x7f;

/** Inline Markdown that renders as the text itself: no HTML, no link, no mention, one line. */
export function escapeMd(text: string): string {
  return oneLine(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([[\]`\\])/g, '\\$1')
    .replace(/@(?=[\w-])/g, '@\u200b');
}

/** A code span holding `text` verbatim on one line, whatever backticks it contains. */
export function escapeInline(text: string): string {
  const flat = oneLine(text);
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || flat === '' ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A fenced code block holding `text` verbatim (a run of backticks inside cannot close it). */
export function codeBlock(text: string, info = ''): string {
  const longest = Math.max(0, ...[...text.matchAll(/`{3,}/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${text}\n${fence}`;
}

/** A table cell: escaped, on one line, and a `|` inside cannot start a new column. */
export function cell(text: string): string {
  return escapeMd(text).replace(/\|/g, '\\|');
}
