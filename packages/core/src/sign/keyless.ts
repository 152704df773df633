// The keyless BundleSigner: an ephemeral key certified by Fulcio for an OIDC identity, witnessed by
// Rekor (dsse entry) and/or an RFC 3161 TSA, packaged by DSSEBundleBuilder as a v0.3 bundle with `certificate`.
import type { SerializedBundle } from '@sigstore/bundle';
import type { Witness } from '@sigstore/sign';
import { lazyModule } from '../lazy-module.js';
import { ModelsealError } from '../errors.js';
import type { BundleSigner } from './signer.js';
import { checkedSigner } from './checked-signer.js';
import { keylessVerifier, type KeylessVerifierOptions } from '../verify/sigstore-verifier.js';
import type { SigningConfig } from '@sigstore/protobuf-specs';

const sigstoreBundle = lazyModule<typeof import('@sigstore/bundle')>('@sigstore/bundle');
const sigstoreSign = lazyModule<typeof import('@sigstore/sign')>('@sigstore/sign');
const protobufSpecs = lazyModule<typeof import('@sigstore/protobuf-specs')>('@sigstore/protobuf-specs');
import {
  loadSigningConfig,
  PUBLIC_GOOD_SERVICES,
  servicesFromSigningConfig,
  STAGING_SERVICES,
  type SigstoreServices,
} from './keyless-services.js';
import {
  resolveIdentityToken,
  type ResolvedToken,
  type TokenSourceOptions,
} from './identity/token-sources.js';

/**
 * Options of keylessSigner(): where the identity token comes from, which Sigstore instance (default
 * public-good), timeouts, and an optional post-sign check against a trusted root.
 */
export interface KeylessSignerOptions extends Omit<TokenSourceOptions, 'identityToken'> {
  /** An OIDC identity token (JWT). Else the sources in token-sources.ts are tried in order. */
  identityToken?: string;
  /** Your own token source; takes precedence over every other source. */
  identityProvider?: { getToken(): Promise<string> };
  /** A signing_config.json path, a parsed SigningConfig, or resolved services. Default: public-good (or staging). */
  signingConfig?: string | SigningConfig | SigstoreServices;
  /** Explicit service URLs (override the signing config). */
  fulcioURL?: string;
  rekorURL?: string;
  tsaURL?: string;
  /** Use Sigstore's staging instance instead of public-good. */
  staging?: boolean;
  /** Per-request timeout (ms) and retries for Fulcio/Rekor/TSA. */
  timeoutMs?: number;
  retries?: number;
  /** Called once the token is resolved (for "signing as ..." messages). Never receives the token. */
  onIdentity?: (who: Omit<ResolvedToken, 'token'>) => void;
  /**
   * Check every new bundle against this trusted root before returning it, as cosign does after
   * signing (chain, SCT, log entry or timestamp, signature; any identity): a file path, a source or
   * a parsed root. A failing check rejects with the verifier's code (e.g. UNTRUSTED_CHAIN) and no
   * bundle is returned. Default: no check.
   */
  trustedRoot?: KeylessVerifierOptions['trustedRoot'];
}

async function resolveServices(opts: KeylessSignerOptions): Promise<SigstoreServices> {
  const cfg = opts.signingConfig;
  const base =
    typeof cfg === 'string'
      ? await loadSigningConfig(cfg)
      : cfg !== undefined && 'caUrls' in cfg
        ? servicesFromSigningConfig(protobufSpecs().SigningConfig.toJSON(cfg), 'the signing config')
        : (cfg ?? (opts.staging ? STAGING_SERVICES : PUBLIC_GOOD_SERVICES));
  const explicit = opts.fulcioURL !== undefined;
  return {
    ...base,
    fulcioURL: opts.fulcioURL ?? base.fulcioURL,
    // explicit URLs describe the whole instance: no Rekor/TSA unless given
    rekorURL: explicit ? opts.rekorURL : (opts.rekorURL ?? base.rekorURL),
    rekorMajorApiVersion: explicit && opts.rekorURL ? 1 : base.rekorMajorApiVersion,
    tsaURL: explicit ? opts.tsaURL : (opts.tsaURL ?? base.tsaURL),
  };
}

function redact(message: string, token: string | undefined): string {
  return token ? message.split(token).join('<identity token>') : message;
}

