// /validate: a Pod that names a model (annotation) or carries the model volume must run the exact
// verifying init container the webhook adds, pinned by digest, with every other mount of the model
// volume read-only; and the policy must allow that digest (evidence from the registry, cached).
// A denial names the failed check. Audit mode lets a policy denial through with a warning.
import { ModelsealError } from '../errors.js';
import { formatReference, parseReference, type RegistryReference } from '../oci/reference.js';
import type { AdmissionRequest, AdmissionVerdict, KubeObject } from './admission-review.js';
import {
  annotationsOf,
  initContainer,
  initContainerArgs,
  INIT_CONTAINER,
  MODEL_ANNOTATION,
  MODEL_VOLUME,
  modelReference,
  modelVolumes,
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

/** A volume without its name: the source fields (configMap, secret, emptyDir, ...). */
const sourceOf = (v: KubeObject): KubeObject =>
  Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'name'));

const sourceKeys = (v: KubeObject): string[] => Object.keys(sourceOf(v)).sort();

/**
 * Whether a Pod volume has the source the webhook gives it: an emptyDir for the model and tmp, the
 * policy ConfigMap and registry Secret by name with the same items (no key remapped onto
 * policy.yaml). Fields the API server defaults (defaultMode, sizeLimit, medium) are not compared.
 */
function sameSource(got: KubeObject, want: KubeObject): boolean {
  if (JSON.stringify(sourceKeys(got)) !== JSON.stringify(sourceKeys(want))) return false;
  const g = (got.configMap ?? got.secret ?? got.emptyDir) as KubeObject | undefined;
  const w = (want.configMap ?? want.secret ?? want.emptyDir) as KubeObject;
  if (typeof g !== 'object' || g === null) return false;
  return (
    g.name === w.name && g.secretName === w.secretName && JSON.stringify(g.items) === JSON.stringify(w.items)
  );
}

/** The mount fields that decide what the init container reads and where it writes. */
const mountShape = (m: KubeObject): string =>
  JSON.stringify([m.name, m.mountPath, m.readOnly === true, m.subPath, m.subPathExpr]);

/** Why the init container or its volumes differ from what the webhook adds, or undefined. */
function initProblem(init: KubeObject, pod: KubeObject, opts: InitContainerOptions): string | undefined {
  const want = initContainer(String((init.args as string[])[1]), opts);
  if (init.command !== undefined || init.envFrom !== undefined)
    return `init container ${INIT_CONTAINER} overrides its command or environment`;
  if (JSON.stringify(init.env ?? []) !== JSON.stringify(want.env))
    return `init container ${INIT_CONTAINER} has another environment than the webhook gives it`;
  const mounts = Array.isArray(init.volumeMounts) ? (init.volumeMounts as KubeObject[]) : [];
  const wantMounts = want.volumeMounts as KubeObject[];
  if (JSON.stringify(mounts.map(mountShape).sort()) !== JSON.stringify(wantMounts.map(mountShape).sort()))
    return `init container ${INIT_CONTAINER} mounts other volumes than the webhook gives it`;
  const volumes = specList(pod, 'volumes');
  for (const w of modelVolumes(opts)) {
    const got = volumes.filter((v) => v.name === w.name);
    if (got.length !== 1 || !sameSource(got[0], w))
      return `volume ${String(w.name)} does not have the source the webhook gives it (${JSON.stringify(sourceOf(w))})`;
  }
  return undefined;
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
  const initShape = initProblem(init, pod, opts);
  if (initShape) return initShape;
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
