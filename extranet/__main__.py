"""Run a management command on the extranet: `python -m extranet <command>`."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "extranet.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["extranet", *sys.argv[1:]])


if __name__ == "__main__":
    main()
