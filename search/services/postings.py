"""Impact-ordered postings: how the database backends rank and count without reading every match.

``search_posting`` (migration 0004) holds one row per (word, entry): the word's precomputed
BM25 weight in that entry (``impact``: term frequency in the title and the text, saturated and
normalised by length, the title weighted higher) and ``sample``, a hash of the entry id (Fibonacci
hashing, one-to-one below 2**32). ``search_term`` holds the number of entries with each word
(and, under the empty word, of all entries) for the inverse document frequency at query time.

- Ranking (:func:`top`): the threshold algorithm (Fagin). Each word's list is read best impact
  first, in growing batches; the other words' impacts of the entries seen are looked up by
  (word, sample); reading stops once the k-th best allowed entry scores above what any entry not
  yet seen could score. A common word therefore costs a few hundred rows, not all its matches.
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
K1, B = 1.2, 0.75
TITLE_WEIGHT, TITLE_AVG, TEXT_AVG = 2.0, 15.0, 130.0
SCALE = 1000
FIRST_DEPTH, GROWTH, MAX_DEPTH = 100, 4, 6400
CHUNK = 900  # ids per IN (...) list
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


def _chunks(values: list, size: int = CHUNK):
    for i in range(0, len(values), size):
        yield values[i:i + size]


def _marks(n: int) -> str:
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
        cursor.execute(f"SELECT term, df FROM {TERM} WHERE term IN ({_marks(len(terms) + 1)})", [ALL, *terms])  # noqa: S608
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


def _read(connection, cursor, wanted: dict[str, tuple[tuple[int, int] | None, int]]) -> dict[str, list]:
    """The next rows of several words' lists, best impact first: ``wanted`` maps a word to
    (where its list was left: impact and id of the last row read, or None; how many rows)."""
    parts, params = [], []
    for i, (term, (after, limit)) in enumerate(wanted.items()):
        keyset = " AND (impact < %s OR (impact = %s AND entry_id < %s))" if after else ""
        parts.append(f"SELECT * FROM (SELECT term, entry_id, impact FROM {POSTING} WHERE term = %s{keyset} "  # noqa: S608
                     f"ORDER BY impact DESC, entry_id DESC LIMIT %s) r{i}")
        params += [term, *((after[0], after[0], after[1]) if after else ()), limit]
    cursor.execute(" UNION ALL ".join(parts), params)
    out: dict[str, list] = {term: [] for term in wanted}
    for term, pk, impact in cursor.fetchall():
        out[term].append((pk, impact))
    for rows in out.values():
        rows.sort(key=lambda row: (-row[1], -row[0]))
    return out


def top(connection, terms: list[str], operator: str, need: int,
        within: tuple[str, list]) -> tuple[list[int], bool] | None:
    """The ids of the ``need`` best allowed entries (``within``: SQL selecting their ids) with
    every word (``operator="and"``) or any, best first, and whether they are all the allowed
    matches; None when that would take reading deeper than ``MAX_DEPTH`` rows of a word's list
    (the caller ranks exhaustively instead).

    Only the lists that can still matter are read further: those whose word could add at least
    half as much as the most a word not yet seen could add (at first, the rarest word's, and the
    best row of the others, for their bound)."""
    idf, df = weights(connection, list(dict.fromkeys(terms)))
    if operator == "and" and len(idf) < len(set(terms)) or not idf:
        return [], True
    terms = sorted(idf, key=lambda t: -idf[t])  # rarest first
    # Past this depth, scoring every match costs less: for an AND, every entry with the rarest
    # word (looked up for the others); for an OR, every posting of every word.
    deepest = min(MAX_DEPTH, df[terms[0]] // 2 if operator == "and" else MAX_DEPTH)
    last: dict[str, tuple[int, int] | None] = dict.fromkeys(terms)
    done = dict.fromkeys(terms, False)
    read = dict.fromkeys(terms, 0)
    scores: dict[int, int | None] = {}  # entry seen: its score, None if not a match
    permitted: dict[int, bool] = {}
    wanted = {t: FIRST_DEPTH if i == 0 else 1 for i, t in enumerate(terms)}
    with connection.cursor() as cursor:
        while True:
            lists = _read(connection, cursor, {t: (last[t], n - read[t]) for t, n in wanted.items()})
            new = set()
            for t, rows in lists.items():
                new.update(pk for pk, _value in rows if pk not in scores)
                if rows:
                    last[t] = (rows[-1][1], rows[-1][0])
                done[t] = len(rows) < wanted[t] - read[t]
                read[t] += len(rows)
            scores.update(dict.fromkeys(new))
            scores.update(_score(connection, cursor, terms, operator, idf, list(new)))
            ranked = sorted((pk for pk, score in scores.items() if score is not None),
                            key=lambda pk: (-scores[pk], -pk))
            if any(done.values()) if operator == "and" else all(done.values()):
                _permit(connection, cursor, ranked, permitted, within)  # every match is among them
                return [pk for pk in ranked if permitted[pk]], True
            # No entry not seen yet scores above ``bound`` (or, at ``bound``, has an id above ``low_id``).
            adds = {t: idf[t] * last[t][0] for t in terms if not done[t]}
            bound = sum(adds.values())
            low_id = min(last[t][1] for t in adds)
            final = [pk for pk in ranked if scores[pk] > bound or (scores[pk] == bound and pk >= low_id)]
            # The entries' access is checked for the best first: reading their rows is what costs.
            _permit(connection, cursor, final[:need + need // 2], permitted, within)
            kept = [pk for pk in final if permitted.get(pk)]
            if len(kept) < need:
                _permit(connection, cursor, final, permitted, within)
                kept = [pk for pk in final if permitted[pk]]
            if len(kept) >= need:
                return kept[:need], False
            most = max(adds.values())
            wanted = {t: max(FIRST_DEPTH, read[t] * GROWTH) for t, add in adds.items() if add * 2 >= most}
            if max(wanted.values()) > deepest:
                return None


def _ids(connection) -> str:
    """A row source of the ids given as one parameter, as column ``value`` of ``j``."""
    if connection.vendor == "postgresql":
        return "unnest(%s::bigint[]) AS j(value)"
    return "json_each(%s) j"


def _id_param(connection, ids: list[int]):
    return list(ids) if connection.vendor == "postgresql" else json.dumps(list(ids))


def _score(connection, cursor, terms, operator, idf, ids) -> dict[int, int]:
    """The scores of those of ``ids`` that match (every word for an AND), in one statement:
    each id joined to each word's posting by (word, hash of the id)."""
    # SQLite keeps the order of a CROSS JOIN: from the ids to the postings, not the other way.
    join = "LEFT JOIN" if operator != "and" else "JOIN" if connection.vendor == "postgresql" else "CROSS JOIN"
    joins = " ".join(f"{join} {POSTING} p{i} ON p{i}.term = %s AND "
                     f"p{i}.sample = (j.value * {HASH_MULTIPLIER}) %% {HASH_RANGE}" for i in range(len(terms)))
    impacts = ", ".join(f"p{i}.impact" for i in range(len(terms)))
    out = {}
    for chunk in _chunks(ids, 8 * CHUNK):
        cursor.execute(f"SELECT j.value, {impacts} FROM {_ids(connection)} {joins}",  # noqa: S608
                       [_id_param(connection, chunk), *terms])
        for pk, *found in cursor.fetchall():
            out[pk] = sum(idf[t] * (v or 0) for t, v in zip(terms, found, strict=True))
    return out


