"""Extract and compile the gettext catalogues.

The repository-wide catalogue ``locale/`` covers common/, intranet/ and extranet/; a
package with its own ``locale/`` directory (an app such as core_finance or intranet/oa)
keeps its strings there. Compiling uses polib, so no GNU gettext is needed to build;
extraction (``--extract``) uses Django's makemessages and so needs GNU gettext.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", "var", "node_modules", "tests", ".git", "bench", "ops"}


def locale_dirs() -> list[Path]:
    found = [ROOT / "locale"]
    for path in ROOT.rglob("locale"):
        rel = path.relative_to(ROOT)
        if path.is_dir() and rel.parts[0] not in SKIP and path != ROOT / "locale":
            found.append(path)
    return sorted(found)


def catalogues() -> list[Path]:
    return sorted(p for d in locale_dirs() for p in d.glob("*/LC_MESSAGES/*.po"))


def extract() -> None:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="intranet.settings")
    own = [d.parent for d in locale_dirs() if d != ROOT / "locale"]
    for package in own:
        subprocess.run([sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans"], cwd=package, env=env,
                       check=True)
    ignores = [f"--ignore={name}" for name in SKIP] + [f"--ignore={p.relative_to(ROOT)}/*" for p in own]
    subprocess.run([sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", *ignores], cwd=ROOT, env=env,
                   check=True)


def compile_all() -> None:
    for po_path in catalogues():
        polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
        print(f"compiled {po_path.relative_to(ROOT)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--extract", action="store_true", help="run makemessages first")
    args = parser.parse_args()
    if args.extract:
        extract()
    compile_all()
