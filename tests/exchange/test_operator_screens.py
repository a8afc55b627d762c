"""Operator screens (Wagtail admin), staff with the exchange permission only; Celery wiring."""

from __future__ import annotations

from django.conf import settings as django_settings
from django.contrib.auth.models import Permission

from exchange import tasks
from exchange.models import ExchangeRun
from exchange.services import outbox
from tests.exchange.conftest import policy_body


def grant(user, *codenames):
    for codename in codenames:
        app_label, name = codename.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=name))


def refused(response) -> bool:
    """Wagtail turns a permission refusal into a redirect to the admin home with a message."""
    return response.status_code == 403 or (response.status_code == 302 and response["Location"] == "/admin/")


def test_staff_without_the_permission_cannot_see_the_exchange(xenv, client, staff):
    grant(staff, "wagtailadmin.access_admin")
    assert refused(client.get("/admin/exchange/"))
    assert refused(client.get("/admin/exchange/quarantine/"))
    assert refused(client.post("/admin/exchange/resend/", {"channel": "to-extranet", "first": 1, "last": 1}))
    assert not ExchangeRun.objects.exists()
    assert b"/admin/exchange/" not in client.get("/admin/").content


def test_operator_sees_status_keys_gaps_quarantine_and_alarm(xenv, receiving, client, staff):
    grant(staff, "wagtailadmin.access_admin", "exchange.operate_exchange")
    first = receiving.build()
    receiving.send()  # #2 arrives, #1 is damaged in transit
    data = bytearray(first.path.read_bytes())
    data[-1] ^= 0xFF
    (receiving.ferry_dir / first.file_name).write_bytes(data)
    xenv.import_all()
    page = client.get("/admin/exchange/").content.decode()
    assert xenv.keys["intranet"].fingerprint in page and xenv.keys["extranet"].fingerprint in page
    assert "#1" in page and "告警：近期没有心跳" in page  # the gap, and no heartbeat yet
    assert b"/admin/exchange/" in client.get("/admin/").content
    listing = client.get("/admin/exchange/quarantine/").content.decode()
    assert first.file_name in listing and "container" in listing
    export = client.get("/admin/exchange/quarantine/?export=csv")
    assert export.status_code == 200 and first.file_name in b"".join(export.streaming_content).decode()


def test_re_export_of_a_range_runs_with_progress(xenv, client, staff, django_capture_on_commit_callbacks):
    grant(staff, "wagtailadmin.access_admin", "exchange.operate_exchange")
    for n in range(1, 4):
        outbox.enqueue("to-extranet", "portal.policy.publish", 1, policy_body(n))
        outbox.export_channel("to-extranet")
    for path in xenv.ferry("to-extranet").iterdir():
        path.unlink()
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/admin/exchange/resend/", {"channel": "to-extranet", "first": 2, "last": 3})
    assert response.status_code == 302
    run = ExchangeRun.objects.get(kind="resend")
    assert run.state == "queued" and run.params == {"from": 2, "to": 3}
    tasks.resend_task(run.pk)  # what the worker does
    run.refresh_from_db()
    assert (run.state, run.done, run.total, run.percent) == ("done", 2, 2, 100)
    assert len(list(xenv.ferry("to-extranet").iterdir())) == 2
    assert "2/2" in client.get("/admin/exchange/").content.decode()


def test_beat_exports_and_imports_often_enough_for_a_minute(xenv):
    schedule = django_settings.CELERY_BEAT_SCHEDULE
    assert {"exchange.export", "exchange.import", "exchange.heartbeat"} <= {e["task"] for e in schedule.values()}
    assert all(e["schedule"] <= 20 for e in schedule.values() if e["task"] in ("exchange.export", "exchange.import"))
    # Intranet beat exports, extranet beat imports: the two tasks are the whole path.
    xenv.become("extranet")
    xenv.trust("intranet", "to-extranet")
    xenv.become("intranet")
    outbox.enqueue("to-extranet", "portal.policy.publish", 1, policy_body())
    assert tasks.heartbeat_task() == 1 and tasks.heartbeat_task() == 0  # idempotent
    assert tasks.export_task() == {"to-extranet": [1], "to-province": []}
    assert tasks.export_task() == {"to-extranet": [], "to-province": []}
    xenv.become("extranet")
    assert tasks.import_task() == {"applied": 1, "duplicates": 0, "held": 0, "rejected": 0}
    assert not xenv.status("to-extranet")["heartbeat_alarm"]
    assert ExchangeRun.objects.filter(kind="import", state="done", done=1).exists()
