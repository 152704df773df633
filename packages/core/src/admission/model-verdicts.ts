// The policy's verdict on a model, as the webhook needs it: evidence read from the registry
// (signatures and attestations, never weights), each digest evaluated once and cached, concurrent
// reviews of one digest sharing one evaluation, every wait bounded by the review's deadline.
import { ModelsealError } from '../errors.js';
import { openTarget, type OpenTargetOptions } from '../oci/open-target.js';
import { formatReference, type RegistryReference } from '../oci/reference.js';
import type { LoadedPolicy } from '../policy/load-policy.js';
import { evaluateReferencePolicy } from '../policy/reference-policy.js';
import type { PolicyResult } from '../policy/result.js';
import type { BundleVerifier } from '../oms/verifier.js';
import { pinnedReference } from './model-pod.js';

const MAX_VERDICTS = 1024;

/** Options of modelVerdicts. */
export interface ModelVerdictsOptions extends OpenTargetOptions {
  /** The policy; its `weights` block is left to the init container (admission never reads weights). */
  policy: LoadedPolicy;
  /** Verifies the bundles (normally policyVerifier(policy.policy)). */
  verifier: BundleVerifier;
  /** How long a verdict is reused for a digest, in ms. Default 300 000 (5 min). */
  cacheTtlMs?: number;
  /**
   * How long a tag's resolution is reused, in ms, so that the Pods of one rollout get one digest
   * (and one registry request). Default 10 000; 0 resolves every time.
   */
  resolveTtlMs?: number;
  /** Clock for the cache (tests). Default Date.now. */
  now?: () => number;
}

/** Resolves references and evaluates the policy on digests, with the cache; see modelVerdicts. */
export interface ModelVerdicts {
  /** The digest `ref` names now (its own digest, or a tag resolved). Throws registry errors. */
  resolve(ref: RegistryReference, deadline: number): Promise<string>;
  /** The policy result for `ref` pinned to `digest`. Throws registry errors and TIMEOUT. */
  verdict(ref: RegistryReference, digest: string, deadline: number): Promise<PolicyResult>;
}

/** `work`, or TIMEOUT at `deadline` (ms since the epoch); the work itself goes on and may be cached. */
function beforeDeadline<T>(work: Promise<T>, deadline: number, what: string): Promise<T> {
  const ms = Math.max(0, deadline - Date.now());
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ModelsealError('TIMEOUT', `${what} took longer than the review allows (${ms} ms)`)),
      ms,
    );
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** The policy without its weights block: scanning weights is the init container's job. */
function withoutWeights(loaded: LoadedPolicy): LoadedPolicy {
  const { weights: _weights, ...require } = loaded.policy.spec.require;
  return { ...loaded, policy: { ...loaded.policy, spec: { ...loaded.policy.spec, require } } };
}

/**
 * Verdicts for the webhook. A digest's evaluation runs once: concurrent callers share it, and its
 * result (allowed or denied) is kept `cacheTtlMs`; an evaluation that threw is not kept. A
 * reference by tag is resolved again after `resolveTtlMs` (tags move); calls within it, concurrent
 * ones included, share one registry request. Waits end with TIMEOUT at the caller's deadline.
 */
export function modelVerdicts(opts: ModelVerdictsOptions): ModelVerdicts {
  const { policy, verifier, cacheTtlMs = 300_000, resolveTtlMs = 10_000, now = Date.now, ...registry } = opts;
  const admissionPolicy = withoutWeights(policy);
  const resolving = new Map<string, { digest: Promise<string>; expires: number }>();
  const verdicts = new Map<string, { result: Promise<PolicyResult>; expires: number }>();
  return {
    resolve(ref, deadline) {
      if (ref.digest !== undefined) return Promise.resolve(ref.digest);
      const key = formatReference(ref);
      const cached = resolving.get(key);
      let pending = cached && cached.expires > now() ? cached.digest : undefined;
      if (!pending) {
        const { target, selector } = openTarget(ref, registry);
        pending = target.resolve(selector).then((d) => d.digest);
        const entry = { digest: pending, expires: Number.POSITIVE_INFINITY };
        resolving.set(key, entry);
        if (resolving.size > MAX_VERDICTS) resolving.delete(resolving.keys().next().value as string);
        pending.then(
          () => (entry.expires = now() + resolveTtlMs),
          () => {
            if (resolving.get(key) === entry) resolving.delete(key);
          },
        );
      }
      return beforeDeadline(pending, deadline, `resolving ${key}`);
    },
    verdict(ref, digest, deadline) {
      const pinned = pinnedReference(
        { kind: 'registry', registry: ref.registry, repository: ref.repository },
        digest,
      );
      const key = pinned;
      const cached = verdicts.get(key);
      let result = cached && cached.expires > now() ? cached.result : undefined;
      if (!result) {
        result = evaluateReferencePolicy(pinned, admissionPolicy, { ...registry, verifier }).then(
          (r) => r.result,
        );
        const entry = { result, expires: Number.POSITIVE_INFINITY };
        verdicts.set(key, entry);
        // Bounded: the oldest verdict goes first (Map keeps insertion order).
        if (verdicts.size > MAX_VERDICTS) verdicts.delete(verdicts.keys().next().value as string);
        result.then(
          () => (entry.expires = now() + cacheTtlMs),
          () => {
            if (verdicts.get(key) === entry) verdicts.delete(key);
          },
        );
      }
      return beforeDeadline(result, deadline, `evaluating the policy on ${pinned}`);
    },
  };
}
