"""Ranking from impact-ordered postings (:mod:`search.services.postings`): the best entries of a
query without scoring every match.

:func:`top` starts as the threshold algorithm (Fagin): each word's list is read best impact
first, in growing batches, and the other words' impacts of the entries seen are looked up by
(word, hash of the id); it stops once the k-th best allowed entry scores above what any entry not
yet seen could score. Words whose best entries are many and alike (a word in thousands of titles)
would keep it reading for long, so it finishes with a sweep instead (MaxScore): once a k-th best
score ``S`` is known, an entry not yet seen can still reach it only with, in each word's list, an
impact of at least what ``S`` leaves to that word when every other word gives the most it still
can. The word with the fewest such rows is read down to that impact in one statement joined to
the other words' postings (for an AND, the rarest first: most rows drop at the first look-up).

:func:`exhaustive` scores every match in one statement: the same ranking, for deep pages and for
when the lists would take too long to read. Scores are integers (impact times idf), so every path
orders ties alike: by id, newest first.
"""

from __future__ import annotations

import math

from search.services.postings import HASH_MULTIPLIER, HASH_RANGE, POSTING, any_of, chunks, marks, weights

FIRST_DEPTH, GROWTH, MAX_DEPTH = 100, 2, 6400
# A list is read to its floor when that is at most this many times the rows the next round would
# read: one statement that drops non-matches in the database costs less per row than a round.
SWEEP_RATIO = 8
NEXT = 2**62  # above every id: "after (impact, NEXT)" is every row with a lower impact


def _keyset(alias: str, after: tuple[int, int] | None) -> tuple[str, list]:
    """The rows of a list after (impact, id), in its order (impact, then id, descending)."""
    if not after:
        return "", []
    # Said so that the impact bounds a range of the index (an OR of the two cases does not).
    return (f" AND {alias}.impact <= %s AND NOT ({alias}.impact = %s AND {alias}.entry_id >= %s)",
            [after[0], after[0], after[1]])