def _permit(connection, cursor, ids: list[int], permitted: dict[int, bool], within: tuple[str, list]) -> None:
    """Note which of ``ids`` the person may open (``within``: SQL selecting the allowed ids)."""
    unknown = [pk for pk in ids if pk not in permitted]
    sql, params = within
    for chunk in _chunks(unknown, 8 * CHUNK):
        among, values = any_of(connection, "q.id", chunk)
        cursor.execute(f"SELECT q.id FROM ({sql}) q WHERE {among}", [*params, *values])  # noqa: S608
        ok = {row[0] for row in cursor.fetchall()}
        permitted.update((pk, pk in ok) for pk in chunk)


def exhaustive(connection, terms: list[str], operator: str, within: tuple[str, list], start: int,
               size: int) -> list[int]:
    """One page of the same ranking as :func:`top`, scoring every match in one statement (deep
    pages; people who may open few of the matches; words whose best entries are many and alike).
    ``within``: SQL selecting the allowed ids. For an AND, the entries with the rarest word,
    each joined to its postings of the other words; for an OR, every posting of the words."""
    idf, _df = weights(connection, list(dict.fromkeys(terms)))
    if operator == "and" and len(idf) < len(set(terms)) or not idf:
        return []
    sql, params = within
    if operator == "and":
        order = sorted(idf, key=lambda t: -idf[t])
        score = " + ".join(f"CAST(p{i}.impact AS BIGINT) * {idf[t]}" for i, t in enumerate(order))
        joins = "".join(f" JOIN {POSTING} p{i} ON p{i}.term = %s AND p{i}.sample = p0.sample"
                        for i in range(1, len(order)))
        query = (f"SELECT p0.entry_id, {score} AS score FROM {POSTING} p0{joins} "  # noqa: S608
                 f"JOIN ({sql}) q ON q.id = p0.entry_id WHERE p0.term = %s "
                 f"ORDER BY score DESC, p0.entry_id DESC LIMIT %s OFFSET %s")
        args = [*order[1:], *params, order[0], size, start]
    else:
        cases = " ".join(["WHEN %s THEN %s"] * len(idf))
        query = (f"SELECT entry_id, SUM(impact * CASE term {cases} END) AS score FROM {POSTING} "  # noqa: S608
                 f"WHERE term IN ({_marks(len(idf))}) AND entry_id IN ({sql}) GROUP BY entry_id "
                 f"ORDER BY score DESC, entry_id DESC LIMIT %s OFFSET %s")
        args = [v for t in idf for v in (t, idf[t])] + list(idf) + list(params) + [size, start]
    with connection.cursor() as cursor:
        cursor.execute(query, args)
        return [row[0] for row in cursor.fetchall()]


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
    check = "".join(f" AND EXISTS (SELECT 1 FROM {POSTING} o WHERE o.term = %s AND o.sample = p.sample)"  # noqa: S608
                    for _t in others)
    sql, params = within
    query = (f"SELECT DISTINCT p.sample, q.* FROM {POSTING} p JOIN ({sql}) q ON q.id = p.entry_id "  # noqa: S608
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
            cursor.execute(query, [*params, *drivers, low, high, *others])
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
