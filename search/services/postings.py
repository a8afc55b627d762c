"""Impact-ordered postings: how the database backends rank and count without reading every match.

``search_posting`` (migration 0004) holds one row per (word, entry): the word's precomputed
BM25 weight in that entry (``impact``: term frequency in the title and the text, saturated and
normalised by length, the title weighted higher) and ``sample``, a hash of the entry id (Fibonacci
hashing, one-to-one below 2**32). ``search_term`` holds the number of entries with each word
(and, under the empty word, of all entries) for the inverse document frequency at query time.

- Ranking (:mod:`search.services.ranking`): each word's list is read best impact first, and
  reading stops once no entry not yet read could rank on the page. A common word therefore costs
  a few hundred rows, not all its matches.
- Counting (:func:`sample`): the matching entries in hash order. Up to a limit every one is
  counted; above it, the first ``limit`` allowed ones are a bottom-k sample of the allowed
  matches, which is what the estimate is scaled from (so it depends on nothing else).
Scores are integers (impact and idf scaled by 1000), so every path orders ties alike: by id, newest first.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable

POSTING = "search_posting"
TERM = "search_term"
ALL = ""  # the search_term row counting every indexed entry
HASH_MULTIPLIER, HASH_RANGE = 2654435761, 2**32
# The id of a posting's sample, (sample * the multiplier's inverse mod 2**32) mod 2**32, in two
# halves of the inverse so that no product leaves a 64-bit integer.
_INVERSE = pow(HASH_MULTIPLIER, -1, HASH_RANGE)
ENTRY_OF_SAMPLE = (f"((p.sample * {_INVERSE % 65536} + (p.sample * {_INVERSE >> 16}) %% 65536 * 65536)"
                   f" %% {HASH_RANGE})")  # for SQL with parameters: %% is %
K1, B = 1.2, 0.75
TITLE_WEIGHT, TITLE_AVG, TEXT_AVG = 2.0, 15.0, 130.0
SCALE = 1000
CHUNK = 900  # ids per IN (...) list
PROBE_RATIO = 8  # counting: a word in this many times more entries than the rarest is looked up
IMPACT_INDEX = f"{POSTING}_impact"
IMPACT_INDEX_SQL = f"CREATE INDEX {IMPACT_INDEX} ON {POSTING} (term, impact DESC, entry_id DESC)"


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
        out[term] = max(1, round(weight * SCALE))
    return out


def chunks(values: list, size: int = CHUNK):
    for i in range(0, len(values), size):
        yield values[i:i + size]


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


def _terms(title: str, text: str) -> set[str]:
    return set(title.split()) | set(text.split())


def replace(connection, words: Iterable[tuple[int, str, str]], old: dict[int, tuple[str, str]]) -> None:
    """Write the postings of entries given as (id, title words, text words), replacing the ones
    of their previous words ``old`` (id: (title words, text words); absent: new entries)."""
    delta = Counter()
    gone, rows = [], []
    for pk, title, text in words:
        weights = impacts(title, text)
        before = _terms(*old[pk]) if pk in old else set()
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


def forget(connection, entry_id: int, title: str, text: str) -> None:
    """Remove the postings of a deleted entry, given its words (and it from the counts)."""
    terms = sorted(_terms(title, text))
    delta = Counter({term: -1 for term in terms})
    delta[ALL] -= 1
    with connection.cursor() as cursor:
        cursor.executemany(f"DELETE FROM {POSTING} WHERE term = %s AND sample = %s",  # noqa: S608
                           [(term, sample_of(entry_id)) for term in terms])
        _count(cursor, delta)


def clear(connection) -> None:
    """Before a bulk rebuild: no postings, no counts; the impact index is made again at the end
    (:func:`finish`: one sort is much cheaper than a million inserts into it)."""
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
    with connection.cursor() as cursor:
        _count(cursor, counts)
        cursor.execute(IMPACT_INDEX_SQL)


# --- Ranking --------------------------------------------------------------------------------

def frequencies(connection, terms: list[str]) -> tuple[int, dict[str, int]]:
    """The number of indexed entries, and of the entries with each word that any has."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT term, df FROM {TERM} WHERE term IN ({marks(len(terms) + 1)})", [ALL, *terms])  # noqa: S608
        df = dict(cursor.fetchall())
    return max(df.pop(ALL, 0), 1), {t: d for t, d in df.items() if d > 0}


