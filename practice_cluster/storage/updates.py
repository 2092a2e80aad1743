"""The guaranteed update: a read-change-write that runs again when another writer got there first.

The apiserver retries a write that lost a race inside the server, so a patch never fails with a conflict
the client did not ask for; a write that named a stale ``resourceVersion`` itself fails at once. This is
the one such loop (patches, scale, server-side apply).

    stored = guaranteed_update(resource, name, lambda: stored_or_raced(named_rv, write))
"""

from __future__ import annotations

from collections.abc import Callable

from practice_cluster.errors import ApiError
from practice_cluster.schema.resources import Resource
from practice_cluster.storage.store import Obj

#: How often a write that lost a race to another writer is tried again before it is a 409 Conflict.
RETRIES = 8


class Raced(Exception):
    """A write that lost a race to another writer: the read-change-write runs again."""


def stored_or_raced(named: bool, write: Callable[[], Obj]) -> Obj:
    """``write()``; its resourceVersion conflict is a lost race (``Raced``), unless the client named the
    ``resourceVersion`` itself: then it is the client's own 409, as on a real server."""
    try:
        return write()
    except ApiError as err:
        if not named and err.code == 409 and err.reason == "Conflict":
            raise Raced from err
        raise


def guaranteed_update(r: Resource, name: str, attempt: Callable[[], Obj]) -> Obj:
    """Run ``attempt`` (read the live object, change it, write it with ``stored_or_raced``) until its write is
    not a lost race; any other error, a field manager's conflict included, ends it."""
    for _ in range(RETRIES):
        try:
            return attempt()
        except Raced:
            continue
    raise ApiError.conflict(r.plural, name, r.group)
