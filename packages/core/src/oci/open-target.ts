// Turn a reference string into a Target plus the tag/digest to use inside it: `oci:PATH` opens an OCI
// layout; anything else a registry (plain HTTP for loopback hosts or with plainHttp, HTTPS otherwise).
import { LayoutTarget } from './layout/layout-target.js';
import {
  DEFAULT_TAG,
  formatReference,
  isLoopbackRegistry,
  parseReference,
  referenceSelector,
  type ArtifactReference,
} from './reference.js';
import type { CredentialSource, RegistryCredentials } from './registry/credentials.js';
import type { NetworkTimeouts } from './registry/http-transport.js';
import { RegistryTarget } from './registry/registry-target.js';
import type { ReadOnlyTarget, Target } from './target.js';

/**
 * How to reach a registry: credentials (default: Docker config files and credential helpers), plain
 * HTTP (default only for loopback hosts), concurrency and network timeouts.
 */
export interface OpenTargetOptions {
  /** force plain HTTP (default only for localhost / 127.0.0.0/8 / [::1]) */
  plainHttp?: boolean;
  /**
   * registry credentials, or a lookup by registry host (e.g. one Docker config file); default: Docker
   * config lookup (credential helpers, auths), then the podman auth file
   */
  credentials?: RegistryCredentials | CredentialSource;
  /** blobs in flight at once inside the registry client */
  concurrency?: number;
  /** registry network limits in ms (connect, headers, idle, per-operation deadline, blob rate); see RegistryTargetOptions */
  timeouts?: Partial<NetworkTimeouts>;
  /** aborts every registry request of the opened target at once (sockets destroyed) */
  signal?: AbortSignal;
  /** distinct referrers of one subject read before TOO_MANY_REFERRERS (default 256) */
  maxReferrers?: number;
}

/** A target with the parsed reference it was opened from. */
export interface OpenedTarget {
  target: Target;
  reference: ArtifactReference;
  /** the digest if the reference has one, else its tag, else `latest` */
  selector: string;
}

/**
 * Open the Target a reference names: an OCI layout for `oci:DIR[:TAG|@DIGEST]`, else a registry
 * repository. Nothing is read until the target is used. Throws BAD_REFERENCE for an unparsable
 * reference.
 */
export function openTarget(ref: string | ArtifactReference, opts: OpenTargetOptions = {}): OpenedTarget {
  const reference = typeof ref === 'string' ? parseReference(ref) : ref;
  const selector = referenceSelector(reference);
  const limits = opts.maxReferrers !== undefined ? { maxReferrers: opts.maxReferrers } : {};
  if (reference.kind === 'layout')
    return { target: new LayoutTarget(reference.path, limits), reference, selector };
  const target = new RegistryTarget({
    registry: reference.registry,
    repository: reference.repository,
    plainHttp: opts.plainHttp === true || isLoopbackRegistry(reference.registry),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
    ...(opts.timeouts ? { timeouts: opts.timeouts } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...limits,
  });
  return { target, reference, selector };
}

/** A target to read from, the tag or digest inside it, and how to name it in messages. */
export interface SourceTarget {
  target: ReadOnlyTarget;
  selector: string;
  /** `registry/repo:tag`, `oci:PATH@sha256:...` */
  shown: string;
}

/**
 * Accept either a reference string or an already opened Target (with `reference` naming the tag
 * or digest in it, default `latest`): what pull and inspect take.
 */
export function openSource(
  ref: string | ReadOnlyTarget,
  opts: OpenTargetOptions & { reference?: string },
): SourceTarget {
  if (typeof ref === 'string') {
    const opened = openTarget(ref, opts);
    return { target: opened.target, selector: opened.selector, shown: formatReference(opened.reference) };
  }
  const selector = opts.reference ?? DEFAULT_TAG;
  return {
    target: ref,
    selector,
    shown: `${ref.location}${selector.startsWith('sha256:') ? '@' : ':'}${selector}`,
  };
}
