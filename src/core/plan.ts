import type { Config } from '../config/schema.js';
import { yamlLimitsOf } from '../config/yaml-limits.js';
import { failureText, isFailure } from '../overlays/cst-edit.js';
import { imagesOf, setImages } from '../overlays/kustomization.js';
import { findKustomization, imageNameOf, overlayDir } from './overlay-paths.js';
import type { FileEdit, Plan, PromotionRequest } from './types.js';

export type PlanOutcome =
  | { readonly ok: true; readonly plan: Plan }
  | { readonly ok: false; readonly reasonCode: string; readonly message: string };

/**
 * The file edits that realise a promotion (pure): each service's image in the target overlay is
 * set to the version by a source-preserving edit. Services sharing a file are edited together.
 */
export function makePlan(
  config: Config,
  request: PromotionRequest,
  files: Readonly<Record<string, string | undefined>>,
): PlanOutcome {
  const changedServices: string[] = [];
  const limits = yamlLimitsOf(config);
  const byPath = new Map<string, { before: string; after: string; descriptions: string[] }>();
  for (const service of request.services) {
    const dir = overlayDir(config, request.environment, service);
    const found = findKustomization(files, dir);
    if (found.kind === 'missing') {
      return {
        ok: false,
        reasonCode: 'plan.no-kustomization',
        message: `${service}: no kustomization.yaml in ${dir} of the GitOps repository; check environments.${request.environment}.path`,
      };
    }
    if (found.kind === 'ambiguous') {
      return {
        ok: false,
        reasonCode: 'plan.ambiguous-kustomization',
        message: `${service}: found several kustomization files in ${dir}: ${found.paths.join(', ')}; keep one`,
      };
    }
    const current = byPath.get(found.path) ?? { before: found.text, after: found.text, descriptions: [] };
    // A promotion updates the image the overlay already pins. Adding an entry that nothing
    // references would commit a change that deploys nothing, so a missing image is an error.
    const image = imageNameOf(config, service);
    const images = imagesOf(current.after, limits);
    if (isFailure(images)) {
      // The real cause (too large, binary, a link, bad YAML) rather than "no image named ...".
      return {
        ok: false,
        reasonCode: `plan.${images.code}`,
        message: `${service}: ${failureText(found.path, images)}`,
      };
    }
    const existing = images.map((i) => i.name);
    if (!existing.includes(image)) {
      return {
        ok: false,
        reasonCode: 'plan.not-found',
        message: `${service}: ${found.path} has no image named ${image}; images: ${existing.join(', ') || '(none)'}. Set services.${service}.image to the name used in the overlay`,
      };
    }
    const edited = setImages(
      current.after,
      [
        {
          name: imageNameOf(config, service),
          ...(request.version.tag !== undefined ? { newTag: request.version.tag } : {}),
          ...(request.version.digest !== undefined ? { digest: request.version.digest } : {}),
        },
      ],
      limits,
    );
    if (!edited.ok)
      return {
        ok: false,
        reasonCode: `plan.${edited.code}`,
        message: `${service}: ${failureText(found.path, edited)}`,
      };
    if (edited.changed) changedServices.push(service);
    byPath.set(found.path, {
      before: current.before,
      after: edited.text,
      descriptions: [...current.descriptions, ...edited.descriptions],
    });
  }
  const edits: FileEdit[] = [...byPath.entries()]
    .filter(([, e]) => e.after !== e.before)
    .map(([path, e]) => ({ path, before: e.before, after: e.after, descriptions: e.descriptions }));
  return { ok: true, plan: { environment: request.environment, edits, changedServices } };
}
