// The storage contract shared by a remote registry and an OCI image layout on disk (the oras-go idea):
// push, pull and copy are one `copy` between two Targets.

import type { Readable } from 'node:stream';

/** An OCI content descriptor. */
export interface Descriptor {
  mediaType: string;
  digest: string; // "sha256:<hex>"
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  urls?: string[];
  platform?: Record<string, unknown>;
}

/** Bytes to push: a small in-memory blob (manifests, configs) or a stream factory for big blobs. */
export type BlobSource =
  | { kind: 'bytes'; bytes: Uint8Array }
  /** `open` may be called again on retry; it must return the same bytes each time. */
  | { kind: 'stream'; open: () => Readable };

export interface Target {
  /** Human-readable location ("127.0.0.1:5000/ns/model", "oci:/path/layout"). */
  readonly location: string;
  /** Resolve a tag or digest reference to the manifest descriptor. */
  resolve(reference: string): Promise<Descriptor>;
  /** Stream a blob or manifest. The consumer must verify the digest (see `verifyingStream`). */
  fetch(desc: Descriptor): Promise<Readable>;
  /** Fetch a manifest's exact bytes (bounded to 4 MiB). */
  fetchManifest(reference: string | Descriptor): Promise<{ descriptor: Descriptor; bytes: Buffer }>;
  exists(desc: Descriptor): Promise<boolean>;
  /** Push a blob or manifest. Manifests are recognised by media type. The digest is checked while pushing. */
  push(desc: Descriptor, content: BlobSource): Promise<void>;
  /** Point `tag` at an existing manifest. */
  tag(desc: Descriptor, tag: string): Promise<void>;
  /** Manifests whose `subject` is `subject`, optionally filtered by artifactType. */
  referrers(subject: Descriptor, artifactType?: string): Promise<Descriptor[]>;
}

export const MediaTypes = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  sigstoreBundleV03: 'application/vnd.dev.sigstore.bundle.v0.3+json',
} as const;

export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  MediaTypes.ociManifest,
  MediaTypes.ociIndex,
  MediaTypes.dockerManifest,
  MediaTypes.dockerManifestList,
];

/** Registries and our layouts refuse manifests above this size. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