class _Search:
    """What one :func:`top` call knows: the lists read so far and the entries seen."""

    def __init__(self, connection, cursor, terms, operator, idf, df, within):
        self.connection, self.cursor, self.within = connection, cursor, within
        self.terms, self.conjunctive, self.idf, self.df = terms, operator == "and", idf, df
        self.last: dict[str, tuple[int, int] | None] = dict.fromkeys(terms)
        self.done = dict.fromkeys(terms, False)
        self.read = dict.fromkeys(terms, 0)
        self.scores: dict[int, int | None] = {}  # entry seen: its score, None if not a match
        self.permitted: dict[int, bool] = {}

    def advance(self, wanted: dict[str, int]) -> None:
        """Read the next rows of some lists (``wanted``: word and how many rows), best impact
        first, and score the entries new among them: one statement, each row read joined to
        each word's posting by (word, hash of the id)."""
        parts, params = [], []
        for i, (term, limit) in enumerate(wanted.items()):
            keyset, values = _keyset(POSTING, self.last[term])
            parts.append(f"SELECT * FROM (SELECT term, entry_id, impact FROM {POSTING} WHERE term = %s{keyset} "  # noqa: S608
                         f"ORDER BY impact DESC, entry_id DESC LIMIT %s) r{i}")
            params += [term, *values, limit]
        # One look-up per row read and word, as a subquery: a join would let PostgreSQL read
        # the whole list of a word to hash it, to save a few hundred look-ups.
        impacts = "".join(f", (SELECT p.impact FROM {POSTING} p WHERE p.term = %s AND "  # noqa: S608
                          f"p.sample = (r.entry_id * {HASH_MULTIPLIER}) %% {HASH_RANGE})" for _t in self.terms)
        self.cursor.execute(f"SELECT r.term, r.entry_id, r.impact{impacts} FROM ({' UNION ALL '.join(parts)}) r",  # noqa: S608
                            [*self.terms, *params])
        lists: dict[str, list] = {term: [] for term in wanted}
        for term, pk, impact, *found in self.cursor.fetchall():
            lists[term].append((impact, pk))
            if pk not in self.scores:
                # An entry without one of the words is no match of an AND.
                missing = self.conjunctive and None in found
                self.scores[pk] = None if missing else sum(
                    self.idf[t] * (v or 0) for t, v in zip(self.terms, found, strict=True))
        for t, rows in lists.items():
            if rows:
                self.last[t] = min(rows)  # (impact, id): where the list was left
            self.done[t] = len(rows) < wanted[t]
            self.read[t] += len(rows)

    def ranked(self) -> list[int]:
        return sorted((pk for pk, score in self.scores.items() if score is not None),
                      key=lambda pk: (-self.scores[pk], -pk))

    def permit(self, ids: list[int]) -> None:
        """Note which of ``ids`` the person may open (``within``: SQL selecting the allowed ids)."""
        unknown = [pk for pk in ids if pk not in self.permitted]
        sql, params = self.within
        for chunk in chunks(unknown, 8000):
            among, values = any_of(self.connection, "q.id", chunk)
            self.cursor.execute(f"SELECT q.id FROM ({sql}) q WHERE {among}", [*params, *values])  # noqa: S608
            ok = {row[0] for row in self.cursor.fetchall()}
            self.permitted.update((pk, pk in ok) for pk in chunk)

    def allowed(self, ids: list[int], need: int) -> list[int]:
        """The first ``need`` of ``ids`` the person may open, in order. Their access is checked
        for the best first, in growing steps: reading their rows is what costs."""
        kept: list[int] = []
        step = need + need // 2
        for i, pk in enumerate(ids):
            if pk not in self.permitted:
                self.permit(ids[i:i + step])
                step *= 4
            if self.permitted[pk]:
                kept.append(pk)
                if len(kept) == need:
                    break
        return kept

    def floors(self, least: int) -> dict[str, int]:
        """For each list not read to its end: the lowest impact with which an entry not seen yet
        can still score ``least`` (the others giving the most they still can)."""
        adds = {t: self.idf[t] * self.last[t][0] for t in self.terms if not self.done[t]}
        bound = sum(adds.values())
        floors = {t: math.ceil((least - bound + add) / self.idf[t]) for t, add in adds.items()}
        # Any floor holds for an AND (every match is in every list); for an OR, only a floor
        # above nothing says the entry is in that list at all.
        return {t: max(floor, 1) for t, floor in floors.items() if self.conjunctive or floor > 0}

    def sizes(self, floors: dict[str, int], cap: int) -> dict[str, int]:
        """How many rows each list has left down to its floor (counted up to ``cap``; known
        without counting for a floor of 1: the rest of the list)."""
        known = {t: self.df[t] - self.read[t] for t, floor in floors.items() if floor <= 1}
        floors = {t: floor for t, floor in floors.items() if t not in known}
        if not floors:
            return known
        parts, params = [], []
        for i, (t, floor) in enumerate(floors.items()):
            keyset, values = _keyset(POSTING, self.last[t])
            parts.append(f"SELECT {i}, COUNT(*) FROM (SELECT 1 FROM {POSTING} WHERE term = %s AND impact >= %s"  # noqa: S608
                         f"{keyset} LIMIT %s) c{i}")
            params += [t, floor, *values, cap]
        self.cursor.execute(" UNION ALL ".join(parts), params)
        names = list(floors)
        return {**known, **{names[i]: n for i, n in self.cursor.fetchall()}}

    def sweep(self, term: str, floor: int, least: int) -> None:
        """Score every entry not seen yet of ``term``'s list down to ``floor`` that scores at
        least ``least``: one statement, the list's rows joined to the other words' postings."""
        others = sorted((t for t in self.terms if t != term), key=lambda t: self.df[t])
        if self.conjunctive:
            join = "JOIN" if self.connection.vendor == "postgresql" else "CROSS JOIN"
        else:
            join = "LEFT JOIN"
        # The hash from the id: the impact index alone gives the list's rows, not the table.
        joins = "".join(f" {join} {POSTING} p{i} ON p{i}.term = %s AND "
                        f"p{i}.sample = (p0.entry_id * {HASH_MULTIPLIER}) %% {HASH_RANGE}"
                        for i in range(1, len(others) + 1))
        order = [term, *others]
        score = " + ".join(f"COALESCE(CAST(p{i}.impact AS BIGINT), 0) * {self.idf[t]}" for i, t in enumerate(order))
        keyset, values = _keyset("p0", self.last[term])
        self.cursor.execute(f"SELECT p0.entry_id, {score} FROM {POSTING} p0{joins} "  # noqa: S608
                            f"WHERE p0.term = %s AND p0.impact >= %s{keyset} AND {score} >= %s",
                            [*others, term, floor, *values, least])
        for pk, value in self.cursor.fetchall():
            self.scores[pk] = value


