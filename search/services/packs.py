"""Each word's postings packed into one value of its ``search_term`` row (migration 0005), so
that a query reads one row per word instead of one per match.

A pack is the ids of the entries with the word, ascending, as big-endian 32-bit integers, then
the word's impact in each, as big-endian 16-bit integers (impacts stay below 7,000).
``search_posting`` stays the record the packs are made from: writers change its rows and mark
the words they touched stale (``pack`` NULL, ``version`` + 1, in their own transaction); a
reader that meets a stale word packs it again from the rows and stores the pack only if the
word's version is still the one it read with them (a writer that committed in between wins). A
full rebuild packs every word at the end (:func:`pack_all`).
"""

from __future__ import annotations

from itertools import groupby

import numpy as np
import psycopg
from django.db import OperationalError

from search.services.postings import ALL, POSTING, TERM, any_of

IDS, IMPACTS = np.dtype(">i4"), np.dtype(">i2")
WIDTH = IDS.itemsize + IMPACTS.itemsize
MAX_ID = 2**31 - 1
PACK_BATCH = 2000  # words per write when packing every word


def encode(ids: np.ndarray, impacts: np.ndarray) -> bytes:
    if len(ids) and ids.max() > MAX_ID:  # PostgreSQL's int4send refuses these too
        raise ValueError(f"entry id {int(ids.max())} does not fit a pack (at most {MAX_ID})")
    order = np.argsort(ids, kind="stable")
    return ids[order].astype(IDS).tobytes() + impacts[order].astype(IMPACTS).tobytes()


def decode(data) -> tuple[np.ndarray, np.ndarray]:
    n = len(data) // WIDTH
    return (np.frombuffer(data, dtype=IDS, count=n).astype(np.int64),
            np.frombuffer(data, dtype=IMPACTS, count=n, offset=n * IDS.itemsize).astype(np.int64))


def cursor(connection):
    """A cursor for the statements a search repeats with other values. On PostgreSQL, psycopg's
    own with server-side binding: a statement used a few times is prepared (no planning again),
    and results may come in binary. (Django's cursors bind on the client; its query log does not
    see these.)"""
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        return psycopg.Cursor(connection.connection)
    return connection.cursor()


def load(connection, terms: list[str]) -> tuple[int, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """The number of indexed entries, and each indexed word's list (ids ascending, impacts)."""
    among, values = any_of(connection, "term", [ALL, *terms])
    with cursor(connection) as c:
        # In binary on PostgreSQL: as text, bytea comes as hex, twice the bytes and a decoding
        # step for lists of hundreds of kilobytes.
        c.execute(f"SELECT term, df, pack FROM {TERM} WHERE {among}", values,  # noqa: S608
                  **({"binary": True} if connection.vendor == "postgresql" else {}))
        rows = c.fetchall()
    n, lists = 1, {}
    for term, df, pack in rows:
        if term == ALL:
            n = max(df, 1)
        elif df > 0:
            lists[term] = decode(pack if pack is not None else repack(connection, term))
    return n, lists


# PostgreSQL packs in the database; the word's version and rows are read by one statement,
# so they agree.
_PG_PACK = (f"SELECT t.version, (SELECT string_agg(int4send(p.entry_id::int4), ''::bytea ORDER BY p.entry_id) "  # noqa: S608
            f"|| string_agg(int2send(p.impact::int2), ''::bytea ORDER BY p.entry_id) FROM {POSTING} p "
            f"WHERE p.term = t.term) FROM {TERM} t WHERE t.term = %s")


def repack(connection, term: str) -> bytes:
    """Pack ``term`` from its postings and keep the pack unless the word changed meanwhile."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_PACK, [term])
            version, pack = cursor.fetchone()
            pack = bytes(pack or b"")
            # A writer holding the row would make the search wait for it: skip storing instead.
            cursor.execute(f"UPDATE {TERM} SET pack = %s WHERE term = %s AND version = %s AND term IN "  # noqa: S608
                           f"(SELECT term FROM {TERM} WHERE term = %s FOR UPDATE SKIP LOCKED)",
                           [pack, term, version, term])
            return pack
        cursor.execute(f"SELECT t.version, p.entry_id, p.impact FROM {TERM} t LEFT JOIN {POSTING} p "  # noqa: S608
                       f"ON p.term = t.term WHERE t.term = %s", [term])
        rows = cursor.fetchall()
        version = rows[0][0]
        found = np.array([row[1:] for row in rows if row[1] is not None], dtype=np.int64).reshape(-1, 2)
        pack = encode(found[:, 0], found[:, 1])
        try:
            cursor.execute(f"UPDATE {TERM} SET pack = %s WHERE term = %s AND version = %s",  # noqa: S608
                           [pack, term, version])
        except OperationalError:  # the database is locked by a writer: the pack is made again next time
            pass
        return pack


def pack_all(connection) -> None:
    """Pack every word (after a full rebuild, or when the packs were added)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"UPDATE {TERM} t SET pack = p.pack FROM (SELECT term, "  # noqa: S608
                           f"string_agg(int4send(entry_id::int4), ''::bytea ORDER BY entry_id) || "
                           f"string_agg(int2send(impact::int2), ''::bytea ORDER BY entry_id) AS pack "
                           f"FROM {POSTING} GROUP BY term) p WHERE t.term = p.term")
            return
        # SQLite: the postings in (word, hash) order, read in chunks, packed here a word at a time.
        cursor.execute(f"SELECT term, entry_id, impact FROM {POSTING} ORDER BY term, sample")  # noqa: S608
        rows = (row for chunk in iter(lambda: cursor.fetchmany(50000), []) for row in chunk)
        batch = []
        with connection.cursor() as writer:
            for term, group in groupby(rows, key=lambda row: row[0]):
                found = np.array([row[1:] for row in group], dtype=np.int64)
                batch.append((encode(found[:, 0], found[:, 1]), term))
                if len(batch) == PACK_BATCH:
                    writer.executemany(f"UPDATE {TERM} SET pack = %s WHERE term = %s", batch)  # noqa: S608
                    batch = []
            writer.executemany(f"UPDATE {TERM} SET pack = %s WHERE term = %s", batch)  # noqa: S608
