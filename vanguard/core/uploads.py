"""Where uploads are stored. Files under media/public/ are served without a
permission check (signboards, boards), so their names must not be guessable:
the uploaded name (often the person's name or a sequence) is replaced by a
random one, keeping only the extension."""

import os
import secrets

from django.utils.deconstruct import deconstructible


@deconstructible
class RandomName:
    """upload_to for a public folder: `<folder>/<32 random hex digits><.ext>`.
    A class (not a closure) so migrations can serialise it."""

    def __init__(self, folder):
        self.folder = folder.rstrip("/")

    def __call__(self, instance, filename):
        extension = os.path.splitext(filename)[1].lower()[:10]
        return f"{self.folder}/{secrets.token_hex(16)}{extension}"

    def __eq__(self, other):
        return isinstance(other, RandomName) and other.folder == self.folder
