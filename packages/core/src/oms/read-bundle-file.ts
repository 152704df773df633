// Reading a signature file from disk: a regular file only, with a size cap, before parseBundle.
import { ModelsealError } from '../errors.js';
import { readInputFile } from '../read-input-file.js';

/**
 * The largest signature file read: 32 MiB. A bundle costs about 160 bytes per resource, so a
 * 50,000-file model signs to ~8 MB; this leaves room for ~200,000 resources.
 */
export const MAX_BUNDLE_BYTES = 32 * 1024 * 1024;

/** The signature file: a regular file only (no FIFO, no /dev/zero behind a symlink), at most MAX_BUNDLE_BYTES. */
export function readBundleFile(file: string): Promise<Buffer> {
  return readInputFile(file, 'signature', {
    maxBytes: MAX_BUNDLE_BYTES,
    notFound: () => new ModelsealError('NOT_FOUND', `signature '${file}' does not exist`),
    tooLarge: (size) =>
      new ModelsealError(
        'MALFORMED_BUNDLE',
        size === undefined
          ? `signature '${file}' grew past the ${MAX_BUNDLE_BYTES} bytes a bundle may have`
          : `signature '${file}' is ${size} bytes, more than the ${MAX_BUNDLE_BYTES} a bundle may have`,
      ),
  });
}
