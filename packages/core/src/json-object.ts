// The one test for "a JSON object" (not null, not an array), for code that checks untrusted JSON.

export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
