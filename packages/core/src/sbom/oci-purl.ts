// The package URL of a stored model artifact, as the purl spec's `oci` type defines it: the name is the
// repository's last path segment (lowercased), the version the manifest digest, `repository_url` the
// registry and repository, `tag` the tag the reference named. An OCI layout is a local directory, not a
// repository anyone else can fetch from: its purl carries no `repository_url` (and no local path).
import { PackageURL } from 'packageurl-js';
import type { ArtifactReference } from '../oci/reference.js';

/**
 * `pkg:oci/NAME@sha256:HEX?repository_url=REGISTRY/REPOSITORY&tag=TAG` for the manifest `digest` that
 * `reference` resolved to (`tag` only when the reference named one; `repository_url` only for a
 * registry). `name` is the OMS subject name, used as written for a layout. Never throws for a parsed
 * reference and a `sha256:` digest.
 */
export function ociPurl(reference: ArtifactReference, name: string, digest: string): string {
  const qualifiers: Record<string, string> = {};
  if (reference.kind === 'registry')
    qualifiers.repository_url = `${reference.registry}/${reference.repository}`;
  if (reference.tag !== undefined) qualifiers.tag = reference.tag;
  return new PackageURL('oci', undefined, name.toLowerCase(), digest, qualifiers, undefined).toString();
}
