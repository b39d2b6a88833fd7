"""Operations that JSON providers write alike, over two hooks of their own.

A provider subclasses ``StreamCalls`` (an ``HttpProvider``; before ``TargetsProvider``) and writes
``_one(response)`` (the stream object of a one-stream answer, out of its envelope) and
``_parsed(response, data)`` (that object as a ``LiveStream``); it then has ``get``,
``delete`` and ``check_credentials`` (the cheapest authenticated list call), a request whose
answer is the stream (``_answered``), the create's POST (``_create_posted``) and the end of
an active broadcast only (``_end_if_live``).

The restream targets of a stream's sub-resource (``kit_simulcast``) are built alike too:
``target_body`` (the destination URL, its key under the provider's name for it, and its
own fields), ``made_target`` (the target a create's answer names) and ``enabled_target``
(a target that is only enabled or not: a disabled one is reported as removed).
"""

from __future__ import annotations

from typing import Any, ClassVar, Optional

import requests

from ..models import EndResult, LiveStream, StreamStatus
from ..simulcast import SimulcastTarget, TargetState, TargetStatus
from .http_base import HttpProvider


class StreamCalls(HttpProvider):
    """``get``, ``delete``, ``check_credentials`` and the create's POST of an ``HttpProvider``."""

    #: The query of ``check_credentials``' list call (one stream of the first page); None: none.
    check_params: ClassVar[Optional[dict[str, Any]]] = None
    #: How a refusal of a create or list names where it went ("environment").
    scope: ClassVar[str] = "account"

    # --- the provider's own two hooks

    def _one(self, response: requests.Response) -> Any:
        """The stream object of a one-stream answer."""
        raise NotImplementedError

    def _parsed(self, response: Optional[requests.Response], data: Any) -> LiveStream:
        """The stream object ``data`` of ``response`` as a ``LiveStream``."""
        raise NotImplementedError

    # --- what they make

    def _scope(self) -> str:
        """``scope``; a provider whose scope is a credential (an account ID) names it here."""
        return self.scope

    def _answered(self, method: str, stream_id: str, action: Optional[str] = None, **kwargs: Any) -> LiveStream:
        """One request on one stream (``_on``) whose answer is the stream."""
        response = self._on(method, stream_id, action, **kwargs)
        return self._parsed(response, self._one(response))

    def get(self, stream_id: str) -> LiveStream:
        """``GET <collection>/<id>``."""
        return self._answered("GET", stream_id)

    def delete(self, stream_id: str) -> None:
        """``DELETE <collection>/<id>``."""
        self._on("DELETE", stream_id)

    def check_credentials(self) -> None:
        """The collection's list: cheap, authenticated and scoped to the credentials."""
        query = {"params": self.check_params} if self.check_params else {}
        self._http.request("GET", self._collection(), what=self._scope(), **query)

    def _create_posted(self, body: dict[str, Any], protocol: str) -> tuple[requests.Response, Any, Optional[str]]:
        """``POST <collection>`` with ``body``: never retried once it may have arrived (a second
        stream would exist). Returns the answer, its stream object and the stream's ID, whose
        ingest ``protocol`` is remembered."""
        response = self._http.request("POST", self._collection(), json=body, idempotent=False,
                                      what=self._scope())
        data = self._one(response)
        stream_id = self._id_in(data) if isinstance(data, dict) else getattr(data, self.id_field, None)
        if stream_id:
            self._remember(stream_id, protocol)
        return response, data, stream_id

    def _end_if_live(self, stream_id: str, method: str, action: str, *, done: str, idle: str) -> EndResult:
        """``_end_by`` for a stream that is live; one that is not has nothing to end (read
        first: what the end call answers for an idle stream may not be documented)."""
        stream = self.get(stream_id)
        if stream.status is not StreamStatus.LIVE:
            word = stream.provider_status or "not active"
            return EndResult(ended=False,
                             message=f"nothing to end (the {self.service.name} {self.stream_noun} is {word})")
        return self._end_by(method, stream_id, action, done=done, idle=idle)


def target_body(target: SimulcastTarget, key_field: str, **fields: Any) -> dict[str, Any]:
    """A restream target's create body: ``url``, the stream key as ``key_field``, ``fields``."""
    return {"url": target.url, key_field: target.stream_key.get_secret_value(), **fields}


def made_target(target: SimulcastTarget, target_id: str) -> TargetState:
    """The target a create's answer gave ``target_id``, named as asked."""
    return TargetState(name=target.name, target_id=target_id, host=target.host)


def enabled_target(name: str, target_id: str, enabled: Optional[bool]) -> TargetState:
    """A target read back that is only enabled or not: a disabled one no longer restreams."""
    return TargetState(name=name, target_id=target_id,
                       status=TargetStatus.REMOVED if enabled is False else TargetStatus.ADDED)
