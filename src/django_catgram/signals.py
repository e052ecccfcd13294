"""Signals for host sites: what the API did, sent once it has committed (never for a change
that was rolled back), so that a receiver may mail, index or log it.

djoser's three, with its names and arguments (``user``, ``request``):

- ``user_registered``: ``POST users/`` made an account (inactive until activated, with
  ``SEND_ACTIVATION_EMAIL``);
- ``user_activated``: ``POST users/activation/`` activated one;
- ``user_updated``: ``PUT`` or ``PATCH users/{id}/`` (``me`` too) changed one.

And the cats' (``cat``, ``request``): ``cat_created``, ``cat_updated`` (``PUT``, ``PATCH``)
and ``cat_deleted`` (``cat`` as it was, its ``pk`` still set).

The sender is the model: the user model (``get_user_model()``) or ``Cat``. A receiver that
raises is logged (``django_catgram.signals``); the others still receive the signal, and the
answer, which reports a write that has happened, stays as it is.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.dispatch import Signal

user_registered = Signal()
user_activated = Signal()
user_updated = Signal()
cat_created = Signal()
cat_updated = Signal()
cat_deleted = Signal()

logger = logging.getLogger(__name__)


def send_after_commit(signal: Signal, sender: Any, **arguments: Any) -> None:
    """Send ``signal`` once the current transaction commits (at once outside of one)."""

    def send() -> None:
        for receiver, outcome in signal.send_robust(sender=sender, **arguments):
            if isinstance(outcome, Exception):
                logger.error("Receiver %r of a signal failed", receiver, exc_info=outcome)

    transaction.on_commit(send)
