"""A web worker compiles the project's templates and imports its views before its first request."""

from pathlib import Path

from django.template import engines

import vanguard
from vanguard.core.warmup import warm_up


def test_warm_up_compiles_every_project_template_into_the_cached_loader():
    root = Path(vanguard.__file__).resolve().parent
    files = list(root.glob("*/templates/**/*.html"))
    assert warm_up() == len(files) > 100
    cached = engines["django"].engine.template_loaders[0]
    assert type(cached).__name__ == "Loader" and cached.__module__ == "django.template.loaders.cached"
    names = {key.split("-")[0] for key in cached.get_template_cache}
    assert {"base.html", "assessment/grid.html"} <= names
