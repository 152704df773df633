// A zod schema of the SLSA provenance v1 predicate (slsa-framework/slsa:spec/schema/provenance.cue,
// spec/build-provenance.md) and of in-toto v1 ResourceDescriptors. Unknown fields are allowed where
// the spec allows them; required ones and their types are enforced.
import { z } from 'zod';

const HEX = /^[0-9a-f]+$/;
/** RFC 3339 timestamp in UTC with a `Z` (what SLSA and actions/attest write). */
const timestamp = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/, 'RFC 3339 UTC timestamp');
const typeUri = z.string().regex(/^[a-z][a-z0-9+.-]*:\S+$/, 'URI');

/** in-toto v1 ResourceDescriptor: at least one of uri, digest, content. */
export const resourceDescriptorSchema = z
  .object({
    name: z.string().min(1).optional(),
    uri: typeUri.optional(),
    digest: z.record(z.string(), z.string().regex(HEX, 'lowercase hex digest')).optional(),
    content: z.string().optional(),
    downloadLocation: typeUri.optional(),
    mediaType: z.string().optional(),
    annotations: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((r) => r.uri !== undefined || r.digest !== undefined || r.content !== undefined, {
    message: 'a resource descriptor needs uri, digest or content',
  });

/** The SLSA provenance v1 predicate (`predicateType: https://slsa.dev/provenance/v1`). */
export const slsaProvenanceV1Schema = z.object({
  buildDefinition: z.object({
    buildType: typeUri,
    externalParameters: z.record(z.string(), z.unknown()),
    internalParameters: z.record(z.string(), z.unknown()).optional(),
    resolvedDependencies: z.array(resourceDescriptorSchema).optional(),
  }),
  runDetails: z.object({
    builder: z.object({
      id: typeUri,
      builderDependencies: z.array(resourceDescriptorSchema).optional(),
      version: z.record(z.string(), z.string()).optional(),
    }),
    metadata: z
      .object({
        invocationId: z.string().min(1).optional(),
        startedOn: timestamp.optional(),
        finishedOn: timestamp.optional(),
      })
      .optional(),
    byproducts: z.array(resourceDescriptorSchema).optional(),
  }),
});

/** A SLSA provenance v1 predicate. */
export type SlsaProvenanceV1 = z.infer<typeof slsaProvenanceV1Schema>;
/** An in-toto v1 ResourceDescriptor. */
export type ResourceDescriptor = z.infer<typeof resourceDescriptorSchema>;

/** The ml-training/v1 externalParameters (docs/buildtypes/ml-training-v1.md): unknown keys rejected. */
export const mlTrainingExternalParametersSchema = z
  .object({
    parameters: z.record(z.string(), z.unknown()),
    datasets: z.array(z.object({ name: z.string().min(1), uri: typeUri }).strict()).optional(),
    baseModels: z.array(z.object({ name: z.string().min(1), uri: typeUri }).strict()).optional(),
    source: z.object({ repository: typeUri, ref: z.string().optional() }).strict().optional(),
  })
  .strict();