def top(connection, terms: list[str], operator: str, need: int,
        within: tuple[str, list]) -> tuple[list[int], bool] | None:
    """The ids of the ``need`` best allowed entries (``within``: SQL selecting their ids) with
    every word (``operator="and"``) or any, best first, and whether they are all the allowed
    matches; None when finding them would cost more than scoring every match (the caller ranks
    exhaustively instead)."""
    idf, df = weights(connection, list(dict.fromkeys(terms)))
    if operator == "and" and len(idf) < len(set(terms)) or not idf:
        return [], True
    terms = sorted(idf, key=lambda t: -idf[t])  # rarest first
    # Scoring every match reads, for an AND, every entry with the rarest word (looked up for
    # the others); for an OR, every posting of every word. Reading the lists costs about as
    # much per row, so they are read no further than that.
    budget = min(df[terms[0]] if operator == "and" else sum(df.values()), 4 * MAX_DEPTH)
    wanted = {t: FIRST_DEPTH if i == 0 else 1 for i, t in enumerate(terms)}
    with connection.cursor() as cursor:
        state = _Search(connection, cursor, terms, operator, idf, df, within)
        while True:
            state.advance(wanted)
            ranked = state.ranked()
            done = state.done
            if any(done.values()) if operator == "and" else all(done.values()):
                state.permit(ranked)  # every match is among them
                return [pk for pk in ranked if state.permitted[pk]], True
            # No entry not seen yet scores above ``bound`` (or, at ``bound``, has an id above ``low_id``).
            adds = {t: idf[t] * state.last[t][0] for t in terms if not done[t]}
            bound = sum(adds.values())
            low_id = min(state.last[t][1] for t in adds)
            scores = state.scores
            final = [pk for pk in ranked if scores[pk] > bound or (scores[pk] == bound and pk >= low_id)]
            kept = state.allowed(final, need)
            if len(kept) >= need:
                return kept, False
            most = max(adds.values())
            wanted = {t: max(FIRST_DEPTH, state.read[t] * (GROWTH - 1))
                      for t, add in adds.items() if add * 2 >= most}
            reading = sum(state.read.values())
            giving_up = reading + sum(wanted.values()) > budget
            best = state.allowed(ranked, need)
            if len(best) == need:
                # Could one list be read down to where no entry can rank any more, for about as
                # much as reading on (or, at the end of the budget, as scoring every match)?
                least = scores[best[-1]]
                floors = state.floors(least)
                cap = budget - reading if giving_up else min(budget - reading, SWEEP_RATIO * sum(wanted.values()))
                sizes = state.sizes(floors, cap + 1) if floors and cap > 0 else {}
                term = min(sizes, key=lambda t: (sizes[t], -idf[t]), default=None)
                if term is not None and sizes[term] <= cap:
                    state.sweep(term, floors[term], least)
                    ranked = [pk for pk in state.ranked() if scores[pk] >= least]
                    return state.allowed(ranked, need), False
            if giving_up:
                return None


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
                 f"WHERE term IN ({marks(len(idf))}) AND entry_id IN ({sql}) GROUP BY entry_id "
                 f"ORDER BY score DESC, entry_id DESC LIMIT %s OFFSET %s")
        args = [v for t in idf for v in (t, idf[t])] + list(idf) + list(params) + [size, start]
    with connection.cursor() as cursor:
        cursor.execute(query, args)
        return [row[0] for row in cursor.fetchall()]
