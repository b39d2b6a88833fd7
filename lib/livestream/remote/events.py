"""obs-websocket events for ``ObsClient``: subscribers on their own thread, and one-shot waiters.

Events arrive on the connection's receive loop, where a callback that sends a request would
wait for an answer that loop itself has to read, and a callback's exception would end it.
So the loop only stores and signals (``EventHub.offer``); subscribers run one at a time on a
dispatcher thread, and a failing callback is logged, never propagated.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from .. import secrets
from ..errors import ObsRefusedError, ObsUnreachableError

LOG = logging.getLogger(__name__)

Predicate = Callable[[Mapping[str, Any]], bool]


class ObsEventTimeoutError(ObsRefusedError, TimeoutError):
    """An expected obs-websocket event did not arrive in time."""


@dataclass(frozen=True)
class ObsEvent:
    """One obs-websocket event: its type (``StreamStateChanged``...) and ``eventData``."""

    name: str
    data: Mapping[str, Any] = field(default_factory=dict)


class EventWaiter:
    """Waits for the first event of a type that satisfies a predicate.

    Made by ``ObsClient.expect_event`` *before* the action that causes the event, so the
    event cannot slip by; fed from the receive loop (it only stores and signals).
    """

    def __init__(self, hub: EventHub, name: str, predicate: Optional[Predicate]) -> None:
        self._hub = hub
        self.name = name
        self._predicate = predicate
        self._done = threading.Event()
        self._event: Optional[ObsEvent] = None
        self._error: Optional[BaseException] = None

    def offer(self, event: ObsEvent) -> None:
        """Take ``event`` if it is the awaited one (a predicate error surfaces in ``wait``)."""
        if self._done.is_set() or event.name != self.name:
            return
        try:
            if self._predicate is not None and not self._predicate(event.data):
                return
        except Exception as exc:  # surfaces in wait(), never in the receive loop
            self._error = exc
        self._event = event
        self._done.set()

    def lost(self) -> None:
        """The connection ended: ``wait`` raises at once."""
        self._done.set()

    def wait(self, timeout: float = 10.0) -> Dict[str, Any]:
        """The matching event's data; raises ``ObsEventTimeoutError`` or ``ObsUnreachableError``."""
        try:
            self._done.wait(timeout)
            if self._error is not None:
                raise self._error
            if self._event is not None:
                return dict(self._event.data)
            if self._done.is_set():
                raise ObsUnreachableError(f"lost the connection to obs-websocket at {self._hub.url} "
                                          f"while waiting for {self.name}")
            raise ObsEventTimeoutError(f"OBS sent no {self.name} event within {timeout:g} s")
        finally:
            self.cancel()

    def cancel(self) -> None:
        self._hub.drop_waiter(self)

    def __enter__(self) -> EventWaiter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cancel()


_Subscriber = Tuple[Callable[[ObsEvent], Any], Optional[str]]


class EventHub:
    """The subscribers and waiters of one ``ObsClient``, across its reconnections."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._lock = threading.Lock()
        self._subscribers: List[_Subscriber] = []
        self._waiters: List[EventWaiter] = []
        self._queue: queue.Queue[Optional[ObsEvent]] = queue.Queue()
        self._dispatcher: Optional[threading.Thread] = None

    def subscribe(self, callback: Callable[[ObsEvent], Any], event_type: Optional[str]) -> Callable[[], None]:
        """Add a subscriber; returns the function that removes it."""
        entry: _Subscriber = (callback, event_type)
        with self._lock:
            self._subscribers.append(entry)

        def unsubscribe() -> None:
            with self._lock:
                if entry in self._subscribers:
                    self._subscribers.remove(entry)

        return unsubscribe

    def waiter(self, name: str, predicate: Optional[Predicate]) -> EventWaiter:
        """A waiter that sees every event from now on."""
        waiter = EventWaiter(self, name, predicate)
        with self._lock:
            self._waiters.append(waiter)
        return waiter

    def drop_waiter(self, waiter: EventWaiter) -> None:
        with self._lock:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    def offer(self, name: str, data: Dict[str, Any]) -> None:
        """Runs on the receive loop: store, signal, return. Never raises."""
        try:
            event = ObsEvent(name, data)
            for waiter in list(self._waiters):
                waiter.offer(event)
            self._queue.put(event)
        except Exception:  # pragma: no cover - defensive: the loop must survive
            LOG.exception("dropping an obs-websocket event")

    def lost(self) -> None:
        """Wake every waiter: the connection their events would come on is gone."""
        for waiter in list(self._waiters):
            waiter.lost()

    def start(self) -> None:
        """Start the dispatcher thread unless it runs."""
        if self._dispatcher is not None and self._dispatcher.is_alive():
            return
        self._dispatcher = threading.Thread(target=self._dispatch, name=f"obs-websocket events {self.url}",
                                            daemon=True)
        self._dispatcher.start()

    def stop(self) -> None:
        """Stop the dispatcher after the events already queued; safe from a callback."""
        dispatcher, self._dispatcher = self._dispatcher, None
        if dispatcher is not None:
            self._queue.put(None)
            if dispatcher is not threading.current_thread():
                dispatcher.join(timeout=2)

    def _dispatch(self) -> None:
        while True:
            event = self._queue.get()
            if event is None:
                return
            with self._lock:
                subscribers = list(self._subscribers)
            for callback, event_type in subscribers:
                if event_type is not None and event_type != event.name:
                    continue
                try:
                    callback(event)
                except Exception as exc:
                    LOG.error("obs-websocket event callback %r failed on %s: %s",
                              getattr(callback, "__name__", callback), event.name, secrets.redact(exc))
