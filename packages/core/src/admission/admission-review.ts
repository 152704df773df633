// AdmissionReview v1 (admission.k8s.io/v1) as the API server posts it to a webhook: the request is
// checked just enough to act on it safely (uid, operation, the Pod object), and the response is
// built with the request's uid. Anything that is not such a review is MALFORMED_REVIEW.
import { ModelsealError } from '../errors.js';
import { isJsonObject } from '../json-object.js';
import { jsonShapeProblem } from '../json-shape.js';

/** The largest review body accepted: the API server's own request limit is 3 MiB. */
export const MAX_REVIEW_BYTES = 3 * 1024 * 1024;

/** A Kubernetes object as JSON (a Pod, here), read field by field where needed. */
export type KubeObject = Record<string, unknown>;

/** The parts of an AdmissionRequest the webhook uses. */
export interface AdmissionRequest {
  uid: string;
  /** CREATE, UPDATE, DELETE or CONNECT */
  operation: string;
  /** `kind.kind` of the object, e.g. `Pod` */
  kind: string;
  namespace?: string;
  /** The object being admitted; `{}` for DELETE. */
  object: KubeObject;
}

/** A JSONPatch (RFC 6902) operation as the webhook emits it: only `add`. */
export interface JsonPatchOperation {
  op: 'add';
  path: string;
  value: unknown;
}

/** The verdict on one request, turned into an AdmissionResponse by reviewResponse. */
export interface AdmissionVerdict {
  allowed: boolean;
  /** Why a request was refused (shown to the user by kubectl), or what audit mode let through. */
  message?: string;
  /** Shown by kubectl as `Warning: ...` (audit mode). */
  warnings?: string[];
  patch?: JsonPatchOperation[];
}

/** MALFORMED_REVIEW saying why the body is not an AdmissionReview v1. */
export function malformedReview(why: string): ModelsealError {
  return new ModelsealError('MALFORMED_REVIEW', `not an admission.k8s.io/v1 AdmissionReview: ${why}`);
}

/**
 * Parse a request body as an AdmissionReview v1 and return its request. Throws MALFORMED_REVIEW
 * for a body over MAX_REVIEW_BYTES, nested too deep, not JSON, of another apiVersion/kind, or
 * without a request uid, operation, kind or object.
 */
export function parseAdmissionReview(body: Uint8Array): AdmissionRequest {
  if (body.byteLength > MAX_REVIEW_BYTES) throw malformedReview(`the body is over ${MAX_REVIEW_BYTES} bytes`);
  const deep = jsonShapeProblem(body);
  if (deep) throw malformedReview(deep);
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    throw malformedReview('the body is not JSON');
  }
  if (!isJsonObject(doc)) throw malformedReview('the body is not a JSON object');
  if (doc.apiVersion !== 'admission.k8s.io/v1' || doc.kind !== 'AdmissionReview')
    throw malformedReview(`apiVersion/kind is ${String(doc.apiVersion)}/${String(doc.kind)}`);
  const req = doc.request;
  if (!isJsonObject(req)) throw malformedReview('request is missing');
  if (typeof req.uid !== 'string' || req.uid === '') throw malformedReview('request.uid is missing');
  if (typeof req.operation !== 'string') throw malformedReview('request.operation is missing');
  if (!isJsonObject(req.kind) || typeof req.kind.kind !== 'string')
    throw malformedReview('request.kind is missing');
  const object = req.object ?? {};
  if (!isJsonObject(object)) throw malformedReview('request.object is not an object');
  return {
    uid: req.uid,
    operation: req.operation,
    kind: req.kind.kind,
    ...(typeof req.namespace === 'string' ? { namespace: req.namespace } : {}),
    object,
  };
}

/** The AdmissionReview v1 answering request `uid` with `verdict` (a denial carries status 403). */
export function reviewResponse(uid: string, verdict: AdmissionVerdict): KubeObject {
  const response: KubeObject = { uid, allowed: verdict.allowed };
  if (!verdict.allowed)
    response.status = { code: 403, reason: 'Forbidden', message: verdict.message ?? 'denied' };
  if (verdict.warnings && verdict.warnings.length > 0) response.warnings = verdict.warnings;
  if (verdict.patch && verdict.patch.length > 0) {
    response.patchType = 'JSONPatch';
    response.patch = Buffer.from(JSON.stringify(verdict.patch)).toString('base64');
  }
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}
