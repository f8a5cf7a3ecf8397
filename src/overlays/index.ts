// The overlay engine's public surface: what the plan, the canary work and the CLI use.

export type { EditFailure, EditOutcome } from './cst-edit.js';
export { formatImageSpec, type ImageSpec, parseImageSpec } from './image-spec.js';
export { type ImageEntry, readImages, setImages } from './kustomization.js';
export {
  parseReplicaSpec,
  readReplicas,
  type ReplicaEntry,
  type ReplicaSpec,
  setReplicas,
} from './replicas.js';
export {
  type OverlayEdit,
  type OverlayInput,
  type OverlayOutcome,
  setOverlayWeight,
} from './traffic/overlay-weight.js';
export { TRAFFIC_KINDS, TRAFFIC_PROVIDERS } from './traffic/registry.js';
export { setWeight, type WeightOptions } from './traffic/set-weight.js';
export type { Backend, Split, TrafficProvider } from './traffic/split.js';
