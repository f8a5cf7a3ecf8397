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
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-f0-9]{32,}$/;
/** Digest lengths the OCI spec fixes for its registered algorithms. */
const DIGEST_HEX: Readonly<Record<string, number>> = { sha256: 64, sha512: 128 };
/** An image name: registry (with an optional :port), path components; no tag, no spaces or shell characters. */
const IMAGE_NAME = /^(?=[A-Za-z0-9])(?:[A-Za-z0-9._/-]|:[0-9]+(?=\/))+$/;

/** Why a digest is not one, or undefined for a good one. */
export function digestProblem(digest: string): string | undefined {
  const [algorithm = '', hex = ''] = digest.split(':', 2);
  const length = DIGEST_HEX[algorithm];
  if (!DIGEST.test(digest) || (length !== undefined && hex.length !== length)) {
    return `digest ${JSON.stringify(digest)} is not algorithm:hex, e.g. sha256: and 64 lowercase hex digits`;
  }
  return undefined;
}

/** Why an image name cannot be one, or undefined for a good one. */
export function imageNameProblem(name: string): string | undefined {
  return IMAGE_NAME.test(name)
    ? undefined
    : `image name ${JSON.stringify(name)} holds characters no image name can; use letters, digits, ".", "_", "-", "/" and a registry :port, e.g. ghcr.io/acme/checkout`;
}

/**
 * Splits `ref[:tag][@digest]`. A colon before the last slash belongs to a registry port when digits
 * follow it up to the slash; otherwise what follows is a tag (and `web:../../x` a bad one, not a name).
 */
function splitRef(ref: string): { image: string; tag?: string; digest?: string } {
  const at = ref.indexOf('@');
  const digest = at === -1 ? undefined : ref.slice(at + 1);
  const rest = at === -1 ? ref : ref.slice(0, at);
  let colon = rest.lastIndexOf(':');
  if (colon !== -1 && colon < rest.lastIndexOf('/') && /^[^/:]+:[0-9]+\//.test(rest)) colon = -1;
  else if (colon !== -1 && colon < rest.lastIndexOf('/')) colon = rest.indexOf(':');
  const tag = colon === -1 ? undefined : rest.slice(colon + 1);
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
  for (const image of [spec.name, spec.newName]) {
    const bad = image === undefined || image === KEEP ? undefined : imageNameProblem(image);
    if (bad !== undefined) return fail('invalid-spec', `image spec ${JSON.stringify(arg)}: ${bad}`);
  }
  if (spec.newTag !== undefined && spec.newTag !== KEEP && !TAG.test(spec.newTag)) {
    return fail(
      'invalid-spec',
      `image spec ${JSON.stringify(arg)}: tag ${JSON.stringify(spec.newTag)} is not a valid tag (letters, digits, _ . -; up to 128)`,
    );
  }
  const badDigest =
    spec.digest === undefined || spec.digest === KEEP ? undefined : digestProblem(spec.digest);
  if (badDigest !== undefined) return fail('invalid-spec', `image spec ${JSON.stringify(arg)}: ${badDigest}`);
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
