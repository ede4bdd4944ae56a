"""The `encaisse` console command: a thin wrapper over the management commands.

`encaisse serve`, `encaisse import …`, `encaisse demo …` and every other
Django command (`encaisse migrate`, `encaisse createsuperuser`) work from any
directory once the package is installed.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "encaisse.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "encaisse"
    if len(args) == 1:
        args.append("help")
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
