"""The request being served, so that audit records know who and from where."""

from contextvars import ContextVar

_request: ContextVar = ContextVar("jincai_audit_request", default=None)


def current_request():
    return _request.get()


def set_request(request):
    return _request.set(request)


def reset_request(token):
    _request.reset(token)
