"""Compile the gettext catalogues with polib, so no GNU gettext is needed to build.

``make messages`` runs it after extraction; the test suite checks the committed .mo files
match their .po sources.
"""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def catalogues():
    return sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po"))


def main() -> None:
    for po_path in catalogues():
        polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
        print(f"compiled {po_path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
