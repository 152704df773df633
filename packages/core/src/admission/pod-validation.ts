// /validate: a Pod that names a model (annotation) or carries the model volume must run the exact
// verifying init container the webhook adds, pinned by digest, with every other mount of the model
// volume read-only; and the policy must allow that digest (evidence from the registry, cached).
// A denial names the failed check. Audit mode lets a policy denial through with a warning.
import { ModelsealError } from '../errors.js';
import { formatReference, parseReference, type RegistryReference } from '../oci/reference.js';
import type { AdmissionRequest, AdmissionVerdict, KubeObject } from './admission-review.js';
import {
  annotationsOf,
  initContainerArgs,
  INIT_CONTAINER,
  MODEL_ANNOTATION,
  MODEL_VOLUME,
  modelReference,
  pinnedReference,
  specList,
  type InitContainerOptions,
} from './model-pod.js';
import type { ModelVerdicts } from './model-verdicts.js';
import { refusal } from './pod-mutation.js';

const deny = (message: string): AdmissionVerdict => ({ allowed: false, message: `modelseal: ${message}` });

const sameArgs = (a: unknown, b: string[]): boolean =>
  Array.isArray(a) && a.length === b.length && a.every((x, i) => x === b[i]);

/** The registry reference the init container pulls, when it is digest-pinned; else undefined. */
function pulledReference(init: KubeObject): RegistryReference | undefined {
  const args = init.args;
  if (!Array.isArray(args) || typeof args[1] !== 'string') return undefined;
  try {
    const ref = parseReference(args[1]);
    return ref.kind === 'registry' && ref.digest !== undefined && sameArgs(args, initContainerArgs(args[1]))
      ? ref
      : undefined;
  } catch {
    return undefined;
  }
}

/** Why the Pod's shape lets unverified bytes reach a container, or undefined. */
function shapeProblem(pod: KubeObject, opts: InitContainerOptions): string | undefined {
  const inits = specList(pod, 'initContainers');
  const init = inits.find((c) => c.name === INIT_CONTAINER);
  if (!init)
    return `the Pod names a model or carries volume ${MODEL_VOLUME} without the ${INIT_CONTAINER} init container (is the mutating webhook installed for this namespace?)`;
  if (init.image !== opts.image)
    return `init container ${INIT_CONTAINER} runs image ${String(init.image)}, not ${opts.image}`;
  if (!pulledReference(init))
    return `init container ${INIT_CONTAINER} does not run the verifying pull of a digest-pinned reference`;
  const containers = [
    ...inits.filter((c) => c !== init),
    ...specList(pod, 'containers'),
    ...specList(pod, 'ephemeralContainers'),
  ];
  for (const c of containers) {
    const mounts = Array.isArray(c.volumeMounts) ? (c.volumeMounts as KubeObject[]) : [];
    if (mounts.some((m) => m.name === MODEL_VOLUME && m.readOnly !== true))
      return `container ${String(c.name)} mounts volume ${MODEL_VOLUME} writable`;
  }
  return undefined;
}

/**
 * The verdict on `req`'s Pod (allowed for anything that is not a Pod CREATE naming a model or
 * carrying its volume). Fails closed: a registry error or a missed `deadline` is a denial (a
 * warning in audit mode).
 */
export async function validatePod(
  req: AdmissionRequest,
  verdicts: Pick<ModelVerdicts, 'verdict'>,
  opts: InitContainerOptions & { auditMode: boolean },
  deadline: number,
): Promise<AdmissionVerdict> {
  const pod = req.object;
  if (req.kind !== 'Pod' || req.operation !== 'CREATE') return { allowed: true };
  const annotation = annotationsOf(pod)[MODEL_ANNOTATION];
  const hasVolume = specList(pod, 'volumes').some((v) => v.name === MODEL_VOLUME);
  if (annotation === undefined && !hasVolume) return { allowed: true };
  const problem = shapeProblem(pod, opts);
  if (problem) return deny(`pod-shape: ${problem}`);
  const init = specList(pod, 'initContainers').find((c) => c.name === INIT_CONTAINER) as KubeObject;
  const pulled = pulledReference(init) as RegistryReference;
  const digest = pulled.digest as string;
  const pinned = pinnedReference(pulled, digest);
  try {
    if (annotation !== undefined) {
      const named = modelReference(annotation);
      if (named.registry !== pulled.registry || named.repository !== pulled.repository)
        return deny(
          `pod-shape: the init container pulls ${pinned}, but the Pod names ${formatReference(named)}`,
        );
      if (named.digest !== undefined && named.digest !== digest)
        return deny(`pod-shape: the init container pulls ${digest}, but the Pod names ${named.digest}`);
    }
    const result = await verdicts.verdict(pulled, digest, deadline);
    if (result.allowed) return { allowed: true };
    const failed = result.checks.filter((c) => !c.passed);
    const why = failed.map((c) => `${c.name}: ${c.reason}`).join('; ');
    const message = `policy ${result.policy.name} denies ${pinned}: ${why}`;
    if (!opts.auditMode) return deny(message);
    return { allowed: true, warnings: [`modelseal (audit mode): ${message}`] };
  } catch (e) {
    const message = refusal(e);
    if (opts.auditMode && e instanceof ModelsealError && e.code !== 'BAD_REFERENCE')
      return { allowed: true, warnings: [`${message} (audit mode: admitted)`] };
    return { allowed: false, message };
  }
}
