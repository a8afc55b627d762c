"""The audit log is append-only and hash-chained; tampering is detected by verify_audit."""

import threading

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from common.audit import triggers
from common.audit.models import AuditEvent
from common.audit.services import deferred, event, record, record_many, verify_chain


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _without_guard(sql, params=()):
    """What a DBA with enough privileges could do: drop the trigger, tamper, restore."""
    triggers.drop(_raw, connection.vendor)
    try:
        _raw(sql, params)
    finally:
        triggers.install(_raw, connection.vendor)


@pytest.mark.django_db
def test_chain_verifies_and_records_before_after(capsys):
    group = Group.objects.create(name="预算科")
    record("budget.line.changed", group, before={"amount": "10.00"}, after={"amount": "12.50"})
    record("budget.line.changed", group, before={"amount": "12.50"}, after={"amount": "11.00"})
    assert list(verify_chain()) == []
    call_command("verify_audit")
    assert "chain intact" in capsys.readouterr().out
    last = AuditEvent.objects.order_by("-seq").first()
    assert last.before == {"amount": "12.50"} and last.object_repr == "预算科"


@pytest.mark.django_db
def test_events_appended_together_chain_like_events_appended_one_by_one():
    group = Group.objects.create(name="国库科")
    first = record("exchange.export", group, detail={"seq": 1})
    batch = record_many([event("exchange.export", group, detail={"seq": n}, actor_name="exchange") for n in (2, 3, 4)])
    last = record("exchange.export", group, detail={"seq": 5})
    assert [e.seq for e in batch] == [first.seq + 1, first.seq + 2, first.seq + 3] and last.seq == first.seq + 4
    assert batch[0].prev_hash == first.hash and last.prev_hash == batch[-1].hash
    assert list(verify_chain()) == []
    assert [e.detail["seq"] for e in AuditEvent.objects.order_by("seq")] == [1, 2, 3, 4, 5]
    assert AuditEvent.objects.get(seq=batch[1].seq).actor == "exchange"


@pytest.mark.django_db
def test_deferred_events_are_appended_in_order_by_their_owner_and_dropped_with_failed_work():
    record("exchange.import", detail={"n": 1})
    kept = []
    with deferred() as pending:
        record("exchange.accept", detail={"n": 2})
        record("portal.page.published", detail={"n": 3})
        assert AuditEvent.objects.count() == 1  # nothing written yet
        kept.extend(pending)
    with pytest.raises(ValueError), deferred() as failed:
        record("exchange.accept", detail={"n": "rolled back"})
        raise ValueError("the package's savepoint rolled back")
    assert len(failed) == 1  # the caller, told by the exception, does not append them
    record_many(kept)
    record("exchange.reject", detail={"n": 4})  # outside: appended at once, after the deferred ones
    assert [e.detail["n"] for e in AuditEvent.objects.order_by("seq")] == [1, 2, 3, 4]
    assert list(verify_chain()) == []


@pytest.mark.django_db
def test_update_and_delete_through_the_orm_are_refused():
    event = record("something.happened")
    event.action = "something.else"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


@pytest.mark.django_db(transaction=True)
def test_database_refuses_update():
    record("something.happened")
    with pytest.raises(DatabaseError), transaction.atomic():
        _raw("UPDATE audit_auditevent SET action = 'forged'")
    assert AuditEvent.objects.get().action == "something.happened"


@pytest.mark.django_db(transaction=True)
def test_changed_row_is_detected():
    for i in range(3):
        record("payment.approved", detail={"n": i})
    _without_guard("UPDATE audit_auditevent SET actor = 'somebody-else' WHERE seq = 2")
    with pytest.raises(CommandError, match="FAILED"):
        call_command("verify_audit")
    problems = list(verify_chain())
    assert [p.seq for p in problems] == [2]


@pytest.mark.django_db(transaction=True)
def test_deleted_rows_are_detected_in_the_middle_and_at_the_end():
    for i in range(4):
        record("payment.approved", detail={"n": i})
    _without_guard("DELETE FROM audit_auditevent WHERE seq IN (2, 4)")
    messages = [p.message for p in verify_chain()]
    assert any("missing" in m for m in messages)
    assert any("chain head" in m for m in messages)


@pytest.mark.django_db
def test_permission_changes_are_audited():
    group = Group.objects.create(name="国库科")
    perm = Permission.objects.get(codename="view_auditevent")
    group.permissions.add(perm)
    event = AuditEvent.objects.filter(action="group.permissions_changed").get()
    assert event.detail["change"] == "add" and event.object_repr == "国库科"


@pytest.mark.django_db
def test_rights_change_of_a_user_is_audited(django_user_model):
    user = django_user_model.objects.create_user("bob", password="Secret-Pass-123")
    user.is_superuser = True
    user.save()
    event = AuditEvent.objects.get(action="user.rights_changed")
    assert event.before["is_superuser"] is False and event.after["is_superuser"] is True


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_unbroken_chain():
    errors = []

    def writer(n):
        try:
            for i in range(10):
                with transaction.atomic():
                    record("concurrent.write", detail={"thread": n, "i": i})
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert AuditEvent.objects.filter(action="concurrent.write").count() == 80
    assert list(verify_chain()) == []
