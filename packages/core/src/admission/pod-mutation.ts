// /mutate: a Pod annotated `modelseal.dev/model: REF` gets the verifying init container (first),
// its volumes, the read-only model mount in every container and the digest annotation, as JSONPatch
// `add` operations. The reference is resolved to a digest here, so every replica pulls the same bytes.
import { ModelsealError } from '../errors.js';
import type {
  AdmissionRequest,
  AdmissionVerdict,
  JsonPatchOperation,
  KubeObject,
} from './admission-review.js';
import {
  annotationsOf,
  DIGEST_ANNOTATION,
  initContainer,
  INIT_CONTAINER,
  MODEL_ANNOTATION,
  modelMount,
  modelReference,
  modelVolumes,
  mountPathOf,
  pinnedReference,
  specList,
  type InitContainerOptions,
} from './model-pod.js';
import type { ModelVerdicts } from './model-verdicts.js';

/** A JSON Pointer segment (RFC 6901). */
const pointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** `add` operations appending `items` to the list at `path` (creating it when absent). */
function append(path: string, present: boolean, items: unknown[]): JsonPatchOperation[] {
  if (!present) return [{ op: 'add', path, value: items }];
  return items.map((value) => ({ op: 'add', path: `${path}/-`, value }));
}

/**
 * The patch for `req`'s Pod, or an allowed verdict without patch when it has no model annotation
 * (or already has the init container). Refuses (allowed false, message naming the problem) an
 * unusable annotation, volume names the webhook needs that are taken, and a reference that cannot
 * be resolved before `deadline`: fail closed.
 */
export async function mutatePod(
  req: AdmissionRequest,
  verdicts: Pick<ModelVerdicts, 'resolve'>,
  opts: InitContainerOptions,
  deadline: number,
): Promise<AdmissionVerdict> {
  const pod = req.object;
  const annotation = annotationsOf(pod)[MODEL_ANNOTATION];
  if (req.kind !== 'Pod' || req.operation !== 'CREATE' || annotation === undefined) return { allowed: true };
  const inits = specList(pod, 'initContainers');
  if (inits.some((c) => c.name === INIT_CONTAINER)) return { allowed: true };
  try {
    const ref = modelReference(annotation);
    const mountPath = mountPathOf(pod);
    const volumes = modelVolumes(opts);
    const taken = specList(pod, 'volumes').filter((v) => volumes.some((w) => w.name === v.name));
    if (taken.length > 0)
      throw new ModelsealError('USAGE', `the Pod already has a volume named ${String(taken[0].name)}`);
    const digest = await verdicts.resolve(ref, deadline);
    const pinned = pinnedReference(ref, digest);
    const spec = (pod.spec ?? {}) as KubeObject;
    const patch: JsonPatchOperation[] = [];
    patch.push(
      inits.length === 0
        ? { op: 'add', path: '/spec/initContainers', value: [initContainer(pinned, opts)] }
        : { op: 'add', path: '/spec/initContainers/0', value: initContainer(pinned, opts) },
    );
    patch.push(...append('/spec/volumes', Array.isArray(spec.volumes), volumes));
    specList(pod, 'containers').forEach((c, i) => {
      patch.push(
        ...append(`/spec/containers/${i}/volumeMounts`, Array.isArray(c.volumeMounts), [
          modelMount(mountPath),
        ]),
      );
    });
    patch.push({ op: 'add', path: `/metadata/annotations/${pointer(DIGEST_ANNOTATION)}`, value: digest });
    return { allowed: true, patch };
  } catch (e) {
    return { allowed: false, message: refusal(e) };
  }
}

/** `modelseal: CODE: message` for a typed error; other errors are not expected and are rethrown. */
export function refusal(e: unknown): string {
  if (e instanceof ModelsealError) return `modelseal: ${e.code}: ${e.message}`;
  throw e;
}
