"""Static files: hashed names (cache forever) and gzip copies served by whitenoise.
Brotli at its maximum level took minutes for the vendored bundles on a 2-core
machine; gzip gives most of the saving in seconds."""

from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def create_compressor(self, **kwargs):
        return Compressor(use_brotli=False, **kwargs)
