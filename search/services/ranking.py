"""Ranking and counting for the database backends from each word's packed postings
(:mod:`search.services.packs`): one row read per word gives its whole list, and numpy joins the
lists and scores every match in memory. A query then costs a few statements whatever the number
of matches: the words' rows, the access check of the best few entries, and the facet values of a
sample.

- :meth:`Query.matches`: every entry with all the words (an AND: the rarest list looked up in the
  others) or any (an OR), with its score: the sum over the words of the word's idf times its
  impact in the entry. Scores are integers, so ties order alike everywhere: by id, newest first.
- :func:`top`: the best entries the person may open, their access checked best first.
- :func:`sample`: the entries the person may open among the matches, in the order of a hash of
  their id: all of them up to a limit, else the first ones (a bottom-k sample that the total and
  the facets are estimated from, drawn only from what the person may open).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from search.services import packs
from search.services.postings import HASH_MULTIPLIER, HASH_RANGE, SCALE, any_of

ACCESS_CHUNK = 8000  # ids per access check statement
SMALL_ENOUGH = 1.5  # a quarter of the limit is the sample when it puts the count above this many limits


def idf(n: int, df: int) -> int:
    return max(1, round(SCALE * math.log(1 + (n - df + 0.5) / (df + 0.5))))


class Query:
    """One query's words: their lists are read once, and the matches of each operator made once,
    however many times a search needs them (the page, then the counts)."""

    def __init__(self, connection, terms: list[str]):
        self.connection = connection
        self.terms = list(dict.fromkeys(terms))
        self._lists = None
        self._matches: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def lists(self) -> tuple[int, dict[str, tuple[np.ndarray, np.ndarray]]]:
        if self._lists is None:
            self._lists = packs.load(self.connection, self.terms)
        return self._lists

    def matches(self, operator: str) -> tuple[np.ndarray, np.ndarray]:
        """The ids of the entries with every word (``operator="and"``) or any, and their scores
        (two int64 arrays, in no particular order)."""
        if operator not in self._matches:
            self._matches[operator] = _matches(*self.lists(), self.terms, operator)
        return self._matches[operator]


def _matches(n: int, lists: dict, terms: list[str], operator: str) -> tuple[np.ndarray, np.ndarray]:
    empty = np.zeros(0, dtype=np.int64)
    if not lists or operator == "and" and len(lists) < len(terms):
        return empty, empty
    weight = {t: idf(n, len(ids)) for t, (ids, _impacts) in lists.items()}
    if operator == "and":
        rarest, *others = sorted(lists, key=lambda t: len(lists[t][0]))
        ids, impacts = lists[rarest]
        scores = impacts * weight[rarest]
        for term in others:
            their_ids, their_impacts = lists[term]
            if not len(their_ids):
                return empty, empty
            at = np.searchsorted(their_ids, ids)
            at[at == len(their_ids)] = 0
            found = their_ids[at] == ids
            ids, scores = ids[found], scores[found] + their_impacts[at[found]] * weight[term]
        return ids, scores
    every = np.concatenate([ids for ids, _impacts in lists.values()])
    if every.max() < 8 * len(every):
        # Ids dense enough: add into an array indexed by id (no sort).
        sums = np.zeros(int(every.max()) + 1, dtype=np.int64)
        seen = np.zeros(len(sums), dtype=bool)
        for t, (ids, impacts) in lists.items():
            sums[ids] += impacts * weight[t]  # each id once per list
            seen[ids] = True
        ids = np.flatnonzero(seen)
        return ids, sums[ids]
    weighted = np.concatenate([impacts * weight[t] for t, (_ids, impacts) in lists.items()])
    ids, inverse = np.unique(every, return_inverse=True)
    return ids, np.bincount(inverse, weights=weighted).astype(np.int64)


def _best(ids: np.ndarray, scores: np.ndarray, m: int) -> np.ndarray:
    """The ``m`` best of ``ids``, best first (higher score, then higher id)."""
    if len(scores) and scores.max() >= 2**31:  # too many words for one int64 key
        return ids[np.lexsort((-ids, -scores))][:m]
    key = (scores << 32) | ids  # scores < 2**31, ids < 2**32: one int64 orders both
    if m < len(key):
        part = np.argpartition(-key, m - 1)[:m]
        return ids[part[np.argsort(-key[part])]]
    return ids[np.argsort(-key)]


def permitted(connection, ids: list[int], within: tuple[str, list]) -> set[int]:
    """Those of ``ids`` the person may open (``within``: SQL selecting the allowed ids first)."""
    sql, params = within
    ok: set[int] = set()
    with packs.cursor(connection) as cursor:
        for i in range(0, len(ids), ACCESS_CHUNK):
            among, values = any_of(connection, "q.id", ids[i:i + ACCESS_CHUNK])
            cursor.execute(f"SELECT q.id FROM ({sql}) q WHERE {among}", [*params, *values])  # noqa: S608
            ok.update(row[0] for row in cursor.fetchall())
    return ok


def top(query: Query, operator: str, need: int,
        permit: Callable[[list[int]], dict[int, object]]) -> tuple[list[tuple[int, object]], int | None]:
    """The ``need`` best matches the person may open, best first, as (id, what ``permit`` gave
    for it), and the number of all the allowed matches when every match had to be checked on the
    way (else None). ``permit(ids)`` maps those of ``ids`` the person may open to anything (an
    entry, or None): access is checked for the best first, in growing steps, so only the rows
    checked are read."""
    ids, scores = query.matches(operator)
    kept: list[tuple[int, object]] = []
    checked, step = 0, need + need // 2 + 1
    while len(kept) < need and checked < len(ids):
        upto = min(len(ids), checked + step)
        ranked = _best(ids, scores, upto).tolist()[checked:]
        ok = permit(ranked)
        kept.extend((pk, ok[pk]) for pk in ranked if pk in ok)
        checked, step = upto, step * 4
    return kept[:need], (len(kept) if checked == len(ids) else None)


def _hash(ids: np.ndarray) -> np.ndarray:
    return (ids.astype(np.uint64) * np.uint64(HASH_MULTIPLIER)) % np.uint64(HASH_RANGE)


def sample(query: Query, operator: str, limit: int, within: tuple[str, list]) -> tuple[list[tuple], float]:
    """The rows of ``within`` (SQL selecting the allowed entries: id, then facet values) of
    every allowed match when there are at most ``limit``, and 1; else the rows of the first
    allowed matches in hash order and the factor that scales their counts to all the allowed
    matches (a bottom-k estimate).

    The matches are checked in hash order, in steps about as large as the rest needs. With many
    matches the first quarter of ``limit`` allowed ones decides: when they put the number of
    allowed matches above half as much again as the limit, they are the sample (250 of them
    overestimate by half with odds far below one in a million); else checking goes on, up to
    the limit."""
    ids, _scores = query.matches(operator)
    if not len(ids):
        return [], 1.0
    hashes = _hash(ids)
    sql, params = within
    # Fewer matches than that cannot give a small sample: go for the limit at once.
    small = max(limit // 4, 1) if len(ids) > SMALL_ENOUGH * limit else limit
    found: list[tuple] = []  # (hash, row), in hash order
    checked, share = 0, 1.0
    connection = query.connection
    with packs.cursor(connection) as cursor:
        while checked < len(ids):
            goal = small + 1 if len(found) <= small else limit + 1
            upto = min(len(ids), checked + max(64, math.ceil(1.1 * (goal - len(found)) / max(share, 0.01))))
            order = np.argpartition(hashes, upto - 1)[:upto] if upto < len(ids) else np.arange(len(ids))
            order = order[np.argsort(hashes[order], kind="stable")][checked:]
            candidates = ids[order].tolist()
            among, values = any_of(connection, "q.id", candidates)
            cursor.execute(f"SELECT q.* FROM ({sql}) q WHERE {among}", [*params, *values])  # noqa: S608
            rows = {row[0]: row for row in cursor.fetchall()}
            found.extend((h, rows[pk]) for pk, h in zip(candidates, hashes[order].tolist(), strict=True) if pk in rows)
            checked = upto
            share = max(len(found) / checked, share / 4)
            if len(found) > small and small < limit and small * HASH_RANGE / max(found[small][0], 1) > SMALL_ENOUGH * limit:
                return [row for _h, row in found[:small]], HASH_RANGE / max(found[small][0], 1)
            if len(found) > limit:
                break
    if len(found) <= limit:
        return [row for _h, row in found], 1.0
    # Bottom-k: ``limit`` allowed matches have a hash below the next one's.
    return [row for _h, row in found[:limit]], HASH_RANGE / max(found[limit][0], 1)
