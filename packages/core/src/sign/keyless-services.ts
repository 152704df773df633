// Which Sigstore instance a keyless signer talks to: public-good, staging, explicit URLs, or a
// Sigstore signing_config.json (v0.2). Instances without Rekor (GitHub's private one: Fulcio + TSA) are fine.
import type { Service, SigningConfig } from '@sigstore/protobuf-specs';
import { lazyModule } from '../lazy-module.js';
import { ModelsealError } from '../errors.js';
import { readJsonFile } from '../read-input-file.js';

const protobufSpecs = lazyModule<typeof import('@sigstore/protobuf-specs')>('@sigstore/protobuf-specs');
import { PUBLIC_GOOD_OIDC_ISSUER, STAGING_OIDC_ISSUER } from './identity/browser-oidc.js';

/** The URLs of a Sigstore instance: Fulcio, Rekor (and its API version), a TSA, the OIDC issuer. */
export interface SigstoreServices {
  fulcioURL: string;
  rekorURL?: string;
  /** Rekor API major version (1 or 2) of `rekorURL`. */
  rekorMajorApiVersion?: number;
  tsaURL?: string;
  /** OIDC issuer for the interactive login. */
  oidcIssuer?: string;
}

/** The Sigstore public-good instance (Fulcio, Rekor, OIDC issuer). */
export const PUBLIC_GOOD_SERVICES: SigstoreServices = {
  fulcioURL: 'https://fulcio.sigstore.dev',
  rekorURL: 'https://rekor.sigstore.dev',
  rekorMajorApiVersion: 1,
  tsaURL: 'https://timestamp.sigstore.dev/api/v1/timestamp',
  oidcIssuer: PUBLIC_GOOD_OIDC_ISSUER,
};

/** The Sigstore staging instance. */
export const STAGING_SERVICES: SigstoreServices = {
  fulcioURL: 'https://fulcio.sigstage.dev',
  rekorURL: 'https://rekor.sigstage.dev',
  rekorMajorApiVersion: 1,
  tsaURL: 'https://timestamp.sigstage.dev/api/v1/timestamp',
  oidcIssuer: STAGING_OIDC_ISSUER,
};

const SIGNING_CONFIG_MEDIA_TYPE = 'application/vnd.dev.sigstore.signingconfig.v0.2+json';
// API versions this client speaks (as @sigstore/sign 4.x): Fulcio v1 (v2 REST paths), Rekor v1 and v2, TSA v1.
const MAX_API = { ca: 1, tlog: 2, tsa: 1 };

/** Newest currently valid service within our API version, as Sigstore clients pick them. */
function pick(services: Service[], maxApi: number, now: Date): Service | undefined {
  return services
    .filter((s) => s.majorApiVersion <= maxApi)
    .filter(
      (s) => (!s.validFor?.start || s.validFor.start <= now) && (!s.validFor?.end || s.validFor.end >= now),
    )
    .sort((a, b) => (b.validFor?.start?.getTime() ?? 0) - (a.validFor?.start?.getTime() ?? 0))[0];
}

/** Read the services out of a parsed signing_config.json document. `source` names it in errors. */
export function servicesFromSigningConfig(json: unknown, source: string, now = new Date()): SigstoreServices {
  const mediaType = (json as { mediaType?: unknown } | null)?.mediaType;
  if (mediaType !== SIGNING_CONFIG_MEDIA_TYPE) {
    throw new ModelsealError(
      'USAGE',
      `${source}: not a Sigstore signing config (mediaType ${JSON.stringify(mediaType)}, expected ${SIGNING_CONFIG_MEDIA_TYPE})`,
    );
  }
  let cfg: SigningConfig;
  try {
    cfg = protobufSpecs().SigningConfig.fromJSON(json);
  } catch (e) {
    throw new ModelsealError('USAGE', `${source}: malformed signing config: ${(e as Error).message}`, {
      cause: e,
    });
  }
  for (const [name, c] of [
    ['rekorTlogConfig', cfg.rekorTlogConfig],
    ['tsaConfig', cfg.tsaConfig],
  ] as const) {
    if (
      c &&
      c.selector !== protobufSpecs().ServiceSelector.ANY &&
      c.selector !== protobufSpecs().ServiceSelector.EXACT
    ) {
      throw new ModelsealError(
        'USAGE',
        `${source}: ${name}.selector ${protobufSpecs().ServiceSelector[c.selector]} is not supported (use ANY or EXACT)`,
      );
    }
  }
  const ca = pick(cfg.caUrls, MAX_API.ca, now);
  if (!ca)
    throw new ModelsealError(
      'USAGE',
      `${source}: no currently valid Fulcio (caUrls) with API version <= ${MAX_API.ca}`,
    );
  const tlog = pick(cfg.rekorTlogUrls, MAX_API.tlog, now);
  const tsa = pick(cfg.tsaUrls, MAX_API.tsa, now);
  const oidc = pick(cfg.oidcUrls, 1, now);
  if (cfg.rekorTlogUrls.length > 0 && !tlog) {
    throw new ModelsealError(
      'USAGE',
      `${source}: none of the rekorTlogUrls is currently valid with API version <= ${MAX_API.tlog}`,
    );
  }
  if (cfg.tsaUrls.length > 0 && !tsa) {
    throw new ModelsealError(
      'USAGE',
      `${source}: none of the tsaUrls is currently valid with API version <= ${MAX_API.tsa}`,
    );
  }
  if (tlog && tlog.majorApiVersion >= 2 && !tsa) {
    throw new ModelsealError(
      'USAGE',
      `${source}: Rekor v2 (${tlog.url}) gives no signing time; the config must also list a timestamp authority`,
    );
  }
  if (!tlog && !tsa) {
    throw new ModelsealError(
      'USAGE',
      `${source}: lists neither a Rekor log nor a timestamp authority; a signature needs one`,
    );
  }
  return {
    fulcioURL: ca.url,
    rekorURL: tlog?.url,
    rekorMajorApiVersion: tlog?.majorApiVersion,
    tsaURL: tsa?.url,
    oidcIssuer: oidc?.url,
  };
}

/** Load a signing_config.json file. */
export async function loadSigningConfig(path: string): Promise<SigstoreServices> {
  return servicesFromSigningConfig(await readJsonFile(path, 'signing config', 'USAGE'), path);
}
