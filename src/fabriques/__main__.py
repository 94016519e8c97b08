"""`python -m fabriques <command>` runs a Django management command.

Commands may be written with dashes (`load-call`) as in the documentation;
they map to the module names with underscores (`load_call`).
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fabriques.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "python -m fabriques"
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
