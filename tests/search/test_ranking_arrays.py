"""The in-memory half of the database backends' ranking (search.services.ranking and packs): the
joins and scores numpy computes from the packed lists are the ones a plain loop computes, for
lists of every shape (ids close together or far apart, many words), and ties and large scores
order the same way."""

import random

import numpy as np
import pytest

from search.services import packs, ranking


def _lists(rnd, terms, universe, sizes):
    out = {}
    for term, size in zip(terms, sizes, strict=True):
        ids = np.array(sorted(rnd.sample(range(1, universe), size)), dtype=np.int64)
        impacts = np.array([rnd.randint(1, 6600) for _ in range(size)], dtype=np.int64)
        out[term] = packs.decode(packs.encode(ids, impacts))  # through the stored form
    return out


def _by_loop(n, lists, terms, operator):
    weight = {t: ranking.idf(n, len(ids)) for t, (ids, _i) in lists.items()}
    per_term = {t: dict(zip(ids.tolist(), impacts.tolist(), strict=True)) for t, (ids, impacts) in lists.items()}
    every = set().union(*per_term.values())
    out = {}
    for pk in every:
        have = [t for t in terms if pk in per_term.get(t, {})]
        if operator == "and" and len(have) < len(terms):
            continue
        out[pk] = sum(per_term[t][pk] * weight[t] for t in have)
    return out


def test_matches_are_the_loops_for_dense_and_sparse_ids():
    rnd = random.Random(3)
    terms = ["预算", "公开", "国库", "支付"]
    for universe in (2_000, 5_000_000):  # ids close together (added by id) or far apart (sorted)
        for operator in ("and", "or"):
            lists = _lists(rnd, terms, universe, [900, 700, 400, 60])
            ids, scores = ranking._matches(100_000, lists, terms, operator)
            assert dict(zip(ids.tolist(), scores.tolist(), strict=True)) == _by_loop(100_000, lists, terms, operator)


def test_an_and_with_a_word_nobody_has_matches_nothing():
    rnd = random.Random(5)
    lists = _lists(rnd, ["预算"], 1000, [50])
    ids, _scores = ranking._matches(1000, lists, ["预算", "不存在"], "and")
    assert len(ids) == 0
    lists["空"] = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    ids, _scores = ranking._matches(1000, lists, ["预算", "空"], "and")
    assert len(ids) == 0


def test_best_orders_by_score_then_newest_even_above_the_packed_key():
    ids = np.array([5, 9, 2, 7, 3], dtype=np.int64)
    for scores in (np.array([10, 30, 30, 20, 10]), np.array([10, 30, 30, 20, 10]) + 2**40):
        assert ranking._best(ids, scores.astype(np.int64), 3).tolist() == [9, 2, 7]
        assert ranking._best(ids, scores.astype(np.int64), 10).tolist() == [9, 2, 7, 5, 3]


def test_a_pack_keeps_ids_and_impacts_in_id_order():
    ids = np.array([70_000, 3, 2**31 - 1, 65_536], dtype=np.int64)
    impacts = np.array([1, 6600, 32767, 42], dtype=np.int64)
    got_ids, got_impacts = packs.decode(packs.encode(ids, impacts))
    assert got_ids.tolist() == [3, 65_536, 70_000, 2**31 - 1]
    assert got_impacts.tolist() == [6600, 42, 1, 32767]
    with pytest.raises(ValueError, match="does not fit"):
        packs.encode(np.array([2**31], dtype=np.int64), np.array([1], dtype=np.int64))
