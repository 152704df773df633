// Models for the container tests, published to the real test registry (htpasswd auth) the way a
// training pipeline does: pushed with the CLI, OMS-signed and SBOM-attested as referrers through the
// library. The policy the init container runs names the trainer's key and denies AGPL.
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cyclonedx } from '../policy/signed-evidence.js';
import { attest, keySigner } from '../../packages/core/src/index.js';
import { newKeyPair } from '../../packages/core/src/keys.js';
import { BIN, SAMPLE } from '../signed-model.js';
import { keysPolicyYaml } from '../policy/key-policy.js';
import type { RunningRegistry } from '../registry/harness.js';
import { sign } from '../../packages/core/src/sign/sign.js';

export { BIN, SAMPLE };

export const trainer = newKeyPair();
export const stranger = newKeyPair();

/** The init container's policy: OMS signature by the trainer, no AGPL in the SBOM. */
export const POLICY = keysPolicyYaml(
  'sentiment-prod',
  { trainer: trainer.publicKey },
  `    signatures:
      oms: {signedBy: [trainer]}
    sbom:
      signedBy: [trainer]
      licenses: {deny: [AGPL-3.0-only]}
`,
);

export interface Published {
  ref: string;
  digest: string;
  /** The model directory that was pushed. */
  dir: string;
}

/** The registry's Docker config (`config.json` with its credentials). */
export function dockerConfig(registry: RunningRegistry): string {
  const auth = Buffer.from(`${registry.username}:${registry.password}`).toString('base64');
  return JSON.stringify({ auths: { [registry.host]: { auth } } });
}

/** Push the sample model (with an id.txt of its own), sign it by `signer`, attest an SBOM with `license`. */
export async function publish(
  registry: RunningRegistry,
  workDir: string,
  name: string,
  o: { signer?: typeof trainer; license?: string } = {},
): Promise<Published> {
  const dir = path.join(workDir, name);
  cpSync(SAMPLE, dir, { recursive: true });
  writeFileSync(path.join(dir, 'id.txt'), `model ${name}\n`); // a layer no other model shares
  const ref = `${registry.host}/models/${name}:v1`;
  const login = registry.username ? ['--username', registry.username, '--password-stdin'] : [];
  const r = spawnSync(process.execPath, [BIN, 'push', dir, ref, ...login, '--json'], {
    encoding: 'utf8',
    input: registry.password,
  });
  if (r.status !== 0) throw new Error(`push failed: ${r.stderr}`);
  const digest = (JSON.parse(r.stdout) as { digest: string }).digest;
  const credentials = registry.username
    ? { username: registry.username, password: registry.password ?? '' }
    : undefined;
  const signer = o.signer ?? trainer;
  await sign(ref, { signer: keySigner({ privateKey: signer.privateKey }), credentials });
  await attest(ref, {
    signer: keySigner({ privateKey: trainer.privateKey }),
    predicateType: 'https://cyclonedx.org/bom',
    predicate: cyclonedx({ modelLicenses: [{ license: { id: o.license ?? 'Apache-2.0' } }] }),
    credentials,
  });
  return { ref, digest, dir };
}

/** Overwrite the model's own layer (id.txt) in the registry's storage with other bytes of the same size. */
export function tamperOwnLayer(registry: RunningRegistry, digest: string): void {
  const blob = (hex: string) =>
    path.join(registry.storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
  const manifest = JSON.parse(readFileSync(blob(digest.slice(7)), 'utf8')) as {
    layers: { digest: string; size: number; annotations?: Record<string, string> }[];
  };
  const own = manifest.layers.find((l) => l.annotations?.['org.cncf.model.filepath'] === 'id.txt');
  if (!own) throw new Error('no id.txt layer');
  writeFileSync(blob(own.digest.slice(7)), Buffer.alloc(own.size, 0x42));
}
