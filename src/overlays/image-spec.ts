import { type EditFailure, fail } from './cst-edit.js';

// kustomize's `edit set image` argument syntax: `name=newName:tag@digest`, `name:tag`, `name@digest`,
// with `*` for a field that keeps its current value.

/** `*`: keep whatever the entry has. */
export const KEEP = '*';

export interface ImageSpec {
  /** The image name as it appears in the manifests (kustomize `name`). */
  readonly name: string;
  /** A value, or `*` to keep the current one. Absent: keep as well (kustomize would drop it). */
  readonly newName?: string;
  readonly newTag?: string;
  readonly digest?: string;
}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[A-Za-z0-9=_-]+$/;

/** Splits `ref[:tag][@digest]`; a colon before the last slash belongs to a registry port. */
function splitRef(ref: string): { image: string; tag?: string; digest?: string } {
  const at = ref.indexOf('@');
  const digest = at === -1 ? undefined : ref.slice(at + 1);
  const rest = at === -1 ? ref : ref.slice(0, at);
  const colon = rest.lastIndexOf(':');
  const tag = colon > rest.lastIndexOf('/') ? rest.slice(colon + 1) : undefined;
  const image = tag === undefined ? rest : rest.slice(0, colon);
  return { image, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

export function parseImageSpec(arg: string): ImageSpec | EditFailure {
  const usage = 'expected name=newName:tag@digest, name:tag or name@digest (* keeps a field)';
  if (arg.trim() !== arg || arg === '' || /\s/.test(arg)) {
    return fail('invalid-spec', `image spec ${JSON.stringify(arg)} is empty or holds spaces; ${usage}`);
  }
  const eq = arg.indexOf('=');
  let spec: ImageSpec;
  if (eq === -1) {
    const { image, tag, digest } = splitRef(arg);
    spec = {
      name: image,
      ...(tag === undefined ? {} : { newTag: tag }),
      ...(digest === undefined ? {} : { digest }),
    };
  } else {
    const name = arg.slice(0, eq);
    const { image, tag, digest } = splitRef(arg.slice(eq + 1));
    spec = {
      name,
      ...(image === '' ? {} : { newName: image }),
      ...(tag === undefined ? {} : { newTag: tag }),
      ...(digest === undefined ? {} : { digest }),
    };
  }
  if (spec.name === '' || spec.name === KEEP || spec.name.includes('=')) {
    return fail('invalid-spec', `image spec ${JSON.stringify(arg)} names no image; ${usage}`);
  }
  if (spec.newTag !== undefined && spec.newTag !== KEEP && !TAG.test(spec.newTag)) {
    return fail(
      'invalid-spec',
      `image spec ${JSON.stringify(arg)}: tag ${JSON.stringify(spec.newTag)} is not a valid tag (letters, digits, _ . -; up to 128)`,
    );
  }
  if (spec.digest !== undefined && spec.digest !== KEEP && !DIGEST.test(spec.digest)) {
    return fail(
      'invalid-spec',
      `image spec ${JSON.stringify(arg)}: digest ${JSON.stringify(spec.digest)} is not algorithm:hex (e.g. sha256:4f3c...)`,
    );
  }
  if (spec.newName === undefined && spec.newTag === undefined && spec.digest === undefined) {
    return fail('invalid-spec', `image spec ${JSON.stringify(arg)} changes nothing; ${usage}`);
  }
  return spec;
}

/** Formats a spec back into kustomize syntax (for messages and commit descriptions). */
export function formatImageSpec(spec: ImageSpec): string {
  const right = `${spec.newName ?? ''}${spec.newTag === undefined ? '' : `:${spec.newTag}`}${spec.digest === undefined ? '' : `@${spec.digest}`}`;
  return spec.newName === undefined ? `${spec.name}${right}` : `${spec.name}=${right}`;
}
