"""The full rebuild: derive every entry again from its source, then rebuild the index."""

from __future__ import annotations

from collections.abc import Callable

from search import sources
from search.services import indexing


def rebuild(progress: Callable[[str, int, int], None] | None = None, *, derive: bool = True) -> dict:
    report: dict = {"sources": {}, "removed": 0, "indexed": 0}
    if derive:
        for name, sync_all in sources.all_sources().items():
            keys = sync_all()
            removed = indexing.remove_source(name, keep=keys)
            report["sources"][name] = len(keys)
            report["removed"] += removed
            if progress:
                progress(f"source:{name}", len(keys), len(keys))
    report["indexed"] = indexing.reindex_all(
        progress=(lambda done, total: progress("index", done, total)) if progress else None)
    return report
