// buildProvenance, the pure statement builder: an in-toto statement with a SLSA provenance v1 predicate, either with
// GitHub's workflow buildType (filled from the OIDC claims as actions/attest does) or with our
// ml-training buildType (docs/buildtypes/ml-training-v1.md). Validated against the SLSA v1 schema.
import { randomUUID } from 'node:crypto';
import { ModelsealError } from '../errors.js';
import type { AttestationStatement } from '../in-toto/statement.js';
import type { StatementSubject } from '../in-toto/statement.js';
import { SLSA_PROVENANCE_V1 } from '../in-toto/predicate-types.js';
import {
  mlTrainingExternalParametersSchema,
  slsaProvenanceV1Schema,
  type ResourceDescriptor,
  type SlsaProvenanceV1,
} from './provenance-schema.js';
import { toolVersion, TOOL_NAME } from '../sbom/tool-version.js';

/** buildType of GitHub Actions workflows (actions/attest-build-provenance). */
export const GITHUB_BUILD_TYPE = 'https://actions.github.io/buildtypes/workflow/v1';
/** Our buildType for training runs outside GitHub Actions. */
export const ML_TRAINING_BUILD_TYPE = 'https://modelseal.dev/buildtypes/ml-training/v1';
/** Default builder.id of the ml-training buildType: a run that only the local machine vouches for. */
export const LOCAL_BUILDER_ID = 'https://modelseal.dev/builders/local/v1';

/** The GitHub Actions OIDC claims actions/attest requires, plus the server URL (GITHUB_SERVER_URL). */
export interface GithubBuildClaims {
  serverUrl: string;
  iss: string;
  ref: string;
  sha: string;
  repository: string;
  event_name: string;
  job_workflow_ref: string;
  workflow_ref: string;
  repository_id: string;
  repository_owner_id: string;
  runner_environment: string;
  run_id: string;
  run_attempt: string;
}

/** A named input with its digest (dataset, base model) as it goes into resolvedDependencies. */
export interface DigestedInput {
  name: string;
  uri: string;
  digest: Record<string, string>;
}

/**
 * Inputs of buildProvenance(): subjects, buildType, builder, parameters, resolved dependencies,
 * byproducts and times.
 */
export interface BuildProvenanceOptions {
  /** What was built: the OMS root of the model and, for an OCI artifact, the manifest digest. */
  subjects: StatementSubject[];
  /** GitHub Actions claims: selects the GitHub workflow buildType. Absent: ml-training. */
  github?: GithubBuildClaims;
  datasets?: DigestedInput[];
  baseModels?: DigestedInput[];
  /** Training parameters (externalParameters.parameters; ml-training only). */
  parameters?: Record<string, unknown>;
  /** The training code: git remote URI, commit and optional ref (ml-training only; GitHub uses its claims). */
  source?: { repository: string; commit: string; ref?: string };
  byproducts?: ResourceDescriptor[];
  /** Default: now. */
  startedOn?: Date;
  /** Default: now. */
  finishedOn?: Date;
  /** ml-training builder.id; default LOCAL_BUILDER_ID. */
  builderId?: string;
  /** ml-training invocationId; default a fresh `urn:uuid:`. */
  invocationId?: string;
}

const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function dependency(role: string, d: DigestedInput): ResourceDescriptor {
  return { name: d.name, uri: d.uri, digest: d.digest, annotations: { role } };
}

function githubPredicate(c: GithubBuildClaims, opts: BuildProvenanceOptions): SlsaProvenanceV1 {
  const [workflowPath] = c.workflow_ref.replace(`${c.repository}/`, '').split('@');
  return {
    buildDefinition: {
      buildType: GITHUB_BUILD_TYPE,
      externalParameters: {
        workflow: { ref: c.ref, repository: `${c.serverUrl}/${c.repository}`, path: workflowPath },
      },
      internalParameters: {
        github: {
          event_name: c.event_name,
          repository_id: c.repository_id,
          repository_owner_id: c.repository_owner_id,
          runner_environment: c.runner_environment,
        },
      },
      resolvedDependencies: [
        { uri: `git+${c.serverUrl}/${c.repository}@${c.ref}`, digest: { gitCommit: c.sha } },
        ...(opts.datasets ?? []).map((d) => dependency('dataset', d)),
        ...(opts.baseModels ?? []).map((d) => dependency('base-model', d)),
      ],
    },
    runDetails: {
      builder: { id: `${c.serverUrl}/${c.job_workflow_ref}` },
      metadata: {
        invocationId: `${c.serverUrl}/${c.repository}/actions/runs/${c.run_id}/attempts/${c.run_attempt}`,
        ...(opts.startedOn ? { startedOn: iso(opts.startedOn) } : {}),
        ...(opts.finishedOn ? { finishedOn: iso(opts.finishedOn) } : {}),
      },
      ...(opts.byproducts?.length ? { byproducts: opts.byproducts } : {}),
    },
  };
}

