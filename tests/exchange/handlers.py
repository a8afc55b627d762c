"""A test message type, ``test.note`` v1, loaded into the test process and (through
JINCAI_EXCHANGE_HANDLER_MODULES) into real deployment processes started by the tests.

Its handler stores each item; with JINCAI_TEST_CRASH_MARKER set it announces, after storing the
second item of a package, that it is in the middle of applying, then waits to be killed.
"""

import os
import time
from pathlib import Path

from exchange import registry
from exchange.channels import CHANNELS
from exchange.messages.store import store_record

SCHEMA = {"type": "object", "required": ["n"], "properties": {"n": {"type": "integer"}, "text": {"type": "string"}},
          "additionalProperties": False}


def apply(ctx):
    store_record(ctx)
    marker = os.environ.get("JINCAI_TEST_CRASH_MARKER")
    if marker and ctx.item_index == 1:
        Path(marker).write_text(str(os.getpid()))
        time.sleep(120)


if registry.get("test.note", 1) is None:
    registry.register("test.note", 1, schema=SCHEMA, channels=list(CHANNELS), apply=apply)
