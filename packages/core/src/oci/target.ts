// The storage contract shared by a remote registry, an OCI image layout on disk, a packed model
// directory and a pull's staging directory (the oras-go idea): push, pull and copy are one `copy`
// from a ReadOnlyTarget into a Target.

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

/**
 * What can be read from a store of OCI content (oras-go's `ReadOnlyTarget`): a registry repository,
 * an OCI layout, a packed model directory. Everything it hands out must be verified by the reader
 * (`fetchVerifiedManifest`, `VerifyingTap`).
 */
export interface ReadOnlyTarget {
  /** Human-readable location ("127.0.0.1:5000/ns/model", "oci:/path/layout"). */
  readonly location: string;
  /** Resolve a tag or digest reference to the manifest descriptor. Throws NOT_FOUND, BAD_REFERENCE. */
  resolve(reference: string): Promise<Descriptor>;
  /** Stream a blob or manifest. The consumer must verify the digest (see `VerifyingTap`). */
  fetch(desc: Descriptor): Promise<Readable>;
  /** Whether the target holds `desc` (digest and size). */
  exists(desc: Descriptor): Promise<boolean>;
  /** Manifests whose `subject` is `subject`, optionally filtered by artifactType. */
  referrers(subject: Descriptor, artifactType?: string): Promise<Descriptor[]>;
}

/** A `ReadOnlyTarget` that can also be written: what `copy` copies into. */
export interface Target extends ReadOnlyTarget {
  /** Push a blob or manifest. Manifests are recognised by media type. The digest is checked while pushing. */
  push(desc: Descriptor, content: BlobSource): Promise<void>;
  /** Point `tag` at an existing manifest. */
  tag(desc: Descriptor, tag: string): Promise<void>;
}

/**
 * Optional capability (oras-go's `Mounter`): a target that can take a blob from `source` without
 * moving its bytes (a cross-repository mount on one registry). Found with `isMounter`.
 */
export interface Mounter {
  /** True when the blob is now present without uploading; false when the caller must copy it. */
  mount(desc: Descriptor, source: ReadOnlyTarget): Promise<boolean>;
}

/** Whether `target` offers the `Mounter` capability. */
export function isMounter<T extends object>(target: T): target is T & Mounter {
  return typeof (target as Partial<Mounter>).mount === 'function';
}

/** OCI media types modelseal writes and reads (image manifest, index, empty config). */
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
