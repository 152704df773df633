// Turn a reference string into a Target plus the tag/digest to use inside it: `oci:PATH` opens an OCI
// layout; anything else a registry (plain HTTP for loopback hosts or with plainHttp, HTTPS otherwise).
import { LayoutTarget } from './layout/layout-target.js';
import { parseReference, referenceSelector, type ArtifactReference } from './reference.js';
import type { Target } from './target.js';

export interface OpenTargetOptions {
  /** force plain HTTP (default: only for localhost / 127.0.0.0/8 / [::1]) */
  plainHttp?: boolean;
  /** registry credentials; default: Docker config lookup */
  credentials?: { username: string; password: string };
}

export interface OpenedTarget {
  target: Target;
  reference: ArtifactReference;
  /** the digest if the reference has one, else its tag, else `latest` */
  selector: string;
}

export type RegistryTargetFactory = (ref: Extract<ArtifactReference, { kind: 'registry' }>, opts: OpenTargetOptions) => Target;

let registryFactory: RegistryTargetFactory | undefined;

/** Install the registry client (done by oci/registry-target-factory.ts). */
export function setRegistryTargetFactory(f: RegistryTargetFactory): void {
  registryFactory = f;
}

export function openTarget(ref: string | ArtifactReference, opts: OpenTargetOptions = {}): OpenedTarget {
  const reference = typeof ref === 'string' ? parseReference(ref) : ref;
  const selector = referenceSelector(reference);
  if (reference.kind === 'layout') return { target: new LayoutTarget(reference.path), reference, selector };
  if (!registryFactory) throw new Error('registry client is not available in this build');
  return { target: registryFactory(reference, opts), reference, selector };
}
