// gatherEvidence(source): one verb for the evidence a policy reads, beside a model on disk or as an
// artifact's referrers, against a real docker-registry. The same model gives the same bound evidence
// whether it is passed as a string, an opened ModelSource or (for an artifact) an ArtifactSource with
// its own options; a missing path is NOT_FOUND and disk-only options with an artifact are USAGE, both
// before any request. Signing goes through the CLI (in this process).
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashModel, pushModel } from '../packages/core/src/index.js';
import { newKeyPair } from '../packages/core/src/keys.js';
import { openModelSource } from '../packages/core/src/source/open-model-source.js';
import { gatherEvidence, parsePolicy, policyVerifier } from '../packages/core/src/policy/index.js';
import { runCliInProcess } from './cli-in-process.js';
import { keysPolicyYaml } from './policy/key-policy.js';
import { startRegistry, type RunningRegistry } from './registry/harness.js';
import { SAMPLE } from './signed-model.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'ms-gather-'));
const trainer = newKeyPair();
const keyFile = path.join(tmp, 'trainer.key');
const policy = parsePolicy(
  keysPolicyYaml(
    'prod',
    { trainer: trainer.publicKey },
    '    signatures:\n      oms: {signedBy: [trainer]}\n',
  ),
  'prod.yaml',
);
const verifier = policyVerifier(policy.policy);
let registry: RunningRegistry;
let dir: string;
let root: string;
let ref: string;
let manifestDigest: string;

async function cli(...args: string[]): Promise<void> {
  const r = await runCliInProcess(args);
  if (r.code !== 0) throw new Error(`modelseal ${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
}

beforeAll(async () => {
  writeFileSync(keyFile, trainer.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  dir = path.join(tmp, 'model');
  cpSync(SAMPLE, dir, { recursive: true });
  // weights for the scan: a safetensors file and a pickle importing builtins.eval (GLOBAL, protocol 2)
  const header = Buffer.from(JSON.stringify({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(header.length));
  writeFileSync(path.join(dir, 'model.safetensors'), Buffer.concat([length, header, Buffer.alloc(8)]));
  writeFileSync(path.join(dir, 'training_args.bin'), Buffer.from('\x80\x02cbuiltins\neval\n.', 'latin1'));
  root = `sha256:${(await hashModel(dir)).root}`;
  registry = await startRegistry();
  ref = `${registry.host}/models/gather:v1`;
  manifestDigest = (await pushModel(dir, ref)).digest;
  await cli('sign', dir, '--key', keyFile);
  await cli('sign', ref, '--key', keyFile);
}, 120_000);

afterAll(async () => {
  await registry?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('gatherEvidence', () => {
  it('a model on disk: its model.sig bound to its files, the same from a path and an opened source', async () => {
    const fromPath = await gatherEvidence(dir, { verifier });
    expect(fromPath).toMatchObject({ kind: 'directory', path: dir, shown: dir });
    expect(fromPath.evidence.subjectDigests).toEqual([root]);
    expect(fromPath.evidence.signatures.map((s) => [s.kind, s.signer.kind])).toEqual([['oms', 'key']]);
    expect(fromPath.evidence.failures).toEqual([]);
    const opened = await gatherEvidence(await openModelSource(dir), { verifier });
    expect(opened).toEqual(fromPath);
  });

  it('an artifact: its referrers bound to the manifest digest and the OMS root, no weights read', async () => {
    const fromRef = await gatherEvidence(ref, { verifier });
    expect(fromRef).toMatchObject({ kind: 'artifact', ref, shown: ref, digest: manifestDigest });
    expect([...fromRef.evidence.subjectDigests].sort()).toEqual([manifestDigest, root].sort());
    expect(fromRef.evidence.signatures.map((s) => s.kind).sort()).toEqual(['cosign', 'oms']);
    expect(fromRef.evidence.unbound).toEqual([]);
    expect(fromRef.evidence.scan).toBeUndefined();
    const opened = await gatherEvidence(await openModelSource(ref), { verifier });
    expect(opened).toEqual(fromRef);
  });

  it('an ArtifactSource is reached with its own options (an aborted signal: nothing gathered)', async () => {
    const source = await openModelSource(ref, { signal: AbortSignal.abort() });
    await expect(gatherEvidence(source, { verifier })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('with scan, the weights are scanned: on disk and for the artifact (digest-checked)', async () => {
    const onDisk = await gatherEvidence(dir, { verifier, scan: true });
    const stored = await gatherEvidence(ref, { verifier, scan: true });
    expect(onDisk.evidence.scan).toEqual({
      clean: false,
      findings: [
        {
          path: 'training_args.bin',
          message: 'training_args.bin at byte 2: pickle imports builtins.eval (GLOBAL, runs code)',
          code: 'unsafe-import',
        },
      ],
      unknown: [],
    });
    expect(onDisk.evidence.files).toEqual([
      { path: 'model.safetensors', format: 'safetensors' },
      { path: 'training_args.bin', format: 'pickle' },
    ]);
    expect(stored.evidence.scan).toEqual(onDisk.evidence.scan);
    expect(stored.evidence.files).toEqual(onDisk.evidence.files);
  });

  it('a missing path is NOT_FOUND; disk-only options with an artifact are USAGE, before any request', async () => {
    await expect(gatherEvidence(path.join(tmp, 'typo'), { verifier })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    // nothing listens on port 1: reaching the registry would be a REGISTRY error, not USAGE
    const closed = '127.0.0.1:1/models/gather:v1';
    await expect(
      gatherEvidence(closed, { verifier, attestationPaths: [path.join(tmp, 'x.json')] }),
    ).rejects.toMatchObject({
      code: 'USAGE',
      message:
        'option attestationPaths is for a model on disk; 127.0.0.1:1/models/gather:v1 is an artifact reference (leave attestationPaths out)',
    });
    await expect(gatherEvidence(closed, { verifier, signaturePath: 'model.sig' })).rejects.toMatchObject({
      code: 'USAGE',
      message: expect.stringMatching(/^option signaturePath is for a model on disk; /),
    });
  });
});
