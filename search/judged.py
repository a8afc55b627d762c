"""The judged relevance set (search/data/judged/): documents, queries with graded judgments,
and the measures the relevance test enforces (nDCG@10, recall@5)."""

from __future__ import annotations

import json
import math
from datetime import date, datetime, time
from pathlib import Path

from django.utils import timezone

from search.models import Entry

JUDGED_DIR = Path(__file__).resolve().parent / "data" / "judged"
SOURCE = "judged"


def documents() -> list[dict]:
    with open(JUDGED_DIR / "documents.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def queries() -> list[dict]:
    with open(JUDGED_DIR / "queries.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_entries() -> dict[int, str]:
    """Create one public entry per judged document; returns {entry pk: document id}."""
    rows = []
    for d in documents():
        published = timezone.make_aware(datetime.combine(date.fromisoformat(d["published"]), time(9)))
        rows.append(Entry(key=f"{SOURCE}:{d['id']}", source=SOURCE, kind=d["type"], title=d["title"],
                          body=d["body"], doc_number=d["doc_number"], issuer=d["issuer"], year=d["year"],
                          published_at=published, url=f"/judged/{d['id']}/", is_public=True))
    Entry.objects.bulk_create(rows, batch_size=500)
    return {pk: key.split(":", 1)[1] for pk, key in Entry.objects.filter(source=SOURCE).values_list("pk", "key")}


def ndcg_at(ranked: list[str], relevant: dict[str, int], k: int = 10) -> float:
    dcg = sum((2 ** relevant.get(doc, 0) - 1) / math.log2(i + 2) for i, doc in enumerate(ranked[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranked: list[str], wanted: list[str], k: int = 5) -> float:
    return len(set(ranked[:k]) & set(wanted)) / len(wanted) if wanted else 1.0
