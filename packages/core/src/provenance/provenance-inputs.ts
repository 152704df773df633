// Turns what a user names on the command line into digested provenance inputs: datasets and base
// models (`NAME=URI@sha256:HEX`, or a directory hashed to its OMS root), training parameters (k=v, a
// YAML/JSON file), byproduct files (sha256) and the training code (git remote + commit of a checkout).
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { ModelsealError } from '../errors.js';
import { isJsonObject } from '../json-object.js';
import { hashModel } from '../model/hash-model.js';
import { readInputFile } from '../read-input-file.js';
import { defaultSignaturePath } from '../oms/signature-path.js';
import type { DigestedInput } from './provenance.js';
import type { ResourceDescriptor } from './provenance-schema.js';

const run = promisify(execFile);
const PINNED = /^([^=]+)=(.+)@sha256:([0-9a-f]{64})$/;

/** True when `spec` is `NAME=URI@sha256:HEX`. */
export function isPinnedInput(spec: string): boolean {
  return PINNED.test(spec);
}

/**
 * A dataset or base model: `NAME=URI@sha256:HEX` as given, or a directory (or file) hashed like
 * `modelseal hash` (OMS root, model.sig left out), named by its basename with a file: URI.
 * Throws USAGE for a spec that is neither, NOT_FOUND for a missing path.
 */
export async function digestedInput(spec: string, jobs?: number): Promise<DigestedInput> {
  const m = PINNED.exec(spec);
  if (m) {
    const [, name, uri] = m;
    if (!/^[a-z][a-z0-9+.-]*:\S+$/.test(uri))
      throw new ModelsealError('USAGE', `'${spec}': '${uri}' is not a URI (expected NAME=URI@sha256:HEX)`);
    return { name, uri, digest: { sha256: m[3] } };
  }
  if (spec.includes('=') && spec.includes('@'))
    throw new ModelsealError('USAGE', `'${spec}' is not NAME=URI@sha256:<64 hex digits> nor a directory`);
  const manifest = await hashModel(spec, { jobs, signaturePath: await defaultSignaturePath(spec) });
  return {
    name: path.basename(path.resolve(spec)),
    uri: pathToFileURL(path.resolve(spec)).href,
    digest: { sha256: manifest.root },
  };
}

/** `k=v` -> [k, v]; v is a JSON number, boolean or null when it reads as one, else the string. */
export function parseParameter(spec: string): [string, unknown] {
  const i = spec.indexOf('=');
  if (i <= 0) throw new ModelsealError('USAGE', `parameter '${spec}' is not KEY=VALUE`);
  const key = spec.slice(0, i);
  const raw = spec.slice(i + 1);
  if (/^(?:-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null)$/.test(raw)) return [key, JSON.parse(raw)];
  return [key, raw];
}

/** A YAML or JSON file holding one mapping of training parameters. Throws USAGE otherwise. */
export async function readParametersFile(file: string): Promise<Record<string, unknown>> {
  const text = (await readInputFile(file, 'parameters file')).toString('utf8');
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch {
    throw new ModelsealError('USAGE', `parameters file ${file}: not valid YAML or JSON`);
  }
  if (!isJsonObject(value)) throw new ModelsealError('USAGE', `parameters file ${file}: not a mapping`);
  return value;
}

/** A byproduct file (metrics, logs) as a ResourceDescriptor with its sha256. */
export async function byproduct(file: string): Promise<ResourceDescriptor> {
  const st = await stat(file).catch(() => undefined);
  if (!st?.isFile()) throw new ModelsealError('NOT_FOUND', `byproduct ${file}: no such file`);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return { name: path.basename(file), digest: { sha256: hash.digest('hex') } };
}

/** A git remote as a URI, without credentials: scp-like `git@host:path` becomes `ssh://git@host/path`. */
export function remoteUri(remote: string): string {
  const scp = /^([\w.-]+@)?([\w.-]+):(?!\/\/)(.+)$/.exec(remote);
  if (scp) return `ssh://${scp[1] ?? ''}${scp[2]}/${scp[3]}`;
  try {
    const u = new URL(remote);
    u.username = '';
    u.password = '';
    return u.href;
  } catch {
    return pathToFileURL(path.resolve(remote)).href;
  }
}

/**
 * The git checkout at `dir`: remote `origin` (else the first remote) without credentials, HEAD's
 * commit and symbolic ref. Undefined when `dir` is not in a git work tree or has no commit.
 */
export async function gitSource(
  dir: string,
): Promise<{ repository: string; commit: string; ref?: string } | undefined> {
  const git = async (...args: string[]): Promise<string | undefined> => {
    try {
      return (await run('git', ['-C', dir, ...args], { encoding: 'utf8' })).stdout.trim() || undefined;
    } catch {
      return undefined;
    }
  };
  const commit = await git('rev-parse', '--verify', '-q', 'HEAD');
  if (!commit) return undefined;
  const remotes = (await git('remote'))?.split('\n') ?? [];
  const remote = remotes.includes('origin') ? 'origin' : remotes[0];
  const url = remote ? await git('remote', 'get-url', remote) : undefined;
  const top = await git('rev-parse', '--show-toplevel');
  const repository = url ? remoteUri(url) : pathToFileURL(top ?? dir).href;
  const ref = await git('symbolic-ref', '-q', 'HEAD');
  return { repository, commit, ...(ref ? { ref } : {}) };
}
