// @modelseal/core/admission: the Kubernetes admission webhook (validate + mutate) for Pods that
// name a model, built on the policy's evidence read from the registry.
export {
  createAdmissionServer,
  type AdmissionServerOptions,
  type ReviewLogEntry,
} from './admission-server.js';
export {
  parseAdmissionReview,
  reviewResponse,
  MAX_REVIEW_BYTES,
  type AdmissionRequest,
  type AdmissionVerdict,
  type JsonPatchOperation,
  type KubeObject,
} from './admission-review.js';
export {
  MODEL_ANNOTATION,
  MOUNT_PATH_ANNOTATION,
  DIGEST_ANNOTATION,
  DEFAULT_MOUNT_PATH,
  INIT_CONTAINER,
  MODEL_VOLUME,
  type InitContainerOptions,
} from './model-pod.js';
export { modelVerdicts, type ModelVerdicts, type ModelVerdictsOptions } from './model-verdicts.js';
export { mutatePod } from './pod-mutation.js';
export { validatePod } from './pod-validation.js';
