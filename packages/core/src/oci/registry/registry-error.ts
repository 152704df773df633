// Turns registry answers (JSON `{"errors":[...]}`, plain text, HTML) and transport failures into one
// clear RegistryError line: registry, what we were doing, HTTP status, registry code and message.

import type { IncomingMessage } from 'node:http';
import { http } from '../../node-http.js';
import { RegistryError, type ErrorCode } from '../../errors.js';
import { readBody, TransportTimeoutError } from './http-transport.js';

/** What a request was doing, for messages: e.g. "push of blob sha256:ab12… to ns/model". */
export interface RequestContext {
  registry: string;
  action: string;
  /** 'manifest' makes a 404 a NOT_FOUND error. */
  kind?: 'manifest' | 'blob' | 'other';
}

export function shortDigest(digest: string): string {
  const idx = digest.indexOf(':');
  return idx > 0 && digest.length > idx + 13 ? `${digest.slice(0, idx + 13)}…` : digest;
}

interface ParsedError {
  code?: string;
  message: string;
}

/** Best-effort parse of a registry error body into one short line. */
export function parseErrorBody(body: Buffer, contentType: string | undefined): ParsedError {
  const text = body.toString('utf8');
  if (text.trim().startsWith('{')) {
    try {
      const json = JSON.parse(text) as {
        errors?: Array<{ code?: unknown; message?: unknown; detail?: unknown }>;
      };
      const first = Array.isArray(json.errors) ? json.errors[0] : undefined;
      if (first) {
        const code = typeof first.code === 'string' ? first.code : undefined;
        let message = typeof first.message === 'string' ? first.message : '';
        if (typeof first.detail === 'string' && first.detail && !message.includes(first.detail)) {
          message = message ? `${message}: ${first.detail}` : first.detail;
        }
        return { code, message: oneLine(message) };
      }
    } catch {
      // fall through to plain text
    }
  }
  const plain =
    contentType?.includes('html') || /<\/?[a-z][^>]*>/i.test(text) ? text.replace(/<[^>]*>/g, ' ') : text;
  return { message: oneLine(plain) };
}

function oneLine(s: string): string {
  const collapsed = s.replace(/\s+/g, ' ').trim();
  return collapsed.length > 200 ? `${collapsed.slice(0, 199)}…` : collapsed;
}

function codeForStatus(status: number, ctx: RequestContext): ErrorCode {
  if (status === 401 || status === 403) return 'REGISTRY_AUTH';
  if (status === 404 && ctx.kind === 'manifest') return 'NOT_FOUND';
  return 'REGISTRY';
}

/** Build the RegistryError for an unsuccessful response (reads at most 64 KiB of its body). */
export async function errorFromResponse(res: IncomingMessage, ctx: RequestContext): Promise<RegistryError> {
  let body: Buffer = Buffer.alloc(0);
  try {
    body = await readBody(res, 64 * 1024);
  } catch {
    res.destroy();
  }
  const status = res.statusCode ?? 0;
  const parsed = parseErrorBody(body, res.headers['content-type']);
  // HEAD answers carry no body: say at least what the status means.
  const message = parsed.message || parsed.code ? parsed.message : (http().STATUS_CODES[status] ?? '');
  return errorFromStatus(status, parsed.code, message, ctx);
}

export function errorFromStatus(
  status: number,
  registryCode: string | undefined,
  message: string,
  ctx: RequestContext,
): RegistryError {
  const what = [String(status), registryCode].filter(Boolean).join(' ');
  const detail = message ? ` (${message})` : '';
  return new RegistryError(
    codeForStatus(status, ctx),
    `registry ${ctx.registry} refused ${ctx.action}: ${what}${detail}`,
    {
      status,
      registryCode,
    },
  );
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${+(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}

/** What a host failed to do within the limit, per timed-out phase. */
function missed(err: TransportTimeoutError): string {
  const limit = seconds(err.ms);
  switch (err.phase) {
    case 'connect':
      return `did not accept a connection within ${limit}`;
    case 'headers':
      return `did not answer within ${limit}`;
    case 'idle':
      return `did not send or receive anything within ${limit}`;
    case 'deadline':
      return `did not finish within ${limit}`;
    case 'rate':
      return `sent less than ${err.facts?.minBytesPerSecond ?? 0} bytes/s over ${limit}`;
    case 'send-rate':
      return `took less than ${err.facts?.minBytesPerSecond ?? 0} bytes/s of the upload over ${limit}`;
  }
}

/**
 * "read 12 bytes of the response headers in 61.2 s", "nothing read in 30 s"; for an upload "it took
 * 4194396 bytes of the request (a body of 8388608 bytes) in 2 s".
 */
function whatWasRead(err: TransportTimeoutError): string {
  const f = err.facts;
  if (!f) return '';
  if (f.sent) {
    const of = f.sent.bodySize === undefined ? '' : ` (a body of ${f.sent.bodySize} bytes)`;
    return `; it took ${f.sent.bytes} bytes of the request${of} in ${seconds(f.waitedMs)}`;
  }
  const part = f.headersDone ? 'of the response' : 'of the response headers';
  const read = f.bytesRead === 0 ? 'nothing read' : `read ${f.bytesRead} bytes ${part}`;
  return `; ${read} in ${seconds(f.waitedMs)}`;
}

/**
 * A transport failure (after `attempts` attempts) as a RegistryError; timeouts are TIMEOUT, naming
 * the host, the phase, what had been read and how long it waited.
 */
export function networkError(err: unknown, ctx: RequestContext, attempts = 1): RegistryError {
  if (err instanceof TransportTimeoutError) {
    const tries = attempts > 1 ? ` (${attempts} attempts)` : '';
    const host = err.facts?.host ?? ctx.registry;
    const who = host === ctx.registry ? `registry ${host}` : `host ${host} (for registry ${ctx.registry})`;
    return new RegistryError(
      'TIMEOUT',
      `${who} ${missed(err)} during ${ctx.action}${tries}${whatWasRead(err)}; check the registry or raise the timeouts`,
      { cause: err },
    );
  }
  const e = err as NodeJS.ErrnoException;
  const reason = e?.code ?? e?.message ?? String(err);
  return new RegistryError(
    'REGISTRY',
    `registry ${ctx.registry} unreachable during ${ctx.action}: ${reason}`,
    { cause: err },
  );
}
