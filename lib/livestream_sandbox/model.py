"""``ProviderModel``: what every provider look-alike shares, above all its one request dispatch.

A model lists its routes as a table of bound methods (``route_table``): a path pattern,
``{"GET": self.list_streams, ...}`` and whether the route needs no credentials (a login).
``handle`` then does, for every provider, what each ``*_api`` module used to repeat:
find the route (``not_found``), check the credentials (the one ``authenticate`` hook,
given the path's groups, so an org or account in the path can be checked too), refuse
another method (``not_allowed``, before the credentials when ``methods_first``), look up
the stream named by the ``id`` group (``missing``) and answer a body that is not JSON
(``bad_body``). Nothing is found by a built method name: an unknown path can only reach
what the table names. A handler (or a check it calls) may ``raise Refused(answer)`` to
answer early; the checks every provider makes alike (an object body, a simulcast target
of the stream, the field rules of ``refusals``) live here and raise the provider's answer.
"""

from __future__ import annotations

import base64
import re
import secrets
import time
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Pattern, Tuple

from .media import hls_folder, serve_by_id, serve_live
from .timeline import Timeline, Words
from .web import BadBody, Request, Response, empty, json_response

Handler = Callable[..., Response]


class Refused(Exception):
    """An answer given before a handler's end (a refused body, an unknown target): ``handle`` sends it."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


class Route(NamedTuple):
    pattern: Pattern[str]
    methods: Dict[str, Handler]
    public: bool = False


def route(pattern: str, methods: Dict[str, Handler], *, public: bool = False) -> Route:
    """One row of a route table; a named group ``id`` is looked up as the provider's stream."""
    return Route(re.compile(pattern), methods, public)


def basic_auth_matches(req: Request, user: str, password: str) -> bool:
    """HTTP Basic (RFC 7617) with exactly these credentials, compared in constant time."""
    scheme, _, encoded = req.header("Authorization").strip().partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        given_user, _, given_password = base64.b64decode(encoded.strip()).decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError):
        return False
    # Both comparisons run whatever the first answers: no timing hint of which half was wrong.
    return bool(secrets.compare_digest(given_user, user) & secrets.compare_digest(given_password, password))


# Field rules: (field, valid, message); ``refusals`` keeps the message of each present field that is not valid.
Rule = Tuple[str, Callable[[Any], bool], str]


def refusals(body: dict, rules: Tuple[Rule, ...], prefix: str = "") -> List[Tuple[str, str]]:
    """(prefix + field, message) for each field of ``body`` a rule refuses, in the rules' order."""
    return [(prefix + name, message) for name, valid, message in rules if name in body and not valid(body[name])]


def present(**fields: Any) -> dict:
    """The fields that are set (not None): the APIs leave the others out of their objects."""
    return {name: value for name, value in fields.items() if value is not None}


def is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def number_in(low: float, high: Optional[float] = None, kinds: tuple = (int,)) -> Callable[[Any], bool]:
    """A number of ``kinds`` (never a bool) from ``low`` to ``high``."""
    def valid(value: Any) -> bool:
        in_range = isinstance(value, kinds) and not isinstance(value, bool) and value >= low
        return in_range and (high is None or value <= high)
    return valid


def one_of(choices: tuple) -> Callable[[Any], bool]:
    return lambda v: v in choices


def short_text(most: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, str) and len(v) <= most


