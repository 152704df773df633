// The shape a shard manifest must have: every signed file covered from byte 0 to its end by
// consecutive `path:start:end` shards of exactly shard_size bytes (the last one may be shorter),
// with no gap, no overlap and nothing beyond; an empty file is the single shard `path:0:0`.
import { ModelsealError } from '../errors.js';
import type { Resource } from '../types.js';

/** `path:start:end` -> parts (the path may itself contain ':'); start -1 when it is not a shard name. */
export function splitShardName(name: string): { path: string; start: number; end: number } {
  const m = /^(.*):(\d+):(\d+)$/.exec(name);
  if (!m) return { path: name, start: -1, end: -1 };
  return { path: m[1], start: Number(m[2]), end: Number(m[3]) };
}

/** The resources of a shard manifest grouped by file, each file's shards in offset order. */
export function shardsByFile(resources: readonly Resource[]): Map<string, Resource[]> {
  const files = new Map<string, Resource[]>();
  for (const r of resources) {
    const p = splitShardName(r.name).path;
    const list = files.get(p);
    if (list) list.push(r);
    else files.set(p, [r]);
  }
  for (const list of files.values())
    list.sort((a, b) => splitShardName(a.name).start - splitShardName(b.name).start);
  return files;
}

/**
 * Throws MANIFEST_INCONSISTENT unless each file's shards tile it exactly: the first starts at 0,
 * each next one starts where the previous ended, all but the last are `shardSize` long, the last
 * is 1..shardSize bytes, and `path:0:0` (an empty file) stands alone.
 */
export function checkShardLayout(resources: readonly Resource[], shardSize: number, source: string): void {
  for (const [file, shards] of shardsByFile(resources)) {
    let expectedStart = 0;
    shards.forEach((r, i) => {
      const { start, end } = splitShardName(r.name);
      const last = i === shards.length - 1;
      const len = end - start;
      const empty = start === 0 && end === 0 && shards.length === 1;
      let problem = '';
      if (start !== expectedStart)
        problem =
          start < expectedStart ? 'overlaps the one before' : `leaves bytes ${expectedStart}-${start} out`;
      else if (!empty && (len <= 0 || len > shardSize || (!last && len !== shardSize)))
        problem = `is ${len} bytes where shard_size is ${shardSize}`;
      if (problem)
        throw new ModelsealError(
          'MANIFEST_INCONSISTENT',
          `${source}: shard '${r.name}' of file '${file}' ${problem}; a signed file must be covered from byte 0 to its end`,
        );
      expectedStart = end;
    });
  }
}
