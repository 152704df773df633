// pushModelFollowing: `push DIR REF --follow`. Follow the directory while it is written and upload
// each file's blob as soon as the file is hashed (the blob digest is the file's SHA-256), so that
// once the job completes only the blobs of files changed since, the config and the manifest are
// left to push. The registry checks every blob against its digest while receiving it.
import { createReadStream } from 'node:fs';
import { ModelsealError } from '../errors.js';
import { openTarget } from '../oci/open-target.js';
import { pushModel, type PushModelOptions, type PushModelResult } from '../oci/push-model.js';
import type { Descriptor } from '../oci/target.js';
import type { ModelFile, Resource } from '../types.js';
import { followModel, type FollowCompletion, type FollowModelOptions } from './follow-model.js';
import { settleModel } from './settle-model.js';

/** Options of pushModelFollowing(): pushModel's, and the completion conditions of followModel. */
export interface PushFollowingOptions
  extends
    PushModelOptions,
    Pick<FollowModelOptions, 'untilFile' | 'untilPid' | 'quietPeriodMs' | 'pollIntervalMs' | 'onStart'> {
  /** told about each blob uploaded while following */
  onUploaded?: (file: ModelFile, digest: string) => void;
}

/** What pushModelFollowing() pushed, why the follow ended, and how many blobs went up early. */
export interface PushFollowingResult extends PushModelResult {
  completion: FollowCompletion;
  /** blobs uploaded while the model was still being written */
  uploadedWhileFollowing: number;
}

/**
 * Follow `dir`, uploading each file's blob to `ref` once the file is hashed, then push the artifact
 * once a completion condition holds (see followModel): the manifest lists exactly the files present
 * then, each hashed after its last change while no process held it open for writing. Throws what
 * followModel and pushModel throw (BAD_REFERENCE for a digest reference, REGISTRY...), or the
 * signal's reason. An early upload that fails (the file changed under it) is retried by the push.
 */
export async function pushModelFollowing(
  dir: string,
  ref: string,
  opts: PushFollowingOptions = {},
): Promise<PushFollowingResult> {
  const opened = openTarget(ref, opts);
  if (opened.reference.digest)
    throw new ModelsealError(
      'BAD_REFERENCE',
      `cannot push to a digest reference '${ref}'; give a tag or none`,
    );
  const target = opened.target;
  let uploaded = 0;
  let queue: Promise<void> = Promise.resolve();
  const upload = (file: ModelFile, resources: Resource[]): void => {
    const desc: Descriptor = {
      mediaType: 'application/octet-stream',
      digest: `sha256:${resources[0].digest}`,
      size: file.size,
    };
    queue = queue.then(async () => {
      if (opts.signal?.aborted) return;
      try {
        if (!(await target.exists(desc))) {
          await target.push(desc, { kind: 'stream', open: () => createReadStream(file.path) });
        }
        uploaded++;
        opts.onUploaded?.(file, desc.digest);
      } catch {
        // The file changed under the upload, or the registry failed: the push at the end retries.
      }
    });
  };
  const walk = opts.walk ?? {};
  const followed = await followModel(dir, {
    ...walk,
    method: 'files',
    hashType: 'sha256',
    jobs: opts.jobs,
    untilFile: opts.untilFile,
    untilPid: opts.untilPid,
    quietPeriodMs: opts.quietPeriodMs,
    pollIntervalMs: opts.pollIntervalMs,
    onStart: opts.onStart,
    onHashed: upload,
    signal: opts.signal,
  });
  const settled = await settleModel(dir, followed.known, {
    walk,
    jobs: opts.jobs,
    signal: opts.signal,
    onHashed: upload,
    waitForWriters: followed.waitForWriters,
  });
  await queue;
  const pushed = await pushModel(dir, ref, {
    ...opts,
    prehashed: { tree: settled.tree, resources: settled.manifest.resources },
  });
  return { ...pushed, completion: followed.completion, uploadedWhileFollowing: uploaded };
}