class ProviderModel:
    """The base of each provider look-alike (``tpstreams``, ``fastpix``, ... in ``registry``)."""

    #: The provider's name (faults, the event log, the stream documents).
    name = ""
    #: Refuse another method before checking the credentials (api.video answers 405 first).
    methods_first = False
    #: The request paths of its API (the router sends them here, with faults applied).
    api_paths: Pattern[str] = re.compile(r"(?!)")
    #: The first path parts of its live playback (``media.py`` hands the rest to ``playback``).
    playback_prefix: Tuple[str, ...] = ()
    #: Its playback URL after the sandbox's origin, for ``info`` ("/stream/<playback_id>.m3u8").
    playback_pattern = ""
    #: The product's ``playback_url_template`` setting after the origin, if it declares one.
    playback_template = ""
    #: The demo credentials it accepts: field -> default. The product's declaration of the same
    #: fields says which are secret and which environment variable a client reads each from.
    credentials: Dict[str, str] = {}
    #: Where its API is after the origin, for ``info``; ``{tpstreams_org_id}`` names a credential.
    api_root = ""
    #: Its status words: given, the model gets a ``Timeline`` (with ``timeline_options``).
    words: Optional[Words] = None
    timeline_options: Dict[str, bool] = {}
    #: The header a forced 429 names its wait in, and the challenge of a 401 (``WWW-Authenticate``).
    retry_header = "Retry-After"
    challenge = ""
    #: Why nginx refuses an encoder of a disabled stream (status "disabled"; Cloudflare: ``enabled`` false).
    disabled_refusal = ""
    #: The document's list of playback objects (``{"id": ...}``); without one, the stream's id plays it.
    playback_field = ""
    #: The document's list of recording ids, and the reconnect window its stream chose (FastPix, Mux).
    media_field = ""
    window_field = ""
    #: The reconnect window of every stream when it chooses none (api.video's documented minute).
    reconnect_window = 0.0

    def __init__(self, core: Any) -> None:
        self.core = core
        self.creds = core.config.credentials
        self.routes: List[Route] = self.route_table()
        if self.words is not None:
            self.timeline = Timeline(self, self.words, **self.timeline_options)

    # what each provider fills in (registry.py reads the declarations) ----------------------------
    def api_info(self, api_url: str) -> str:
        """Where its API is, for ``info``."""
        return api_url + self.api_root.format(**vars(self.creds))

    @classmethod
    def env_fields(cls, login: bool) -> Tuple[str, ...]:
        """The credentials a client gets in its environment (TP Streams: a token or a login)."""
        return tuple(cls.credentials)

    @classmethod
    def extra_env(cls, api_url: str, rtmp_url: str, srt_url: str) -> Dict[str, str]:
        """Variables the product reads that its declaration does not name."""
        return {}

    def playback_ids(self, doc: dict) -> List[str]:
        """The ids that play ``doc`` at ``playback_pattern`` (the ``<...>`` part)."""
        return [p["id"] for p in doc[self.playback_field]] if self.playback_field else [doc["id"]]

    def playback_url(self, playback_id: str) -> str:
        return self.core.places.api_url + re.sub(r"<[^>]+>", playback_id, self.playback_pattern)

    def playback(self, req: Request, rest: list) -> Response:
        """``<id>.m3u8`` and ``<id>/<segment>.ts`` after ``playback_prefix``, by ``playback_ids``."""
        def key_of(playback_id: str) -> Optional[str]:
            return next((d["key"] for d in self.core.streams(self.name) if playback_id in self.playback_ids(d)),
                        None)
        return serve_by_id(self.core, req, rest, key_of)

    def live_hls(self, req: Request, stream_id: str, name: str, playable: Callable[[dict], bool]) -> Response:
        """``name`` of the live HLS of stream ``stream_id`` while ``playable(doc)`` (TP Streams, Cloudflare)."""
        with self.core.lock:
            doc = self.core.get(self.name, stream_id)
            folder = hls_folder(self.core, doc.get("key") if doc and playable(doc) else None)
        return serve_live(req, folder, name)

    def media_ids(self, doc: dict) -> List[str]:
        """The ids of ``doc``'s recordings (remuxed under ``/transcoded/<id>/``)."""
        return doc[self.media_field] if self.media_field else []

    def summary(self, doc: dict) -> dict:
        """What the admin API shows of ``doc`` beside its id and key (providers add their own fields)."""
        media = self.media_ids(doc)
        shown = {"status": doc["status"], "playback_urls": [self.playback_url(p) for p in self.playback_ids(doc)],
                 "media_ids": list(media),  # and those whose remux is done, where they play
                 "recording_urls": [self.recording_url(m) for m in media if self.core.job_state(doc, m) == "ready"]}
        if self.window_field:
            shown.update(connected=doc.get("connected", False), reconnect_window=doc[self.window_field],
                         idle_at=doc.get("idle_at"))
        return shown

    # ---------------------------------------------------------------
    def route_table(self) -> List[Route]:
        return []

    def authenticate(self, req: Request, args: dict) -> Optional[Response]:
        """None when the request may go on, else the provider's refusal."""
        return None

    def error_response(self, status: int, retry_after: Optional[float] = None) -> Response:
        """The provider's documented error for ``status`` (faults force these too), with its headers."""
        wait = int(retry_after or 1)
        response = self.error_body(status, wait)
        if status == 429:
            response.headers[self.retry_header] = str(wait)
        if status == 401 and self.challenge:
            response.headers["WWW-Authenticate"] = self.challenge
        return response

    def error_body(self, status: int, wait: int) -> Response:
        """The body of ``error_response`` (``wait``: the seconds a 429 asks for)."""
        raise NotImplementedError

    def not_object(self) -> Response:
        """The answer to a body that is JSON but not an object."""
        return self.error_response(400)

    def not_found(self, req: Request) -> Response:
        return self.error_response(404)

    def not_allowed(self, req: Request) -> Response:
        return self.error_response(405)

    def missing(self, req: Request) -> Response:
        """No stream has the path's ``id``."""
        return self.error_response(404)

    def bad_body(self, exc: BadBody) -> Response:
        return self.error_response(400)

    # the stream's life (core.py calls these with the lock held; TP Streams has its own) ---------
    timeline: Any = None

    def on_publish(self, doc: dict, now: float) -> Optional[str]:
        """Why nginx must refuse this publisher, or None."""
        if self.disabled_refusal and (doc["status"] == "disabled" or doc.get("enabled") is False):
            return self.disabled_refusal
        if self.core.faults.active(self.name, "never_ready"):
            return "ingest refused (fault never_ready)"
        return None

    def after_publish(self, doc: dict, now: float) -> None:
        self.timeline.connect(doc, now)

    def on_publish_done(self, doc: dict, now: float) -> None:
        self.timeline.disconnect(doc, now)

    def recover(self, doc: dict, now: float) -> None:
        """After a restart: an encoder that was connected is gone with the old nginx."""
        if doc.get("connected"):
            self.timeline.disconnect(doc, now)

    def tick(self, doc: dict, now: float) -> None:
        self.timeline.tick(doc, now)

    # what every provider's routes do alike -----------------------------------------------------
    def render(self, doc: dict) -> dict:
        """The provider's stream object (its wire field names)."""
        raise NotImplementedError

    def ok(self, result: Any, status: int = 200) -> Response:
        """A success in the provider's envelope (Mux: ``{"data": ...}``; here: the result alone)."""
        return json_response(status, result)

    def get_stream(self, req: Request, doc: dict, **path: str) -> Response:
        return self.ok(self.render(doc))

    def delete(self, req: Request, doc: dict, **path: str) -> Response:
        """``DELETE`` of a stream: 204 (Cloudflare and FastPix answer a body instead)."""
        self.delete_stream(doc)
        return empty(204)

    @staticmethod
    def fields(req: Request) -> dict:
        """The body's fields, none when it is not an object (a login, a stop with options)."""
        body = req.data()
        return body if isinstance(body, dict) else {}

    def json_object(self, req: Request, refusal: Optional[Response] = None) -> dict:
        """The body, which must be an object: else ``refusal`` (by default ``not_object``)."""
        body = req.data()
        if not isinstance(body, dict):
            raise Refused(refusal or self.not_object())
        return body

    def add_stream(self, stream_id: str, key: str, status: Optional[str], **fields: Any) -> dict:
        """A new stream, its key issued at once (TP Streams boots a server first), the timeline at rest."""
        doc = {"provider": self.name, "id": stream_id, "key": key, "created": time.time(), "status": status,
               "connected": False, "broadcast": False, "live_at": None, "idle_at": None, "pending_media": [],
               **fields}
        self.core.add(doc)
        self.core.event("created", doc)
        self.core.event("key_issued", doc, boot_seconds=0)
        return doc

    # simulcast targets (``restream.py`` keeps them in ``doc["targets"]``) ------------------------
    def target(self, doc: dict, target_id: str) -> dict:
        """The stream's target ``target_id``, or the provider's 404."""
        found = doc.get("targets", {}).get(target_id)
        if found is None:
            raise Refused(self.error_response(404))
        return found

    def drop_target(self, doc: dict, target_id: str, event: str = "") -> None:
        del doc["targets"][self.target(doc, target_id)["id"]]
        self.core.save(doc)
        if event:
            self.core.event(event, doc, target=target_id)

    def toggle_target(self, req: Request, doc: dict, target_id: str, field: str, refusal: Response) -> dict:
        """``{field: bool}`` turns the target's relay on or off (Cloudflare outputs, FastPix simulcasts)."""
        body = req.data()
        target = self.target(doc, target_id)
        if not isinstance(body, dict) or not isinstance(body.get(field), bool):
            raise Refused(refusal)
        target["enabled"] = body[field]
        self.core.save(doc)
        return target

    def end_now(self, doc: dict, status: Optional[str] = None) -> None:
        """End the broadcast at once (the API's finish, complete or disable): the encoder is cut."""
        self.core.drop_publisher(doc)
        doc["connected"] = False
        self.timeline.end(doc, status)

    def delete_stream(self, doc: dict) -> None:
        """Forget a stream; a live encoder is cut (every provider's delete stops the ingest)."""
        self.core.drop_publisher(doc)
        self.core.remove(doc)
        self.core.event("deleted", doc)

    def recording_url(self, media_id: str) -> str:
        """Where a remuxed recording plays (``media.py`` serves ``/transcoded/``)."""
        return f"{self.core.places.api_url}/transcoded/{media_id}/video.m3u8"

    # the timeline's hooks (``timeline.py``) ----------------------------------------------------
    def window(self, doc: dict) -> float:
        return doc[self.window_field] if self.window_field else self.reconnect_window

    def connected(self, doc: dict, back: bool) -> None:
        pass

    def went_live(self, doc: dict) -> None:
        pass

    def disconnected(self, doc: dict) -> None:
        pass

    def ended(self, doc: dict) -> Optional[str]:
        """The broadcast ended: the id of its recording (to be remuxed), or None."""
        return None

    # the one dispatch --------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        for row in self.routes:
            match = row.pattern.match(req.path)
            if match is not None:
                break
        else:
            return self.not_found(req)
        args = match.groupdict()
        handler = row.methods.get(req.method)
        if handler is None and (self.methods_first or row.public):
            return self.not_allowed(req)
        if not row.public:
            denied = self.authenticate(req, args)
            if denied is not None:
                return denied
        if handler is None:
            return self.not_allowed(req)
        try:
            with self.core.lock:
                if "id" in args:
                    doc = self.core.get(self.name, args.pop("id"))
                    if doc is None:
                        return self.missing(req)
                    args["doc"] = doc
                return handler(req, **args)
        except BadBody as exc:
            return self.bad_body(exc)
        except Refused as refused:
            return refused.response
