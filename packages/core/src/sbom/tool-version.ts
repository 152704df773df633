// The name and version of this tool as recorded in provenance (builder.version) and SBOM metadata.tools,
// read once from @modelseal/core's package.json.
import { readFileSync } from 'node:fs';

/** Name recorded in SBOM `metadata.tools` and provenance `builder.version`. */
export const TOOL_NAME = 'modelseal';

let version: string | undefined;

/** @modelseal/core's version (package.json), e.g. "0.1.0". */
export function toolVersion(): string {
  if (version === undefined) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    version = typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  }
  return version;
}
