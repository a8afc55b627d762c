"""The handler registry other apps use to apply the messages they receive."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from exchange import registry
from exchange.messages.store import store_record
from exchange.models import ReceivedRecord
from tests.exchange.conftest import item, policy_body


@pytest.fixture
def restore():
    saved = {k: (t.apply, t.apply_is_default) for k, t in registry._TYPES.items()}
    yield
    for key, (apply, default) in saved.items():
        registry._TYPES[key].apply, registry._TYPES[key].apply_is_default = apply, default
    registry._TYPES.pop(("test.example", 1), None)


def test_an_app_handler_replaces_the_default_and_receives_the_message(xenv, restore):
    seen = []
    registry.register("portal.policy.publish", 1, apply=lambda ctx: seen.append((ctx.seq, ctx.body["title"],
                                                                                   ctx.trusted)))
    with pytest.raises(ImproperlyConfigured):
        registry.register("portal.policy.publish", 1, apply=lambda ctx: None)
    registry.register("portal.policy.publish", 1, apply=store_record, default=True)  # defaults never override
    xenv.become("extranet")
    xenv.trust("intranet", "to-extranet")
    xenv.sender("intranet", "to-extranet").send([item("portal.policy.publish", policy_body())])
    assert xenv.import_all().ok
    assert seen == [(1, "政策文件 1", True)] and not ReceivedRecord.objects.exists()


def test_a_failing_handler_applies_nothing_and_quarantines(xenv, restore):
    def half_then_fail(ctx):
        store_record(ctx)
        raise RuntimeError("disk full")

    registry.register("portal.policy.publish", 1, apply=half_then_fail)
    xenv.become("extranet")
    xenv.trust("intranet", "to-extranet")
    xenv.sender("intranet", "to-extranet").send([item("portal.policy.publish", policy_body())])
    report = xenv.import_all()
    assert [r[2] for r in report.rejected] == ["apply_failed"]
    assert not ReceivedRecord.objects.exists() and xenv.status("to-extranet")["last_applied_seq"] == 0


def test_new_types_need_a_schema_and_channels_and_are_validated(restore):
    with pytest.raises(ImproperlyConfigured):
        registry.register("test.example", 1, apply=lambda ctx: None)
    schema = {"type": "object", "required": ["n"], "properties": {"n": {"type": "integer"}},
              "additionalProperties": False}
    registry.register("test.example", 1, schema=schema, channels=["to-intranet"])
    registry.check_message("test.example", 1, {"n": 1}, "to-intranet", "public")
    from exchange.errors import PackageRejected

    for body, channel, classification, code in (({"n": "1"}, "to-intranet", "public", "schema"),
                                                ({"n": 1}, "to-extranet", "public", "unknown_type"),
                                                ({"n": 1}, "to-intranet", "restricted", "classification")):
        with pytest.raises(PackageRejected) as exc:
            registry.check_message("test.example", 1, body, channel, classification)
        assert exc.value.code == code
