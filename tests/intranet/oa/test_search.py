"""Finding documents: the OA list and the intranet search use the permission-filtered index; a
user never sees a hit, a count or a snippet of a document they may not open."""

import pytest

from intranet.oa.services import indexing
from intranet.oa.workflow import transition
from search.models import Entry
from search.services import indexing as search_indexing

pytestmark = pytest.mark.django_db
SECRET = "库款调度测算口径"  # a phrase only in the body of the treasury's document


@pytest.fixture
def login(client, otp_login, bureau):
    def as_(username):
        client.logout()
        otp_login(client, username, "Correct-Horse-42", bureau.devices[username], "/oa/")
        return client
    return as_


@pytest.fixture
def indexed(celery_eager, django_capture_on_commit_callbacks):
    """Run a block as a request would: its queued index updates run when it "commits"."""
    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            result = fn(*args, **kwargs)
        search_indexing.refresh()
        return result
    return run


def _treasury_notice(bureau, indexed, draft):
    return indexed(draft, title="关于国库资金调度的通知", body=f"各科室：现就{SECRET}通知如下。")


def _api(client, q):
    return client.get("/search/api/", {"q": q}).json()


def test_another_department_gets_no_hit_count_or_snippet(login, bureau, draft, indexed):
    doc = _treasury_notice(bureau, indexed, draft)
    entry = Entry.objects.get(key=indexing.entry_key(doc.pk))
    assert not entry.is_public and "dept:BGS" in set(entry.grants.values_list("token", flat=True))

    link = f'href="/oa/d/{doc.pk}/"'
    client = login("lina")  # same department
    page = client.get("/oa/documents/", {"q": "国库 调度"}).content.decode()
    assert link in page and "找到 1 份公文" in page and "<mark>国库</mark>" in page
    data = _api(client, SECRET)
    assert data["total"] == 1 and data["results"][0]["url"] == f"/oa/d/{doc.pk}/"

    client = login("zhoujie")  # 政府采购办: neither its department nor routed to him
    page = client.get("/oa/documents/", {"q": "国库 调度"}).content.decode()
    assert link not in page and SECRET not in page and "找到 0 份公文" in page
    data = _api(client, SECRET)
    assert data["total"] == 0 and data["results"] == [] and data["alternatives"] == []
    assert all(not rows for rows in data["facets"].values())
    page = client.get("/search/", {"q": SECRET}).content.decode()
    assert link not in page and "<mark>" not in page
    assert client.get(f"/oa/d/{doc.pk}/").status_code == 404


def test_routing_grants_and_leaders_follow_the_workflow(login, bureau, draft, indexed):
    doc = _treasury_notice(bureau, indexed, draft)
    assert _api(login("zhaolei"), SECRET)["total"] == 0
    assert _api(login("liuyang"), SECRET)["total"] == 1  # a bureau leader's role sees every document
    assert _api(login("chenjing"), SECRET)["total"] == 1  # so does the auditor's
    doc = indexed(transition, doc, "submit", bureau.zhangwei)
    indexed(transition, doc, "review_pass", bureau.lina, countersign_departments=[bureau.dept["GKK"].pk])
    data = _api(login("qianmin"), SECRET)  # the countersigning department finds it now
    assert data["total"] == 1 and SECRET in data["results"][0]["snippet_html"].replace("<mark>", "").replace(
        "</mark>", "")
    assert _api(login("zhoujie"), SECRET)["total"] == 0


def test_after_distribution_the_receiving_department_finds_it(login, bureau, issued, indexed):
    doc = indexed(issued, title="关于规范公务卡报销的通知", body="公务卡报销须在三十日内完成。")
    client = login("zhoujie")
    assert "找到 0 份公文" in client.get("/oa/documents/", {"q": "公务卡 报销"}).content.decode()
    indexed(transition, doc, "distribute", bureau.zhangwei, departments=[bureau.dept["CGB"].pk])
    page = client.get("/oa/documents/", {"q": "公务卡 报销"}).content.decode()
    assert "关于规范<mark>公务卡</mark>" in page and "找到 1 份公文" in page
    assert _api(client, "公务卡报销")["total"] == 1
    assert _api(login("wangfang"), "公务卡报销")["total"] == 0  # 预算科 was not among the receivers


def test_the_list_filters_by_kind_and_reports_bad_input(login, bureau, draft, indexed):
    _treasury_notice(bureau, indexed, draft)
    client = login("lina")
    assert "找到 0 份公文" in client.get("/oa/documents/", {"q": "国库", "kind": "in"}).content.decode()
    assert "找到 1 份公文" in client.get("/oa/documents/", {"q": "国库", "kind": "out"}).content.decode()
    response = client.get("/oa/documents/", {"q": "！！！"})
    assert response.status_code == 400 and "没有可查找的文字或数字" in response.content.decode()
    response = client.get("/oa/documents/", {"q": "国" * 200})
    assert response.status_code == 400


def test_stale_grants_never_show_a_document_the_user_can_no_longer_open(login, bureau, draft, indexed):
    doc = _treasury_notice(bureau, indexed, draft)
    # The entry still grants 国库科 (as if the index lagged behind): the list checks the rule again.
    search_indexing.upsert(indexing.entry_key(doc.pk), source="oa", kind="document", title=doc.title, body=doc.body,
                           grants=["dept:GKK"])
    search_indexing.refresh()
    page = login("zhaolei").get("/oa/documents/", {"q": "国库 调度"}).content.decode()
    assert f'href="/oa/d/{doc.pk}/"' not in page and "找到 0 份公文" in page


def test_rebuild_derives_every_document_again(bureau, draft):
    from search.services.rebuild import rebuild

    doc = draft(title="关于政府采购意向公开的通知")  # nothing ran after commit: not indexed yet
    assert not Entry.objects.filter(key=indexing.entry_key(doc.pk)).exists()
    report = rebuild()
    assert report["sources"]["oa"] >= 1
    assert Entry.objects.filter(key=indexing.entry_key(doc.pk), is_public=False).exists()
    doc.delete()
    indexing.sync_document(doc.pk)
    assert not Entry.objects.filter(key=indexing.entry_key(doc.pk)).exists()
