"""The `gridsales` console script: every Django management command, plus demo and serve."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridsales.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gridsales", *sys.argv[1:]])


if __name__ == "__main__":
    main()
