"""The stream operations JSON providers write alike: read, create, delete, check, list pages.

A provider whose streams live at ``<collection>/<id>`` (all five built-in ones but TP Streams)
mixes in ``StreamsProvider`` and states what is its own: ``parse_stream`` (its answer object as a
``LiveStream``, called with ``protocol=`` and ``_parse_settings()``; or a ``_parsed`` of its own),
``_answer`` (where a stream is in an answer: the whole body by default, an envelope's ``data``
for FastPix and Mux, ``result`` for Cloudflare), ``account_word`` (what owns the streams: a
"project", a "workspace") and ``first_page`` (the query of a one-stream list page, the cheap
authenticated call). It then has ``get``, ``delete``, ``check_credentials``, a request whose
answer is the stream (``_answered``), the create's POST (``_create_posted``, ``_create``) and
the end of a running broadcast only (``_end_if_live``), and a start that enables a disabled
stream first (``_enabled_first``, FastPix and Cloudflare). ``ConstantIngests`` adds the ``setup``
of a provider whose API never names its ingest servers (FastPix, Mux): constants a setting
overrides, as is the playback URL template, all passed on to ``parse_stream``.

Two checks and a header around them: ``check_metadata`` (a create's free-form entries
within the provider's documented limits, refused before any request) and
``retry_after_header`` (an API that says how long to wait in a header of its own).
"""

from __future__ import annotations

from typing import Any, Callable, ClassVar, Mapping, Optional

import requests

from ..errors import ConfigurationError
from ..models import EndResult, LiveStream, StreamStatus
from .http_base import HttpProvider


def check_metadata(entries: Mapping[str, str], *, service: str, most: int, longest: int) -> None:
    """``ConfigurationError`` unless ``entries`` hold at most ``most`` entries whose names and
    values have at most ``longest`` characters (the too-long ones are named, never their values)."""
    too_long = [k for k, v in entries.items() if len(k) > longest or len(v) > longest]
    if len(entries) > most or too_long:
        raise ConfigurationError(f"{service} metadata is too large",
                                 hint=f"at most {most} entries of at most {longest} characters"
                                 + (f" (too long: {', '.join(too_long)})" if too_long else ""))


