"""The shared message schemas, versioned. Both sides import this package (``ExchangeConfig.ready``).

Adding a field is a new schema version: register ``v2`` beside ``v1`` and keep ``v1`` as long as
packages of that version can still arrive.
"""

from exchange.messages import (  # noqa: F401
    consultation,
    exchange_control,
    oa,
    portal,
    procurement,  # noqa: F401,E402
)
