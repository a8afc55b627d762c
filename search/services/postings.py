"""Postings: how the database backends know which entries have which words, and how much.

``search_posting`` (migration 0004) holds one row per (word, entry): the word's precomputed
BM25 weight in that entry (``impact``: term frequency in the title and the text, saturated and
normalised by length, the title weighted higher) and ``sample``, a hash of the entry id (Fibonacci
hashing, one-to-one below 2**32). ``search_term`` holds the number of entries with each word
(and, under the empty word, of all entries) for the inverse document frequency at query time,
and each word's postings packed into one value (:mod:`search.services.packs`), which is what
queries read (:mod:`search.services.ranking`). Writers here mark the packs of the words they
touch stale, in their own transaction.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable

POSTING = "search_posting"
TERM = "search_term"
ALL = ""  # the search_term row counting every indexed entry
HASH_MULTIPLIER, HASH_RANGE = 2654435761, 2**32
K1, B = 1.2, 0.75
TITLE_WEIGHT, TITLE_AVG, TEXT_AVG = 2.0, 15.0, 130.0
SCALE = 1000
MAX_IMPACT = 32767  # packed as 16 bits (search.services.packs); the formula stays below 6,600
# An index of an earlier ranking (impact order); dropped by migration 0005 and by a rebuild.
IMPACT_INDEX = f"{POSTING}_impact"


def sample_of(entry_id: int) -> int:
    return (entry_id * HASH_MULTIPLIER) % HASH_RANGE


def _saturated(tf: int, length: int, average: float) -> float:
    return tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average))


def impacts(title: str, text: str) -> dict[str, int]:
    """Each word's weight in one entry, from its segmented title and text (the text includes the title)."""
    title_words, text_words = title.split(), text.split()
    in_title, in_text = Counter(title_words), Counter(text_words)
    out = {}
    for term in in_text.keys() | in_title.keys():
        weight = _saturated(in_text[term], len(text_words), TEXT_AVG) if in_text[term] else 0.0
        if in_title[term]:
            weight += TITLE_WEIGHT * _saturated(in_title[term], len(title_words), TITLE_AVG)
        out[term] = min(max(1, round(weight * SCALE)), MAX_IMPACT)
    return out


def marks(n: int) -> str:
    return ", ".join(["%s"] * n)


# --- Writing --------------------------------------------------------------------------------

def _insert(connection, cursor, rows: list[tuple]) -> None:
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {POSTING} (term, sample, entry_id, impact) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        cursor.executemany(f"INSERT INTO {POSTING} (term, sample, entry_id, impact) VALUES (%s, %s, %s, %s)", rows)  # noqa: S608


def _count(cursor, delta: Counter) -> None:
    items = sorted((term, n) for term, n in delta.items() if n)  # one order: no deadlock between writers
    if items:
        cursor.executemany(f"INSERT INTO {TERM} (term, df) VALUES (%s, %s) ON CONFLICT (term) "  # noqa: S608
                           f"DO UPDATE SET df = {TERM}.df + excluded.df", items)


def _stale(connection, cursor, terms: set[str]) -> None:
    """The packs of ``terms`` no longer match their postings (made again when next read)."""
    if terms:
        among, values = any_of(connection, "term", sorted(terms))
        cursor.execute(f"UPDATE {TERM} SET pack = NULL, version = version + 1 WHERE {among}", values)  # noqa: S608


def _terms(title: str, text: str) -> set[str]:
    return set(title.split()) | set(text.split())


def replace(connection, words: Iterable[tuple[int, str, str]], old: dict[int, tuple[str, str]]) -> None:
    """Write the postings of entries given as (id, title words, text words), replacing the ones
    of their previous words ``old`` (id: (title words, text words); absent: new entries)."""
    delta = Counter()
    gone, rows, touched = [], [], set()
    for pk, title, text in words:
        weights = impacts(title, text)
        before = _terms(*old[pk]) if pk in old else set()
        touched.update(before, weights.keys())
        if pk not in old:
            delta[ALL] += 1
        delta.update(weights.keys() - before)
        delta.subtract(before - weights.keys())
        gone.extend((term, sample_of(pk)) for term in before)
        rows.extend((term, sample_of(pk), pk, impact) for term, impact in weights.items())
    with connection.cursor() as cursor:
        if gone:
            cursor.executemany(f"DELETE FROM {POSTING} WHERE term = %s AND sample = %s", sorted(gone))  # noqa: S608
        _insert(connection, cursor, sorted(rows))
        _count(cursor, delta)
        _stale(connection, cursor, touched)


def forget(connection, entry_id: int, title: str, text: str) -> None:
    """Remove the postings of a deleted entry, given its words (and it from the counts)."""
    terms = sorted(_terms(title, text))
    delta = Counter({term: -1 for term in terms})
    delta[ALL] -= 1
    with connection.cursor() as cursor:
        cursor.executemany(f"DELETE FROM {POSTING} WHERE term = %s AND sample = %s",  # noqa: S608
                           [(term, sample_of(entry_id)) for term in terms])
        _count(cursor, delta)
        _stale(connection, cursor, set(terms))


def clear(connection) -> None:
    """Before a bulk rebuild: no postings, no counts (and no index of an earlier ranking)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {POSTING}, {TERM}")
        else:
            cursor.execute(f"DELETE FROM {POSTING}")  # noqa: S608
            cursor.execute(f"DELETE FROM {TERM}")  # noqa: S608
        cursor.execute(f"DROP INDEX IF EXISTS {IMPACT_INDEX}")


def fill(connection, words: Iterable[tuple[int, str, str]], counts: Counter) -> None:
    """Bulk rebuild after :func:`clear`: write the postings, add the words to ``counts``
    (stored by :func:`finish` at the end)."""
    rows = []
    for pk, title, text in words:
        weights = impacts(title, text)
        rows.extend((term, sample_of(pk), pk, impact) for term, impact in weights.items())
        counts.update(weights.keys())
        counts[ALL] += 1
    with connection.cursor() as cursor:
        _insert(connection, cursor, sorted(rows))


def finish(connection, counts: Counter) -> None:
    """After :func:`fill`: store the counts (the packs follow: :func:`search.services.packs.pack_all`)."""
    with connection.cursor() as cursor:
        _count(cursor, counts)


# --- Reading ---------------------------------------------------------------------------------

def any_of(connection, column: str, values: list) -> tuple[str, list]:
    """``column`` is one of ``values``, as one parameter (an array on PostgreSQL, JSON on SQLite):
    a long list of parameters costs more to plan and to log than the look-ups it makes."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(list(values))]  # noqa: S608