def retry_after_header(session: requests.Session, header: str) -> None:
    """Read a 429's ``header`` as ``Retry-After`` (what the shared retry logic reads), on
    every answer of ``session``; once, however many clients share the session."""
    def alias(response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
        wait = response.headers.get(header)
        if response.status_code == 429 and wait and "Retry-After" not in response.headers:
            response.headers["Retry-After"] = wait
        return response
    alias.header = header  # type: ignore[attr-defined]
    hooks = session.hooks.setdefault("response", [])
    if not any(getattr(hook, "header", None) == header for hook in hooks):
        hooks.append(alias)


def more_than_read(have: int, items: list[Any], total: Any) -> Optional[bool]:
    """Whether a list holds more than the ``have`` streams read before this page's ``items``,
    by the ``total`` the page states; None when it states none (an integer, not a bool)."""
    known = isinstance(total, int) and not isinstance(total, bool)
    return have + len(items) < total if known else None


def _is_live(stream: LiveStream) -> bool:
    return stream.status is StreamStatus.LIVE


class StreamsProvider(HttpProvider):
    """``get``, ``delete``, ``check_credentials``, the create's POST and an end that reads the
    status first, over ``_on``; a provider states where a stream is in an answer
    (``_answer``) and how it reads it (``parse_stream``, or ``_parsed`` of its own)."""

    #: The stream object as a ``LiveStream``: ``parse_stream(data, protocol=..., **settings)``.
    parse_stream: ClassVar[Callable[..., LiveStream]]
    #: What owns the streams, as a refusal of a create or list names it ("project").
    account_word: ClassVar[str] = "account"
    #: The query of the smallest list page (``check_credentials``).
    first_page: ClassVar[Mapping[str, Any]] = {}

    def _scope(self) -> str:
        """``account_word``; a provider whose scope is a credential (an account ID) names it here."""
        return self.account_word

    def _answered(self, method: str, stream_id: str, action: Optional[str] = None, **kwargs: Any) -> LiveStream:
        """One request on one stream (``_on``) whose answer is the stream."""
        response = self._on(method, stream_id, action, **kwargs)
        return self._parsed(response, self._answer(response))

    def get(self, stream_id: str) -> LiveStream:
        """``GET <collection>/<id>``."""
        return self._answered("GET", stream_id)

    def delete(self, stream_id: str) -> None:
        """``DELETE <collection>/<id>``."""
        self._on("DELETE", stream_id)

    def check_credentials(self) -> None:
        """One stream of the first page: cheap, authenticated and scoped to the credentials."""
        query = {"params": dict(self.first_page)} if self.first_page else {}
        self._send("GET", self._collection(), what=self._scope(), **query)

    def _create_posted(self, body: Any, protocol: str) -> tuple[requests.Response, Any, Optional[str]]:
        """``POST <collection>`` with ``body``, never retried once it may have arrived (a second
        stream would exist). Returns the answer, its stream object and the stream's ID, whose
        ingest ``protocol`` is remembered."""
        response = self._send("POST", self._collection(), json=body, idempotent=False, what=self._scope())
        data = self._answer(response)
        stream_id = self._id_in(data)
        if stream_id:
            self._remember(stream_id, protocol)
        return response, data, stream_id

    def _create(self, body: Any, protocol: str) -> LiveStream:
        """``_create_posted``'s stream, read with the ingest ``protocol`` chosen for it."""
        response, data, _ = self._create_posted(body, protocol)
        return self._parsed(response, data)

    def _end_if_live(self, stream_id: str, action: str, *, method: str = "PUT",
                     live: Callable[[LiveStream], bool] = _is_live, unknown: str = "not live",
                     **end_by: Any) -> EndResult:
        """End a broadcast only where the stream's status says there is one (an API that
        documents its end call for a running stream only): a stream that is not ``live``
        has nothing to end (its status word, else ``unknown``, says why); otherwise
        ``<method> <id>/<action>`` (``_end_by``'s ``done``, ``idle`` and ``refused``)."""
        stream = self.get(stream_id)
        if live(stream):
            return self._end_by(method, stream_id, action, **end_by)
        word = stream.provider_status or unknown
        return EndResult(ended=False, message=f"nothing to end (the {self.service.name} {self.stream_noun} is {word})")

    def _enabled_first(self, stream_id: str, enable: Callable[[str], Optional[LiveStream]]) -> LiveStream:
        """A ``start`` where streams need none: the stream read back, and enabled first
        (``enable``) if it was disabled, since a disabled stream refuses the encoder; an
        ``enable`` that answers no stream is followed by a read."""
        stream = self.get(stream_id)
        if stream.status is StreamStatus.DISABLED or stream.provider_status == "disabled":
            stream = enable(stream_id) or self.get(stream_id)
        return stream

    def _list_page(self, response: requests.Response, items: Any) -> list[LiveStream]:
        """The streams of one list page's ``items``."""
        return [self._parsed(response, item) for item in items]

    def _answer(self, response: requests.Response) -> Any:
        """The stream object of an answer (its whole JSON body)."""
        return self._http.json_of(response)

    def _parse_settings(self) -> dict[str, Any]:
        """What ``parse_stream`` takes besides the data and protocol (the ingest servers)."""
        return {}

    def _parsed(self, response: Optional[requests.Response], data: Any) -> LiveStream:
        """``data`` as a ``LiveStream`` with the protocol its create chose; a body the docs
        do not describe is the unexpected-answer error."""
        parse = type(self).parse_stream
        return self._http.parsed(response, parse, data, protocol=self._protocol_for(data), **self._parse_settings())


class ConstantIngests(StreamsProvider):
    """A provider whose API never returns an ingest URL: its servers are constants, each
    overridable by a ``setup`` keyword (else its environment variable: the sandbox's), as is
    the playback URL template; ``parse_stream`` gets them all, and the default protocol."""

    #: ``setup`` keyword -> (the attribute and ``parse_stream`` keyword holding the server, its
    #: environment variable, the default server (None: ``parse_stream``'s own), allowed schemes).
    ingest_overrides: ClassVar[Mapping[str, tuple[str, str, Optional[str], tuple[str, ...]]]] = {}
    #: The playback URL template's environment variable and default.
    playback_override: ClassVar[tuple[str, str]]

    def setup(self, *, playback_url_template: Optional[str] = None, protocol: Optional[str] = None,
              **servers: Optional[str]) -> None:
        """The ingest servers, the playback URL template and the default protocol; any
        other keyword is refused."""
        super().setup(**{k: v for k, v in servers.items() if k not in self.ingest_overrides})
        for keyword, (attribute, env, default, schemes) in self.ingest_overrides.items():
            setattr(self, attribute, self._ingest_setting(servers.get(keyword), env, default, schemes))
        self.playback_template = self._template_setting(playback_url_template, *self.playback_override)
        self._choose_protocol(protocol)

    def _parse_settings(self) -> dict[str, Any]:
        servers = {attribute: getattr(self, attribute) for attribute, *_ in self.ingest_overrides.values()}
        return {**servers, "playback_template": self.playback_template}
