// Parse artifact references: `registry[:port]/ns/model[:tag][@sha256:...]` and `oci:PATH[:TAG|@sha256:...]`.
// The registry host is always explicit: short names (`ns/model`, `model:v1`) are refused with the full
// reference suggested, never sent to Docker Hub. `docker.io/model` means `registry-1.docker.io/library/model`.
import { ModelsealError } from '../errors.js';
import { isSha256Digest } from './digest.js';

/** A registry reference: registry host, repository, and a tag or digest. */
export interface RegistryReference {
  kind: 'registry';
  /** API host[:port], e.g. `127.0.0.1:5000` or `registry-1.docker.io` */
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/** An OCI image layout reference `oci:DIR[:TAG|@DIGEST]`. */
export interface LayoutReference {
  kind: 'layout';
  /** OCI image layout directory, as written (relative paths stay relative) */
  path: string;
  tag?: string;
  digest?: string;
}

/** A parsed reference: a registry repository or an OCI layout directory, with a tag or a digest. */
export type ArtifactReference = RegistryReference | LayoutReference;

/** The tag a reference without tag or digest means. */
export const DEFAULT_TAG = 'latest';
const DOCKER_HUB = 'registry-1.docker.io';
/** An OCI tag (distribution spec grammar). */
export const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
/** An OCI repository name: lowercase path components joined by '/'. */
export const REPOSITORY =
  /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/;

function bad(ref: string, why: string): ModelsealError {
  return new ModelsealError('BAD_REFERENCE', `invalid reference '${ref}': ${why}`);
}

function splitDigest(ref: string, body: string): { rest: string; digest?: string } {
  const at = body.lastIndexOf('@');
  if (at < 0) return { rest: body };
  const digest = body.slice(at + 1);
  if (!isSha256Digest(digest))
    throw bad(ref, `'${digest}' is not a sha256 digest (sha256: + 64 lowercase hex)`);
  return { rest: body.slice(0, at), digest };
}

/** Short names are refused (no implicit Docker Hub), suggesting the reference the user likely meant. */
function noRegistryHost(ref: string, name: string, rest: string): ModelsealError {
  const first = name.split('/')[0];
  if (!name.includes('/') && (first.includes('.') || first === 'localhost'))
    return bad(ref, `'${rest}' is a registry without a repository; write ${rest}/REPOSITORY[:TAG]`);
  const hub = `docker.io/${name.includes('/') ? '' : 'library/'}${ref}`;
  return bad(
    ref,
    `no registry host (modelseal never assumes Docker Hub); write the full reference, e.g. ${hub} or localhost:5000/${ref}`,
  );
}

/**
 * Parse a reference string. The registry host must be explicit (`host[:port]/repository`, or
 * `docker.io/...` for Docker Hub). Throws 'BAD_REFERENCE' with the reason and, for a short name,
 * the likely intended full reference.
 */
export function parseReference(ref: string): ArtifactReference {
  if (typeof ref !== 'string' || ref.trim() === '') throw bad(String(ref), 'empty');
  if (/[\s\0]/.test(ref)) throw bad(ref, 'contains whitespace or NUL');
  if (ref.startsWith('oci:')) return parseLayout(ref);
  if (/^[a-z]+:\/\//i.test(ref)) throw bad(ref, 'drop the URL scheme (use host[:port]/repository[:tag])');
  const { rest, digest } = splitDigest(ref, ref);
  let name = rest;
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    name = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad(ref, `tag '${tag}' must match [A-Za-z0-9_][A-Za-z0-9._-]{0,127}`);
  }
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  let registry: string;
  let repository: string;
  if (
    slash > 0 &&
    (first.includes('.') || first.includes(':') || first.startsWith('[') || first === 'localhost')
  ) {
    registry = first;
    repository = name.slice(slash + 1);
    if (!HOST.test(registry)) throw bad(ref, `'${registry}' is not a valid registry host[:port]`);
  } else {
    throw noRegistryHost(ref, name, rest);
  }
  if (registry === 'docker.io' || registry === 'index.docker.io') registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && repository !== '' && !repository.includes('/'))
    repository = `library/${repository}`;
  if (repository === '') throw bad(ref, 'missing repository name');
  if (!REPOSITORY.test(repository)) {
    throw bad(
      ref,
      `repository '${repository}' must be lowercase path components of [a-z0-9] joined by '.', '_', '__' or '-'`,
    );
  }
  if (registry.length + 1 + repository.length > 255)
    throw bad(ref, 'registry + repository longer than 255 characters');
  return { kind: 'registry', registry, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

function parseLayout(ref: string): LayoutReference {
  const { rest, digest } = splitDigest(ref, ref.slice('oci:'.length));
  let path = rest;
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0 && colon > rest.lastIndexOf('/')) {
    const candidate = rest.slice(colon + 1);
    if (!TAG.test(candidate))
      throw bad(ref, `tag '${candidate}' must match [A-Za-z0-9_][A-Za-z0-9._-]{0,127}`);
    tag = candidate;
    path = rest.slice(0, colon);
  }
  if (path === '') throw bad(ref, 'missing layout directory after oci:');
  return { kind: 'layout', path, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** What to resolve inside the repository/layout: the digest if given, else the tag, else `latest`. */
export function referenceSelector(ref: ArtifactReference): string {
  return ref.digest ?? ref.tag ?? DEFAULT_TAG;
}

/** The repository/layout part without tag or digest: `host/ns/model` or `oci:PATH`. */
export function referenceLocation(ref: ArtifactReference): string {
  return ref.kind === 'layout' ? `oci:${ref.path}` : `${ref.registry}/${ref.repository}`;
}

/** Format a reference, optionally pinned to a digest (`host/ns/model:tag@sha256:...`). */
export function formatReference(ref: ArtifactReference, pinDigest?: string): string {
  const digest = pinDigest ?? ref.digest;
  return `${referenceLocation(ref)}${ref.tag ? `:${ref.tag}` : ''}${digest ? `@${digest}` : ''}`;
}

/** Registries reached over plain HTTP by default: loopback only. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith('[')
    ? registry.slice(0, registry.indexOf(']') + 1)
    : registry.split(':')[0];
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
