// Turn a reference string into a Target plus the tag/digest to use inside it: `oci:PATH` opens an OCI
// layout; anything else a registry (plain HTTP for loopback hosts or with plainHttp, HTTPS otherwise).
import { LayoutTarget } from './layout/layout-target.js';
import { isLoopbackRegistry, parseReference, referenceSelector, type ArtifactReference } from './reference.js';
import type { RegistryCredentials } from './registry/credentials.js';
import { RegistryTarget } from './registry/registry-target.js';
import type { Target } from './target.js';

export interface OpenTargetOptions {
  /** force plain HTTP (default only for localhost / 127.0.0.0/8 / [::1]) */
  plainHttp?: boolean;
  /** registry credentials; default: Docker config lookup (credential helpers, auths) */
  credentials?: RegistryCredentials;
  /** blobs in flight at once inside the registry client */
  concurrency?: number;
}

export interface OpenedTarget {
  target: Target;
  reference: ArtifactReference;
  /** the digest if the reference has one, else its tag, else `latest` */
  selector: string;
}

export function openTarget(ref: string | ArtifactReference, opts: OpenTargetOptions = {}): OpenedTarget {
  const reference = typeof ref === 'string' ? parseReference(ref) : ref;
  const selector = referenceSelector(reference);
  if (reference.kind === 'layout') return { target: new LayoutTarget(reference.path), reference, selector };
  const target = new RegistryTarget({
    registry: reference.registry,
    repository: reference.repository,
    plainHttp: opts.plainHttp === true || isLoopbackRegistry(reference.registry),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
  });
  return { target, reference, selector };
}
