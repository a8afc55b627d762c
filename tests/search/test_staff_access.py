"""Staff search never reveals a hit, count, facet or snippet of an entry the user may not open."""

from django.contrib.auth.models import Group

from common.accounts.models import Department
from search.services import access, engine, indexing
from search.services.query import parse


def _documents():
    indexing.upsert("oa:public", source="oa", kind="document", title="公开的预算通知", body="部门预算 公开",
                    issuer="预算科", public=True)
    indexing.upsert("oa:budget", source="oa", kind="document", title="预算科内部预算测算", body="部门预算 内部测算 机密数字",
                    issuer="预算科", grants=["dept:YS"])
    indexing.upsert("oa:treasury", source="oa", kind="document", title="国库科内部预算资金调度", body="部门预算 资金调度",
                    issuer="国库科", grants=["dept:GK", "user:999999"])
    indexing.upsert("oa:group", source="oa", kind="record", title="领导小组预算会议纪要", body="部门预算 会议纪要",
                    issuer="办公室", grants=["group:leaders"])
    indexing.refresh()


def _dept(code, name):
    group = Group.objects.create(name=f"dept-{code}")
    return Department.objects.create(code=code, name=name, group=group)


def test_each_user_sees_only_what_they_may_open(each_backend, make_user):
    _documents()
    budget_clerk, _pw, _dev = make_user("clerk", department=_dept("YS", "预算科"))
    treasury_clerk, _pw, _dev = make_user("teller", department=_dept("GK", "国库科"))
    leader, _pw, _dev = make_user("leader")
    leader.groups.add(Group.objects.create(name="leaders"))
    backend = engine.backend()

    def keys(user, **params):
        outcome = engine.run(parse({"q": "部门预算", **params}), access.visible_entries(user, backend))
        return outcome, {h.entry.key for h in outcome.hits}

    outcome, seen = keys(budget_clerk)
    assert seen == {"oa:public", "oa:budget"} and outcome.total == 2
    assert {v for v, _l, _c in outcome.facets["issuer"]} == {"预算科"}
    assert sum(c for _v, _l, c in outcome.facets["kind"]) == 2
    assert "机密" not in "".join(str(h.snippet_html) for h in keys(treasury_clerk)[0].hits)

    outcome, seen = keys(treasury_clerk)
    assert seen == {"oa:public", "oa:treasury"} and outcome.total == 2
    assert {v for v, _l, _c in outcome.facets["issuer"]} == {"预算科", "国库科"}

    assert keys(leader)[1] == {"oa:public", "oa:group"}
    # A filter on a facet value the user cannot see finds nothing rather than leaking a count.
    assert keys(treasury_clerk, issuer="办公室")[0].total == 0
    # Suggestions are restricted the same way.
    titles = {s["title"] for s in engine.suggest("预算", access.visible_entries(treasury_clerk, backend))}
    assert "预算科内部预算测算" not in titles and "国库科内部预算资金调度" in titles


def test_entries_with_some_of_the_words_are_restricted_too(each_backend, make_user):
    """The relaxed list (no entry has every word) and its facets count only what the user may open."""
    _documents()
    teller, _pw, _dev = make_user("teller", department=_dept("GK", "国库科"))
    base = access.visible_entries(teller, engine.backend())
    outcome = engine.run(parse({"q": "会议纪要 资金调度"}), base)  # 会议纪要 is only in the leaders' entry
    assert outcome.relaxed and outcome.strict_total == 0
    assert [h.entry.key for h in outcome.hits] == ["oa:treasury"] and outcome.total == 1
    assert {(v, c) for v, _l, c in outcome.facets["issuer"]} == {("国库科", 1)}
    assert {(v, c) for v, _l, c in outcome.facets["kind"]} == {("document", 1)}
    # Filtering on the type only the hidden entry has: nothing, and no count of it in any facet.
    filtered = engine.run(parse({"q": "会议纪要 资金调度", "type": "record"}), base)
    assert filtered.total == 0 and not filtered.hits
    assert all(rows == [] for rows in filtered.facets.values())


def test_public_and_anonymous_see_public_entries_only(each_backend):
    from django.contrib.auth.models import AnonymousUser

    _documents()
    for base in (access.public_entries(), access.visible_entries(AnonymousUser(), engine.backend())):
        outcome = engine.run(parse({"q": "部门预算"}), base)
        assert {h.entry.key for h in outcome.hits} == {"oa:public"} and outcome.total == 1
