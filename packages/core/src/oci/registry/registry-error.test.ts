import { describe, it, expect } from 'vitest';
import { errorFromStatus, parseErrorBody, shortDigest } from './registry-error.js';

describe('parseErrorBody', () => {
  it('reads the first registry JSON error with its string detail', () => {
    const body = Buffer.from(
      JSON.stringify({
        errors: [
          { code: 'MANIFEST_BLOB_UNKNOWN', message: 'blob unknown to registry', detail: 'sha256:abc' },
        ],
      }),
    );
    expect(parseErrorBody(body, 'application/json')).toEqual({
      code: 'MANIFEST_BLOB_UNKNOWN',
      message: 'blob unknown to registry: sha256:abc',
    });
  });
  it('turns plain text and HTML into one short line', () => {
    expect(parseErrorBody(Buffer.from('404 page not found\n'), 'text/plain')).toEqual({
      message: '404 page not found',
    });
    expect(
      parseErrorBody(
        Buffer.from('<html><body><h1>413 Request\nEntity Too Large</h1></body></html>'),
        'text/html',
      ),
    ).toEqual({
      message: '413 Request Entity Too Large',
    });
    expect(parseErrorBody(Buffer.from('x'.repeat(500)), 'text/plain').message).toHaveLength(200);
  });
});

describe('errorFromStatus', () => {
  const ctx = { registry: '127.0.0.1:5000', action: 'push of blob sha256:ab12… to ns/model' };
  it('maps 401/403 to REGISTRY_AUTH, manifest 404 to NOT_FOUND, the rest to REGISTRY', () => {
    const e = errorFromStatus(401, 'UNAUTHORIZED', 'authentication required', ctx);
    expect(e.code).toBe('REGISTRY_AUTH');
    expect(e.message).toBe(
      'registry 127.0.0.1:5000 refused push of blob sha256:ab12… to ns/model: 401 UNAUTHORIZED (authentication required)',
    );
    expect(e.details).toEqual({ status: 401, registryCode: 'UNAUTHORIZED' });
    expect(errorFromStatus(403, undefined, '', ctx).code).toBe('REGISTRY_AUTH');
    expect(errorFromStatus(404, 'MANIFEST_UNKNOWN', 'x', { ...ctx, kind: 'manifest' }).code).toBe(
      'NOT_FOUND',
    );
    expect(errorFromStatus(404, 'BLOB_UNKNOWN', 'x', { ...ctx, kind: 'blob' }).code).toBe('REGISTRY');
    expect(errorFromStatus(500, undefined, '', ctx).message).toBe(
      'registry 127.0.0.1:5000 refused push of blob sha256:ab12… to ns/model: 500',
    );
  });
  it('shortens digests to 12 hex characters', () => {
    expect(shortDigest(`sha256:${'ab'.repeat(32)}`)).toBe('sha256:abababababab…');
    expect(shortDigest('v1')).toBe('v1');
  });
});
