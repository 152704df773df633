# The Python `model_signing` reference for `pnpm bench:hash`: hashes MODEL_DIR with model_signing's own
# hashing code (sha256, file serialization, its defaults: 1 MiB reads, a thread per CPU) and prints
# the file count. Usage: model-signing-hash.py MODEL_DIR [SRC_DIR]
# With SRC_DIR (the `src` folder of a model-transparency checkout), only model_signing.hashing and
# what it imports are loaded: the package's __init__ also loads signing (pyOpenSSL, sigstore), which
# hashing never uses; a missing `blake3` package is replaced by a stand-in the sha256 path never calls.
import sys
import types

model = sys.argv[1]
if len(sys.argv) > 2:
    package = types.ModuleType("model_signing")
    package.__path__ = [f"{sys.argv[2]}/model_signing"]
    sys.modules["model_signing"] = package
    try:
        import blake3  # noqa: F401
    except ImportError:
        stand_in = types.ModuleType("blake3")

        class _Blake3:
            AUTO = -1

            def __init__(self, *args, **kwargs):
                raise RuntimeError("blake3 is not installed: only sha256 is measured")

        stand_in.blake3 = _Blake3
        sys.modules["blake3"] = stand_in

import model_signing.hashing as hashing  # noqa: E402

manifest = hashing.Config().use_file_serialization(hashing_algorithm="sha256").hash(model)
print(len(list(manifest.resource_descriptors())), "files")
