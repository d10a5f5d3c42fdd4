"""Settings for benchmark servers only: the product's settings with one extra route, the anchor
(anchor_urls.py). `rating_ingest.py` starts `vanguard serve` with DJANGO_SETTINGS_MODULE=anchor_settings
and this directory on PYTHONPATH; the product never loads it."""

from vanguard.settings import *  # noqa: F403

ROOT_URLCONF = "anchor_urls"
