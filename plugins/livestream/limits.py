"""Open event streams per client, in this process: at most ``streams_per_member`` for a
signed-in member (all their tabs and devices) and ``streams_per_address`` for anonymous viewers
of one address (higher: a carrier's NAT puts many phones behind one address; behind a reverse
proxy, run the server with proxy headers trusted so the address is the viewer's). The stream
past the limit is refused with :class:`TooManyStreams` (429) before it starts; closing a stream
frees its slot."""

from __future__ import annotations

from collections import Counter

from .errors import TooManyStreams

STATE = "livestream.streams"


class Slot:
    """One open stream's place; :meth:`release` is idempotent."""

    def __init__(self, slots: StreamSlots, client: str) -> None:
        self._slots, self._client, self._held = slots, client, True

    def release(self) -> None:
        if self._held:
            self._held = False
            self._slots.release(self._client)


class StreamSlots:
    """Counts open streams per client (one event loop: no await between the check and the count)."""

    def __init__(self) -> None:
        self._open: Counter[str] = Counter()

    def acquire(self, client: str, limit: int) -> Slot:
        if self._open[client] >= limit:
            raise TooManyStreams()
        self._open[client] += 1
        return Slot(self, client)

    def release(self, client: str) -> None:
        self._open[client] -= 1
        if self._open[client] <= 0:
            del self._open[client]

    def open(self, client: str) -> int:
        return self._open.get(client, 0)


def acquire(runtime, request) -> Slot:
    """A slot for the request's client (the member, else the address), or :class:`TooManyStreams`."""
    settings = runtime.settings("livestream")
    if request.user is not None:
        client, limit = f"member:{request.user.id}", settings.streams_per_member
    else:
        client, limit = f"address:{request.client.host if request.client else ''}", settings.streams_per_address
    return slots(runtime).acquire(client, limit)


def slots(runtime) -> StreamSlots:
    """This process's stream slots (created with the app, see the ``startup`` hook)."""
    return runtime.state[STATE]
