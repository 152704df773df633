// The ModelPolicy file format (apiVersion modelseal.dev/v1alpha1) as a zod schema. Every object is
// strict (an unknown field is an error), every pattern must compile on its own, and a policy that
// requires no signature is rejected: deny by default.
import { z } from 'zod';
import { X509Certificate } from 'node:crypto';
import { loadPublicKey } from '../keys/load-public-key.js';
import { FulcioExtensionOids, type FulcioExtensionName } from '../verify/fulcio-extensions.js';
import { patternError } from './anchored-pattern.js';
import { pathGlobError } from './path-glob.js';
import { licenseIdError } from './spdx-licenses.js';

/** The apiVersion this release reads. */
export const POLICY_API_VERSION = 'modelseal.dev/v1alpha1';
/** The kind of a policy document. */
export const POLICY_KIND = 'ModelPolicy';

const nonEmpty = z.string().min(1, 'must not be empty');
const pattern = nonEmpty.superRefine((p, ctx) => {
  const why = patternError(p);
  if (why !== undefined) ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${why}` });
});

/** Exactly one of `field` and `fieldRegExp` (policy-controller's rule: the two forms exclude each other). */
function exactlyOne(
  value: Record<string, unknown>,
  field: string,
  ctx: z.RefinementCtx,
  required = true,
): void {
  const has = value[field] !== undefined;
  const hasRe = value[`${field}RegExp`] !== undefined;
  if (has && hasRe) {
    ctx.addIssue({
      code: 'custom',
      path: [`${field}RegExp`],
      message: `give ${field} or ${field}RegExp, not both`,
    });
  } else if (required && !has && !hasRe) {
    ctx.addIssue({ code: 'custom', message: `${field} or ${field}RegExp is required` });
  }
}

const pem = (what: string, check: (text: string) => void) =>
  nonEmpty.superRefine((text, ctx) => {
    try {
      check(text);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: `not a PEM ${what}: ${(e as Error).message}` });
    }
  });

const keyIdentity = z.strictObject({ publicKey: pem('public key', (t) => loadPublicKey(t)) });

const certificateIdentity = z
  .strictObject({
    roots: z.array(pem('certificate', (t) => new X509Certificate(t))).min(1, 'name at least one root'),
    subject: nonEmpty.optional(),
    subjectRegExp: pattern.optional(),
  })
  .superRefine((v, ctx) => exactlyOne(v, 'subject', ctx, false));

const extensionNames = Object.keys(FulcioExtensionOids) as [FulcioExtensionName, ...FulcioExtensionName[]];

const keylessIdentity = z
  .strictObject({
    issuer: nonEmpty.optional(),
    issuerRegExp: pattern.optional(),
    subject: nonEmpty.optional(),
    subjectRegExp: pattern.optional(),
    /** Fulcio extensions by name, compared exactly after DER decoding. */
    extensions: z.partialRecord(z.enum(extensionNames), nonEmpty).optional(),
  })
  .superRefine((v, ctx) => {
    exactlyOne(v, 'issuer', ctx);
    exactlyOne(v, 'subject', ctx);
  });

const identity = z
  .strictObject({
    key: keyIdentity.optional(),
    certificate: certificateIdentity.optional(),
    keyless: keylessIdentity.optional(),
  })
  .superRefine((v, ctx) => {
    const kinds = Object.keys(v).filter((k) => v[k as keyof typeof v] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({ code: 'custom', message: 'an identity is exactly one of key, certificate or keyless' });
    }
  });

const identityName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'identity names are lowercase DNS labels');
const signedBy = z.array(identityName).min(1, 'name at least one identity');

const signatureRule = z.strictObject({ signedBy });

const level = z.number().int().min(1).max(3);
const builder = z
  .strictObject({ id: nonEmpty.optional(), idRegExp: pattern.optional(), maxLevel: level.default(1) })
  .superRefine((v, ctx) => exactlyOne(v, 'id', ctx));
const source = z
  .strictObject({
    repository: nonEmpty.optional(),
    repositoryRegExp: pattern.optional(),
    ref: nonEmpty.optional(),
    refRegExp: pattern.optional(),
  })
  .superRefine((v, ctx) => {
    exactlyOne(v, 'repository', ctx);
    exactlyOne(v, 'ref', ctx, false);
  });
const digestSet = z.record(
  z.string().regex(/^[a-zA-Z0-9]+$/),
  z.string().regex(/^[a-f0-9]+$/, 'lowercase hex'),
);
const dependency = z
  .strictObject({ uri: nonEmpty.optional(), uriRegExp: pattern.optional(), digest: digestSet.optional() })
  .superRefine((v, ctx) => exactlyOne(v, 'uri', ctx));

const provenanceRule = z.strictObject({
  signedBy,
  builders: z.array(builder).min(1, 'name at least one builder'),
  minLevel: level.optional(),
  buildTypes: z.array(nonEmpty).min(1).optional(),
  sources: z.array(source).min(1).optional(),
  dependencies: z
    .strictObject({ allow: z.array(dependency), denyUnlisted: z.boolean().default(true) })
    .optional(),
});

const licenseId = nonEmpty.superRefine((id, ctx) => {
  const why = licenseIdError(id);
  if (why !== undefined) ctx.addIssue({ code: 'custom', message: why });
});

const sbomRule = z.strictObject({
  signedBy,
  licenses: z
    .strictObject({
      allow: z.array(licenseId).min(1).optional(),
      deny: z.array(licenseId).min(1).optional(),
      unknown: z.enum(['deny', 'allow']).default('deny'),
    })
    .optional(),
  modelCard: z.strictObject({ require: z.array(nonEmpty).min(1) }).optional(),
});

const pathGlob = nonEmpty.superRefine((g, ctx) => {
  const why = pathGlobError(g);
  if (why !== undefined) ctx.addIssue({ code: 'custom', message: `file glob ${JSON.stringify(g)} ${why}` });
});

const weightsRule = z
  .strictObject({
    formats: z.array(nonEmpty).min(1).optional(),
    scan: z.literal('clean').optional(),
    /** Files of unknown format `scan: clean` lets through, by model-relative path glob. */
    allowUnknown: z.array(pathGlob).min(1).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.allowUnknown !== undefined && v.scan !== 'clean')
      ctx.addIssue({
        code: 'custom',
        path: ['allowUnknown'],
        message: 'allowUnknown only applies with scan: clean',
      });
  });

const requireBlock = z.strictObject({
  signatures: z
    .strictObject({ oms: signatureRule.optional(), cosign: signatureRule.optional() })
    .refine(
      (v) => v.oms !== undefined || v.cosign !== undefined,
      'require the oms signature, the cosign signature, or both',
    ),
  provenance: provenanceRule.optional(),
  sbom: sbomRule.optional(),
  weights: weightsRule.optional(),
});

/** The zod schema of a policy document (strict objects, anchored-pattern and SPDX checks, signedBy names resolved). */
export const modelPolicySchema = z
  .strictObject({
    apiVersion: z.literal(POLICY_API_VERSION),
    kind: z.literal(POLICY_KIND),
    metadata: z.strictObject({
      name: nonEmpty,
      annotations: z.record(z.string(), z.string()).optional(),
    }),
    spec: z.strictObject({
      mode: z.enum(['enforce', 'audit']).default('enforce'),
      identities: z.record(identityName, identity),
      require: requireBlock,
    }),
  })
  .superRefine((p, ctx) => {
    // Every signedBy names a declared identity.
    const names = new Set(Object.keys(p.spec.identities));
    const req = p.spec.require;
    const rules: [string[], { signedBy: string[] } | undefined][] = [
      [['signatures', 'oms'], req.signatures.oms],
      [['signatures', 'cosign'], req.signatures.cosign],
      [['provenance'], req.provenance],
      [['sbom'], req.sbom],
    ];
    for (const [where, rule] of rules) {
      rule?.signedBy.forEach((n, i) => {
        if (!names.has(n)) {
          ctx.addIssue({
            code: 'custom',
            path: ['spec', 'require', ...where, 'signedBy', i],
            message: `no identity named ${JSON.stringify(n)} in spec.identities`,
          });
        }
      });
    }
  });

/** A parsed ModelPolicy, defaults filled in (mode `enforce`, builder maxLevel 1, unknown licences denied). */
export type ModelPolicy = z.output<typeof modelPolicySchema>;
/** One named signer identity of a policy: exactly one of key, certificate or keyless. */
export type PolicyIdentity = ModelPolicy['spec']['identities'][string];
