// Signing configs (v0.2): which Fulcio, Rekor and TSA a keyless signer uses.
import { describe, expect, it } from 'vitest';
import { servicesFromSigningConfig } from './keyless-services.js';

const MT = 'application/vnd.dev.sigstore.signingconfig.v0.2+json';
const svc = (url: string, majorApiVersion: number, start: string, end?: string) => ({
  url,
  majorApiVersion,
  validFor: { start, ...(end ? { end } : {}) },
});
const NOW = new Date('2026-01-01T00:00:00Z');

describe('servicesFromSigningConfig', () => {
  it('picks the newest currently valid service within the API versions we speak', () => {
    const s = servicesFromSigningConfig(
      {
        mediaType: MT,
        caUrls: [
          svc('https://fulcio.old', 1, '2020-01-01T00:00:00Z', '2024-01-01T00:00:00Z'),
          svc('https://fulcio.new', 1, '2024-01-01T00:00:00Z'),
          svc('https://fulcio.v2', 2, '2025-01-01T00:00:00Z'),
        ],
        oidcUrls: [svc('https://oauth2.example/auth', 1, '2024-01-01T00:00:00Z')],
        rekorTlogUrls: [
          svc('https://rekor.v1', 1, '2021-01-01T00:00:00Z'),
          svc('https://rekor.v2', 2, '2025-06-01T00:00:00Z'),
          svc('https://rekor.future', 1, '2027-01-01T00:00:00Z'),
        ],
        tsaUrls: [svc('https://tsa/api/v1/timestamp', 1, '2024-01-01T00:00:00Z')],
        rekorTlogConfig: { selector: 'ANY' },
        tsaConfig: { selector: 'ANY' },
      },
      'sc.json',
      NOW,
    );
    expect(s).toEqual({
      fulcioURL: 'https://fulcio.new',
      rekorURL: 'https://rekor.v2',
      rekorMajorApiVersion: 2,
      tsaURL: 'https://tsa/api/v1/timestamp',
      oidcIssuer: 'https://oauth2.example/auth',
    });
  });

  it('accepts a GitHub-style instance: Fulcio + TSA, no Rekor', () => {
    const s = servicesFromSigningConfig(
      {
        mediaType: MT,
        caUrls: [svc('https://fulcio.githubapp.com', 1, '2023-01-01T00:00:00Z')],
        tsaUrls: [svc('https://timestamp.githubapp.com/api/v1/timestamp', 1, '2023-01-01T00:00:00Z')],
        tsaConfig: { selector: 'ANY' },
      },
      'gh.json',
      NOW,
    );
    expect(s.rekorURL).toBeUndefined();
    expect(s.tsaURL).toBe('https://timestamp.githubapp.com/api/v1/timestamp');
  });

  it('rejects what it cannot use, naming the file', () => {
    expect(() => servicesFromSigningConfig({ mediaType: 'x' }, 'sc.json', NOW)).toThrow(
      /^sc\.json: not a Sigstore signing config/,
    );
    expect(() =>
      servicesFromSigningConfig(
        { mediaType: MT, caUrls: [], tsaUrls: [svc('https://t', 1, '2024-01-01T00:00:00Z')] },
        'sc.json',
        NOW,
      ),
    ).toThrow('sc.json: no currently valid Fulcio (caUrls) with API version <= 1');
    expect(() =>
      servicesFromSigningConfig(
        { mediaType: MT, caUrls: [svc('https://f', 1, '2024-01-01T00:00:00Z')] },
        'sc.json',
        NOW,
      ),
    ).toThrow('sc.json: lists neither a Rekor log nor a timestamp authority; a signature needs one');
    expect(() =>
      servicesFromSigningConfig(
        {
          mediaType: MT,
          caUrls: [svc('https://f', 1, '2024-01-01T00:00:00Z')],
          rekorTlogUrls: [svc('https://r2', 2, '2025-01-01T00:00:00Z')],
          rekorTlogConfig: { selector: 'ANY' },
        },
        'sc.json',
        NOW,
      ),
    ).toThrow(
      'sc.json: Rekor v2 (https://r2) gives no signing time; the config must also list a timestamp authority',
    );
    expect(() =>
      servicesFromSigningConfig(
        {
          mediaType: MT,
          caUrls: [svc('https://f', 1, '2024-01-01T00:00:00Z')],
          rekorTlogUrls: [svc('https://r', 1, '2024-01-01T00:00:00Z')],
          rekorTlogConfig: { selector: 'ALL' },
        },
        'sc.json',
        NOW,
      ),
    ).toThrow('sc.json: rekorTlogConfig.selector ALL is not supported (use ANY or EXACT)');
  });
});
