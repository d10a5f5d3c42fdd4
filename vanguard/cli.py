"""The `vanguard` console command: every Django management command plus the
project's own. Hyphenated names (import-roster, api-token) map to modules."""

import os
import sys


def main(argv=None):
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanguard.settings")
    if len(argv) > 1 and "-" in argv[1] and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
