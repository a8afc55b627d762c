"""Run a management command on the intranet: `python -m intranet <command>`."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intranet.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["intranet", *sys.argv[1:]])


if __name__ == "__main__":
    main()
