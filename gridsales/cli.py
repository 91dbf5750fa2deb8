"""The `gridsales` console script: every Django management command, plus demo and serve."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridsales.settings")
    if sys.argv[1:2] == ["demo"]:
        # The demo is a local trial: DEBUG gives the development server, plain HTTP and
        # readable errors. Settings read DEBUG once at start-up, hence before Django.
        os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gridsales", *sys.argv[1:]])


if __name__ == "__main__":
    main()
