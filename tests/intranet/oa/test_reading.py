"""分发 to internal departments: reading tasks (阅知) in the receivers' inboxes, read receipts for
the sender, and a finished reading moving to 已办."""

import pytest

from intranet.oa.models import ReadingReceipt
from intranet.oa.permissions import can_view
from intranet.oa.services import inbox, reading
from intranet.oa.workflow import transition
from tests.intranet.oa.conftest import fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def login(client, otp_login, bureau):
    def as_(username):
        client.logout()
        otp_login(client, username, "Correct-Horse-42", bureau.devices[username], "/oa/")
        return client
    return as_


def _distributed(bureau, issued, *codes):
    doc = issued(title="关于做好国库集中支付工作的通知")
    return transition(doc, "distribute", bureau.zhangwei, departments=[bureau.dept[c].pk for c in codes])


def test_distribution_puts_a_reading_task_in_every_inbox_of_the_receiving_departments(bureau, issued):
    before = {u: inbox.counts(getattr(bureau, u))["todo"] for u in ("zhaolei", "qianmin", "zhoujie")}
    doc = _distributed(bureau, issued, "GKK")
    for username in ("zhaolei", "qianmin"):
        user = getattr(bureau, username)
        assert inbox.counts(user)["todo"] == before[username] + 1
        assert doc.pk in {t.document_id for t in inbox.todo(user) if t.step == "read"}
        assert can_view(user, doc)
    # A department it was not distributed to gets nothing and still can not open it.
    assert inbox.counts(bureau.zhoujie)["todo"] == before["zhoujie"]
    assert not can_view(bureau.zhoujie, doc)
    assert ReadingReceipt.objects.filter(document=doc).count() == 2


def test_reading_moves_the_task_to_done_and_stamps_the_receipt(bureau, issued):
    doc = _distributed(bureau, issued, "GKK")
    todo_before = inbox.counts(bureau.qianmin)["todo"]
    receipt = reading.mark_read(doc, bureau.qianmin)
    assert receipt.read_at is not None and receipt.read_by == bureau.qianmin
    assert inbox.counts(bureau.qianmin)["todo"] == todo_before - 1
    assert doc in inbox.done(bureau.qianmin)
    assert doc.events.filter(transition="read", actor=bureau.qianmin).exists()
    # Reading twice is refused; the colleague's task is untouched.
    with pytest.raises(reading.NothingToRead):
        reading.mark_read(doc, bureau.qianmin)
    assert reading.pending_receipt(doc, bureau.zhaolei) is not None


def test_someone_not_asked_to_read_can_not_confirm(bureau, issued):
    doc = _distributed(bureau, issued, "GKK")
    with pytest.raises(reading.NothingToRead):
        reading.mark_read(doc, bureau.zhoujie)
    with pytest.raises(reading.NothingToRead):
        reading.mark_read(doc, bureau.lina)  # the sending office: no reading task of its own
    assert not ReadingReceipt.objects.filter(document=doc, read_at__isnull=False).exists()


def test_reading_still_possible_after_archiving(bureau, issued):
    doc = _distributed(bureau, issued, "GKK")
    doc = transition(doc, "archive", bureau.zhangwei, retention="10y", category="treasury")
    assert reading.mark_read(doc, bureau.zhaolei).read_at
    doc.refresh_from_db()
    assert doc.state == "archived"


def test_the_sender_sees_who_read_it_when_and_the_reader_confirms_on_screen(login, bureau, issued):
    doc = _distributed(bureau, issued, "GKK", "CGB")
    client = login("qianmin")
    page = client.get(f"/oa/d/{doc.pk}/").content.decode()
    assert "阅毕" in page and "阅知回执" not in page  # a receiver does not see the others' receipts
    inbox_page = client.get("/oa/").content.decode()
    assert "关于做好国库集中支付工作的通知" in inbox_page and "阅知" in inbox_page
    response = client.post(f"/oa/d/{doc.pk}/read/", follow=True)
    assert response.status_code == 200 and "已标记为已阅" in response.content.decode()
    assert "关于做好国库集中支付工作的通知" in client.get("/oa/?tab=done").content.decode()
    assert "关于做好国库集中支付工作的通知" not in client.get("/oa/").content.decode()

    page = login("zhangwei").get(f"/oa/d/{doc.pk}/").content.decode()  # the office that sent it
    assert "阅知回执" in page
    read_at = ReadingReceipt.objects.get(document=doc, reader=bureau.qianmin).read_at
    assert "qianmin" in page and read_at.astimezone().strftime("%Y-%m-%d") in page
    assert page.count("尚未阅读") == 2  # zhaolei and zhoujie have not read it yet
    assert login("zhoujie").post(f"/oa/d/{doc.pk}/read/").status_code == 302
    # Someone of another department, not distributed to, can not even open it.
    assert login("wangfang").post(f"/oa/d/{doc.pk}/read/").status_code == 404


def test_a_deputy_confirms_for_an_absent_colleague(bureau, issued):
    from datetime import timedelta

    from django.utils import timezone

    from intranet.oa.models import Delegation

    doc = _distributed(bureau, issued, "GKK")
    now = timezone.now()
    Delegation.objects.create(from_user=bureau.qianmin, to_user=bureau.wangfang, start=now - timedelta(hours=1),
                              end=now + timedelta(days=1))
    receipt = reading.mark_read(doc, fresh(bureau.wangfang))
    assert receipt.reader == bureau.qianmin and receipt.read_by == bureau.wangfang
    assert doc.events.get(transition="read").on_behalf_of == bureau.qianmin