def weights(connection, terms: list[str]) -> tuple[dict[str, int], dict[str, int]]:
    """The idf of each word that is indexed (scaled to an integer; absent words are left out),
    and the number of entries with it."""
    n, df = frequencies(connection, terms)
    return {t: max(1, round(SCALE * math.log(1 + (n - d + 0.5) / (d + 0.5)))) for t, d in df.items()}, df


def any_of(connection, column: str, values: list) -> tuple[str, list]:
    """``column`` is one of ``values``, as one parameter (an array on PostgreSQL, JSON on SQLite):
    a long list of parameters costs more to plan and to log than the look-ups it makes."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(list(values))]  # noqa: S608


# --- Counting -------------------------------------------------------------------------------

def sample(connection, terms: list[str], operator: str, limit: int,
           within: tuple[str, list]) -> tuple[list[tuple], float]:
    """The rows of ``within`` (SQL selecting the allowed entries: id, then facet values) of
    every allowed match when there are at most ``limit``, and 1; else the rows of the first
    allowed matches in hash order and the factor that scales their counts to all the allowed
    matches (a bottom-k estimate).

    Read in slices of the hash range, each about as large as the rest needs. The first quarter
    of ``limit`` matches found decides: when they put the number of allowed matches above twice
    the limit (an error of a fifth of the matches even with a sample of 20: far less with ids
    spread evenly by the hash), they are the sample; else the matches are read on, up to the limit."""
    _n, df = frequencies(connection, list(dict.fromkeys(terms)))
    if operator == "and" and len(df) < len(set(terms)) or not df:
        return [], 1.0
    rarest_first = sorted(df, key=lambda t: df[t])
    drivers = rarest_first[:1] if operator == "and" else rarest_first
    others = rarest_first[1:] if operator == "and" else []
    drive = " OR ".join(["p.term = %s"] * len(drivers))
    # The id is got back from the hash: only the primary key's index is read, never the table.
    # A word in many more entries than the rarest is looked up for each of its entries (a
    # subquery: PostgreSQL would read the whole slice of its list to merge); else the slices are
    # merged (the slice repeated for the other words: PostgreSQL does not carry it over itself).
    probed = [t for t in others if df[t] > PROBE_RATIO * df[drivers[0]]]
    merged = [t for t in others if t not in probed]
    check = "".join(f" AND (SELECT o.sample FROM {POSTING} o WHERE o.term = %s AND o.sample = p.sample) IS NOT NULL"  # noqa: S608
                    for _t in probed)
    check += "".join(f" AND EXISTS (SELECT 1 FROM {POSTING} o WHERE o.term = %s AND o.sample = p.sample"  # noqa: S608
                     f" AND o.sample >= %s AND o.sample < %s)" for _t in merged)
    sql, params = within
    query = (f"SELECT DISTINCT p.sample, q.* FROM {POSTING} p JOIN ({sql}) q ON q.id = {ENTRY_OF_SAMPLE} "  # noqa: S608
             f"WHERE ({drive}) AND p.sample >= %s AND p.sample < %s{check}")
    postings = sum(df[t] for t in drivers)
    small = max(limit // 4, 1)
    found: list[tuple] = []  # (sample, id, facet values...), in hash order
    # The share of the postings read that match and are allowed: at first, all (words that are
    # searched together often go together); then as found.
    low, share = 0, 1.0
    with connection.cursor() as cursor:
        while low < HASH_RANGE:
            goal = small + 1 if len(found) <= small else limit + 1
            width = HASH_RANGE if postings <= limit else int(HASH_RANGE * 1.25 * (goal - len(found))
                                                               / (postings * max(share, 0.01)))
            high = min(HASH_RANGE, low + max(width, HASH_RANGE >> 16))
            cursor.execute(query, [*params, *drivers, low, high, *probed, *(v for t in merged for v in (t, low, high))])
            found.extend(sorted(cursor.fetchall(), key=lambda row: row[0]))
            read = postings * (high / HASH_RANGE)
            share = max(len(found) / read, share / 4) if read else share
            low = high
            if len(found) > small and small * HASH_RANGE / max(found[small][0], 1) > 2 * limit:
                return [row[1:] for row in found[:small]], HASH_RANGE / max(found[small][0], 1)
            if len(found) > limit:
                break
    if len(found) <= limit:
        return [row[1:] for row in found], 1.0
    # Bottom-k: ``limit`` allowed matches have a hash below the next one's.
    return [row[1:] for row in found[:limit]], HASH_RANGE / max(found[limit][0], 1)
