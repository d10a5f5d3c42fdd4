"""Work a web worker does once before its first request instead of during it.

A fresh worker imported every view (resolving its first URL) and compiled each template on first
use: the first page a worker served took about a second longer than the next (the city's
administrator's home: 1.16 s, then 0.17 s). `vanguard.wsgi` calls `warm_up()` as each worker
loads the application, before it accepts a connection. Nothing here touches the database."""

from pathlib import Path

import vanguard

PACKAGE = Path(vanguard.__file__).resolve().parent


def warm_up():
    """Import every URLconf and view, and compile the project's own templates into the cached
    loader. Returns the number of templates compiled (a broken template raises here, at start-up)."""
    from django.template import engines
    from django.urls import get_resolver

    get_resolver()._populate()
    compiled = 0
    for engine in engines.all():
        for directory in map(Path, engine.template_dirs):
            if not directory.resolve().is_relative_to(PACKAGE):
                continue  # third-party templates: compiled when used, as before
            for path in sorted(directory.rglob("*.html")):
                engine.get_template(path.relative_to(directory).as_posix())
                compiled += 1
    return compiled