/** Translate @sigstore/sign failures into modelseal errors, never echoing the token. */
function signingError(e: unknown, services: SigstoreServices, token: string | undefined): ModelsealError {
  if (e instanceof ModelsealError) return e;
  const code = (e as { code?: unknown })?.code;
  const cause = (e as { cause?: unknown })?.cause;
  const detail = redact(
    [(e as Error)?.message, cause instanceof Error ? cause.message : undefined].filter(Boolean).join(': '),
    token,
  );
  switch (code) {
    case 'CA_CREATE_SIGNING_CERTIFICATE_ERROR':
      return new ModelsealError(
        'SIGSTORE_SERVICE',
        `Fulcio at ${services.fulcioURL} refused a certificate: ${detail}`,
      );
    case 'TLOG_CREATE_ENTRY_ERROR':
    case 'TLOG_FETCH_ENTRY_ERROR':
      return new ModelsealError(
        'SIGSTORE_SERVICE',
        `Rekor at ${services.rekorURL} did not log the signature: ${detail}`,
      );
    case 'TSA_CREATE_TIMESTAMP_ERROR':
      return new ModelsealError(
        'SIGSTORE_SERVICE',
        `timestamp authority at ${services.tsaURL} failed: ${detail}`,
      );
    case 'IDENTITY_TOKEN_READ_ERROR':
    case 'IDENTITY_TOKEN_PARSE_ERROR':
      return new ModelsealError('MISSING_IDENTITY_TOKEN', `the identity token could not be used: ${detail}`);
    default:
      return new ModelsealError('SIGSTORE_SERVICE', `keyless signing failed: ${detail}`);
  }
}

/**
 * protobuf JSON drops an empty `tlogEntries` (a Rekor-less instance such as GitHub's private one), but the
 * OMS bundle schema requires the key for keyless bundles: keep it, as `[]`, in its usual place.
 */
function withExplicitTlogEntries(bundle: SerializedBundle): SerializedBundle {
  const vm = bundle.verificationMaterial;
  if (vm.tlogEntries !== undefined) return bundle;
  const { timestampVerificationData, ...material } = vm;
  return {
    ...bundle,
    verificationMaterial: {
      ...material,
      tlogEntries: [],
      timestampVerificationData,
    } as SerializedBundle['verificationMaterial'],
  };
}

/**
 * Create a keyless (Sigstore) signer: an ephemeral key certified by Fulcio for an OIDC identity,
 * witnessed by Rekor and/or a TSA. Default instance: public-good. Nothing is fetched until
 * signStatement() is called, which rejects with MISSING_IDENTITY_TOKEN, SIGSTORE_SERVICE or USAGE
 * (and, with `trustedRoot`, with the self-check's verification code).
 */
export function keylessSigner(opts: KeylessSignerOptions = {}): BundleSigner {
  const signer = unverifiedKeylessSigner(opts);
  if (opts.trustedRoot === undefined) return signer;
  const verifier = keylessVerifier({
    identityRegExp: '.+',
    issuerRegExp: '.+',
    trustedRoot: opts.trustedRoot,
  });
  return checkedSigner(signer, verifier);
}

function unverifiedKeylessSigner(opts: KeylessSignerOptions): BundleSigner {
  const fetchOptions = { timeout: opts.timeoutMs ?? 30_000, retry: { retries: opts.retries ?? 2 } };
  return {
    kind: 'keyless',
    async signStatement(statement: Buffer, payloadType: string): Promise<SerializedBundle> {
      const services = await resolveServices(opts);
      if (!services.rekorURL && !services.tsaURL) {
        throw new ModelsealError(
          'USAGE',
          'keyless signing needs a Rekor log or a timestamp authority (got neither)',
        );
      }
      let token: string | undefined;
      try {
        if (opts.identityProvider) {
          token = await opts.identityProvider.getToken();
        } else {
          const resolved = await resolveIdentityToken({
            ...opts,
            oidcIssuer: opts.oidcIssuer ?? services.oidcIssuer,
          });
          token = resolved.token;
          const { token: _secret, ...who } = resolved;
          opts.onIdentity?.(who);
        }
        const tokenValue = token;
        const signer = new (sigstoreSign().FulcioSigner)({
          fulcioBaseURL: services.fulcioURL,
          identityProvider: { getToken: async () => tokenValue },
          ...fetchOptions,
        });
        const witnesses: Witness[] = [];
        if (services.rekorURL) {
          witnesses.push(
            new (sigstoreSign().RekorWitness)({
              rekorBaseURL: services.rekorURL,
              majorApiVersion: services.rekorMajorApiVersion ?? 1,
              entryType: 'dsse',
              fetchOnConflict: true,
              ...fetchOptions,
            }),
          );
        }
        if (services.tsaURL)
          witnesses.push(new (sigstoreSign().TSAWitness)({ tsaBaseURL: services.tsaURL, ...fetchOptions }));
        const bundle = await new (sigstoreSign().DSSEBundleBuilder)({ signer, witnesses }).create({
          data: statement,
          type: payloadType,
        });
        return withExplicitTlogEntries(sigstoreBundle().bundleToJSON(bundle));
      } catch (e) {
        throw signingError(e, services, token);
      }
    },
  };
}
