"""Intranet-wide Wagtail hooks."""

from __future__ import annotations

from django.http import Http404
from wagtail import hooks
from wagtail.documents import get_document_model
from wagtail.permissions import policy_registry

# The actions that already let a user see a document in the admin's library or chooser.
LIBRARY_ACTIONS = ["add", "change", "choose", "delete"]


@hooks.register("before_serve_document")
def serve_only_to_the_library(document, request):
    """Wagtail serves ``/documents/<id>/<name>`` to anyone who may use the site; on the intranet that
    would hand a notice's attachment to someone outside its audience, or a draft publication's file to
    anyone who guesses a number. Here the raw URL serves only those who may see the document in the
    admin library anyway; readers get files through the views of the record that holds them, which
    check who may open it (for example the internal website's attachment view)."""
    policy = policy_registry.get_by_type(get_document_model())
    if not policy.user_has_any_permission_for_instance(request.user, LIBRARY_ACTIONS, document):
        raise Http404
