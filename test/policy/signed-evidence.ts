// Builds policy evidence the way verification does: an in-toto statement is really signed
// (key, certificate or keyless signer), serialized as a bundle, parsed and verified; the verified
// payload and signer become the evidence. Also the SLSA provenance and CycloneDX predicates tests use.
import { parseBundle, serializeBundle, IN_TOTO_PAYLOAD_TYPE } from '../../packages/core/src/oms.js';
import { type BundleSigner, type BundleVerifier } from '../../packages/core/src/index.js';
import type { AttestationEvidence, VerifiedStatement } from '../../packages/core/src/source/evidence.js';

export const MODEL_DIGEST = `sha256:${'ab'.repeat(32)}`;

/** Sign `statement`, verify the bundle with `verifier`, and return what the verifier established. */
export async function verifiedAttestation(
  statement: VerifiedStatement,
  signer: BundleSigner,
  verifier: BundleVerifier,
): Promise<AttestationEvidence> {
  const bundle = serializeBundle(
    await signer.signStatement(Buffer.from(JSON.stringify(statement)), IN_TOTO_PAYLOAD_TYPE),
  );
  const verified = await verifier.verify(parseBundle(bundle, 'test bundle'));
  return {
    statement: JSON.parse(verified.payload.toString('utf8')) as VerifiedStatement,
    signer: verified.signer,
  };
}

export function statement(
  predicateType: string,
  predicate: unknown,
  digest = MODEL_DIGEST,
): VerifiedStatement {
  const [alg, hex] = digest.split(':');
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'model', digest: { [alg]: hex } }],
    predicateType,
    predicate,
  };
}

export interface ProvenanceFacts {
  builderId?: string;
  buildType?: string;
  repository?: string;
  ref?: string;
  dependencies?: { uri: string; digest: Record<string, string> }[];
}

/** A SLSA provenance v1 predicate shaped like the ml-training buildType. */
export function provenance(f: ProvenanceFacts = {}): unknown {
  const repository = f.repository ?? 'https://github.com/acme/train';
  const ref = f.ref ?? 'refs/tags/v3';
  return {
    buildDefinition: {
      buildType: f.buildType ?? 'https://modelseal.dev/buildtypes/ml-training/v1',
      externalParameters: { workflow: { repository, ref, path: '.github/workflows/train.yml' } },
      resolvedDependencies: [
        {
          uri: `git+${repository}@${ref}`,
          digest: { gitCommit: '0123456789abcdef0123456789abcdef01234567' },
        },
        ...(f.dependencies ?? [{ uri: 's3://acme-data/imdb@v7', digest: { sha256: 'cd'.repeat(32) } }]),
      ],
    },
    runDetails: {
      builder: {
        id: f.builderId ?? 'https://github.com/acme/ml-platform/.github/workflows/train.yml@refs/tags/v1.4.0',
      },
      metadata: { invocationId: 'https://github.com/acme/train/actions/runs/1/attempts/1' },
    },
  };
}

type License = { license: { id: string } } | { license: { name: string } } | { expression: string };

/** A CycloneDX 1.6 BOM: the model (with a model card) and one dataset. */
export function cyclonedx(
  opts: { modelLicenses?: License[]; datasetLicenses?: License[]; modelCard?: unknown } = {},
): unknown {
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
    version: 1,
    metadata: {
      component: {
        type: 'machine-learning-model',
        name: 'sentiment',
        licenses: opts.modelLicenses ?? [{ license: { id: 'Apache-2.0' } }],
        modelCard: opts.modelCard ?? {
          modelParameters: { datasets: [{ ref: 'imdb' }] },
          considerations: { ethicalConsiderations: [{ name: 'bias', mitigationStrategy: 'eval' }] },
        },
      },
    },
    components: [
      {
        type: 'data',
        'bom-ref': 'imdb',
        name: 'imdb',
        licenses: opts.datasetLicenses ?? [{ expression: 'CC-BY-4.0 OR MIT' }],
      },
    ],
  };
}
