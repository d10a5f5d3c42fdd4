import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanguard.settings")
application = get_wsgi_application()

# Each worker imports its views and compiles its templates before serving (vanguard.core.warmup).
from vanguard.core.warmup import warm_up  # noqa: E402 -- needs the settings get_wsgi_application set up

warm_up()
