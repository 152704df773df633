// What the webhook adds to a Pod annotated `modelseal.dev/model: REF`: the names, paths and the
// exact verifying init container. The mutating side adds it, the validating side compares with it.
import { ModelsealError } from '../errors.js';
import { isJsonObject } from '../json-object.js';
import { formatReference, parseReference, type RegistryReference } from '../oci/reference.js';
import type { KubeObject } from './admission-review.js';

/** The annotation naming the model a Pod needs (a registry reference, tag or digest). */
export const MODEL_ANNOTATION = 'modelseal.dev/model';
/** Where the verified model directory appears in the Pod's containers; default DEFAULT_MOUNT_PATH. */
export const MOUNT_PATH_ANNOTATION = 'modelseal.dev/mount-path';
/** Set by the webhook: the manifest digest the reference was resolved to at admission. */
export const DIGEST_ANNOTATION = 'modelseal.dev/digest';
/** Default of MOUNT_PATH_ANNOTATION. */
export const DEFAULT_MOUNT_PATH = '/models/model';
/** The name of the verifying init container the webhook adds. */
export const INIT_CONTAINER = 'modelseal';
/** The emptyDir the verified model lands in (`model/`, mounted read-only into the containers). */
export const MODEL_VOLUME = 'modelseal-model';
const TMP_VOLUME = 'modelseal-tmp';
const POLICY_VOLUME = 'modelseal-policy';
const REGISTRY_VOLUME = 'modelseal-registry';

/** How the init container is made: its image and where its policy and credentials come from. */
export interface InitContainerOptions {
  /** The modelseal image, pinned by digest in production. */
  image: string;
  /** ConfigMap (in the Pod's namespace) holding `policy.yaml`. Default `modelseal-policy`. */
  policyConfigMap?: string;
  /** Secret of type kubernetes.io/dockerconfigjson for the registry; none by default. */
  registrySecret?: string;
}

const MODEL_ROOT = '/modelseal';
const POLICY_DIR = '/etc/modelseal';
const REGISTRY_DIR = '/var/run/secrets/modelseal/registry';

const hardened = {
  runAsNonRoot: true,
  runAsUser: 65532,
  runAsGroup: 65532,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  privileged: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

/** The Pod's annotations (empty when none). */
export function annotationsOf(pod: KubeObject): Record<string, unknown> {
  const meta = pod.metadata;
  return isJsonObject(meta) && isJsonObject(meta.annotations) ? meta.annotations : {};
}

/** `spec[field]` as a list of objects (empty when absent). */
export function specList(pod: KubeObject, field: string): KubeObject[] {
  const spec = pod.spec;
  const list = isJsonObject(spec) ? spec[field] : undefined;
  return Array.isArray(list) ? list.filter(isJsonObject) : [];
}

/**
 * The annotation's value as a registry reference. Throws BAD_REFERENCE for an unparsable one or
 * an `oci:` layout (the webhook must never read files of its own host on a Pod's behalf).
 */
export function modelReference(value: unknown): RegistryReference {
  if (typeof value !== 'string')
    throw new ModelsealError('BAD_REFERENCE', `annotation ${MODEL_ANNOTATION} must be a string`);
  const ref = parseReference(value.trim());
  if (ref.kind !== 'registry')
    throw new ModelsealError(
      'BAD_REFERENCE',
      `annotation ${MODEL_ANNOTATION}: '${value}' is not a registry reference (oci: layouts are not allowed)`,
    );
  return ref;
}

/** The reference pinned to `digest`, as the init container pulls it. */
export function pinnedReference(ref: RegistryReference, digest: string): string {
  return formatReference(ref, digest);
}

/**
 * The mount path annotation's value, checked: absolute, no `..` or empty segments, not `/`.
 * Throws USAGE otherwise. Default DEFAULT_MOUNT_PATH.
 */
export function mountPathOf(pod: KubeObject): string {
  const value = annotationsOf(pod)[MOUNT_PATH_ANNOTATION] ?? DEFAULT_MOUNT_PATH;
  const ok =
    typeof value === 'string' &&
    /^\/[^\0]+$/.test(value) &&
    !value
      .split('/')
      .slice(1)
      .some((s) => s === '' || s === '.' || s === '..');
  if (!ok)
    throw new ModelsealError(
      'USAGE',
      `annotation ${MOUNT_PATH_ANNOTATION} must be an absolute path without '..', got ${JSON.stringify(value)}`,
    );
  return value;
}

/** The init container's arguments for `pinned` (what validation compares with). */
export function initContainerArgs(pinned: string): string[] {
  return [
    'pull',
    pinned,
    `${MODEL_ROOT}/model`,
    '--policy',
    `${POLICY_DIR}/policy.yaml`,
    '--result',
    `${MODEL_ROOT}/result.json`,
  ];
}

/** The verifying init container for `pinned`, hardened like deploy/kubernetes/deployment.yaml. */
export function initContainer(pinned: string, opts: InitContainerOptions): KubeObject {
  const mounts: KubeObject[] = [
    { name: MODEL_VOLUME, mountPath: MODEL_ROOT },
    { name: TMP_VOLUME, mountPath: '/tmp' },
    { name: POLICY_VOLUME, mountPath: POLICY_DIR, readOnly: true },
  ];
  const env: KubeObject[] = [{ name: 'TMPDIR', value: '/tmp' }];
  if (opts.registrySecret !== undefined) {
    mounts.push({ name: REGISTRY_VOLUME, mountPath: REGISTRY_DIR, readOnly: true });
    env.push({ name: 'DOCKER_CONFIG', value: REGISTRY_DIR });
  }
  return {
    name: INIT_CONTAINER,
    image: opts.image,
    imagePullPolicy: 'IfNotPresent',
    args: initContainerArgs(pinned),
    env,
    securityContext: hardened,
    resources: { requests: { cpu: '1', memory: '256Mi' }, limits: { memory: '512Mi' } },
    volumeMounts: mounts,
  };
}

/** The volumes the init container needs. */
export function modelVolumes(opts: InitContainerOptions): KubeObject[] {
  const volumes: KubeObject[] = [
    { name: MODEL_VOLUME, emptyDir: {} },
    { name: TMP_VOLUME, emptyDir: { sizeLimit: '1Gi' } },
    { name: POLICY_VOLUME, configMap: { name: opts.policyConfigMap ?? 'modelseal-policy' } },
  ];
  if (opts.registrySecret !== undefined)
    volumes.push({
      name: REGISTRY_VOLUME,
      secret: {
        secretName: opts.registrySecret,
        items: [{ key: '.dockerconfigjson', path: 'config.json' }],
      },
    });
  return volumes;
}

/** The read-only mount of the verified model directory in an application container. */
export function modelMount(mountPath: string): KubeObject {
  return { name: MODEL_VOLUME, mountPath, subPath: 'model', readOnly: true };
}