function mlTrainingPredicate(opts: BuildProvenanceOptions): SlsaProvenanceV1 {
  const now = new Date();
  const started = opts.startedOn ?? now;
  const finished = opts.finishedOn ?? now;
  if (finished.getTime() < started.getTime()) {
    throw new ModelsealError(
      'INVALID_PROVENANCE',
      `finishedOn ${iso(finished)} is before startedOn ${iso(started)}`,
    );
  }
  const source = opts.source;
  const externalParameters = {
    parameters: opts.parameters ?? {},
    ...(opts.datasets?.length ? { datasets: opts.datasets.map((d) => ({ name: d.name, uri: d.uri })) } : {}),
    ...(opts.baseModels?.length
      ? { baseModels: opts.baseModels.map((d) => ({ name: d.name, uri: d.uri })) }
      : {}),
    ...(source
      ? { source: { repository: source.repository, ...(source.ref ? { ref: source.ref } : {}) } }
      : {}),
  };
  const parsed = mlTrainingExternalParametersSchema.safeParse(externalParameters);
  if (!parsed.success) {
    throw new ModelsealError('INVALID_PROVENANCE', `externalParameters: ${parsed.error.issues[0]?.message}`);
  }
  return {
    buildDefinition: {
      buildType: ML_TRAINING_BUILD_TYPE,
      externalParameters,
      resolvedDependencies: [
        ...(source
          ? [
              {
                uri: `git+${source.repository}${source.ref ? `@${source.ref}` : ''}`,
                digest: { gitCommit: source.commit },
                annotations: { role: 'source' },
              },
            ]
          : []),
        ...(opts.datasets ?? []).map((d) => dependency('dataset', d)),
        ...(opts.baseModels ?? []).map((d) => dependency('base-model', d)),
      ],
    },
    runDetails: {
      builder: { id: opts.builderId ?? LOCAL_BUILDER_ID, version: { [TOOL_NAME]: toolVersion() } },
      metadata: {
        invocationId: opts.invocationId ?? `urn:uuid:${randomUUID()}`,
        startedOn: iso(started),
        finishedOn: iso(finished),
      },
      ...(opts.byproducts?.length ? { byproducts: opts.byproducts } : {}),
    },
  };
}

/**
 * Builds an in-toto statement with a SLSA provenance v1 predicate: GitHub's workflow buildType when
 * `github` claims are given, else `https://modelseal.dev/buildtypes/ml-training/v1`. The predicate is
 * checked against the SLSA v1 schema. Throws INVALID_PROVENANCE (bad URI, digest, times, parameters
 * with the GitHub buildType) and USAGE for a statement without subjects.
 */
export function buildProvenance(opts: BuildProvenanceOptions): AttestationStatement & {
  predicate: SlsaProvenanceV1;
} {
  if (opts.subjects.length === 0) throw new ModelsealError('USAGE', 'provenance needs at least one subject');
  if (opts.github && (opts.parameters !== undefined || opts.source || opts.builderId || opts.invocationId)) {
    throw new ModelsealError(
      'USAGE',
      'parameters, source, builder id and invocation id come from GitHub Actions with its buildType; use the ml-training buildType to set them',
    );
  }
  const predicate = opts.github ? githubPredicate(opts.github, opts) : mlTrainingPredicate(opts);
  const checked = slsaProvenanceV1Schema.safeParse(predicate);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new ModelsealError(
      'INVALID_PROVENANCE',
      `provenance ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return { subject: opts.subjects, predicateType: SLSA_PROVENANCE_V1, predicate };
}
