import { type Document, isAlias, isCollection, isScalar, type Node, type Scalar, visit } from 'yaml';

// Reading values and anchors off the composed document.

/** True when some alias in the document refers to the anchor on `node`: editing it would change them too. */
export function isAliased(doc: Document.Parsed, node: Node): boolean {
  const anchor = (node as Scalar).anchor;
  if (anchor === undefined) return false;
  let used = false;
  visit(doc, {
    Alias(_, alias) {
      if (alias.source === anchor) {
        used = true;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return used;
}

/**
 * The value of a scalar or an alias to one, as a string field reads it (kustomize's images and
 * names are strings): the scalar's source text, so an unquoted `newTag: 1.10` is "1.10", not the
 * number 1.1. Undefined for null and anything that is not a scalar.
 */
export function scalarString(doc: Document.Parsed, node: unknown): string | undefined {
  const resolved = isAlias(node) ? node.resolve(doc) : node;
  if (!isScalar(resolved) || resolved.value === null || resolved.value === undefined) return undefined;
  if (isCollection(resolved.value)) return undefined;
  return typeof resolved.source === 'string' ? resolved.source : String(resolved.value);
}
