"""Fault injection: make the sandbox's provider APIs slow, flaky, rude or broken on purpose.

A fault applies to one provider (``tpstreams``, ``fastpix``, ``cloudflare``, ``apivideo``, ...) or ``all``, and either
until cleared or for the next ``count`` matching requests (deterministic tests).
Set them at start (``--fault SPEC``, ``Sandbox(faults=[...])``) or at run time
(``POST /_sandbox/faults`` with ``{"spec": SPEC}`` or the fields as JSON; ``DELETE``
clears). Spec syntax: ``[PROVIDER:]KIND[=VALUE][,count=N][,retry_after=S][,status=C]``.

=================  ============================================================================
kind               effect
=================  ============================================================================
``latency=S``      every matching request waits S seconds first
``error_rate=P``   a share P (0..1) of requests get 503 or 500 (``status=`` fixes the code)
``status=C``       requests get HTTP C (401, 403, 404, 422, 429, 500, 503...) with the
                   provider's documented error body; usually with ``count=N``
``rate_limit=S``   429 with ``Retry-After: S`` (default 1)
``reject_auth``    401 for everything, as if the credentials were revoked
``drop=MODE``      the connection is closed mid-answer; MODE ``headers`` (default: a partial
                   status line), ``body`` (full headers, half the body) or ``reset`` (nothing)
``malformed``      200 with a truncated, invalid JSON body
``drip=S``         the answer's headers at once, then its body one byte every S seconds
                   (a read timeout restarts with every byte; only a whole-request deadline ends it)
``never_ready``    TP Streams: the server never boots (no key ever); FastPix: every publish
                   is refused. Not consumed by requests; lasts until cleared
``boot_error``     TP Streams: the next ``count`` boots end in status "Error"
=================  ============================================================================

``status``/``rate_limit``/``reject_auth``/``error_rate`` answer before the request is
handled (it has no effect); ``drop``, ``malformed`` and ``drip`` let the request take effect and
spoil only the answer, like a reply lost on the way back. Examples::

    tpstreams:latency=2          fastpix:error_rate=0.3,count=10     all:status=503,count=2
    fastpix:rate_limit=5,count=1 tpstreams:never_ready               tpstreams:drop=body,count=1
    fastpix:drip=0.5
"""

from __future__ import annotations

import itertools
import random
import threading
from dataclasses import asdict, dataclass
from typing import Optional

from . import registry
from .config import MAX_DELAY, bounded

REQUEST_KINDS = ("latency", "error_rate", "status", "rate_limit", "reject_auth", "drop", "malformed", "drip")
STATE_KINDS = ("never_ready", "boot_error")
KINDS = REQUEST_KINDS + STATE_KINDS
DROP_MODES = ("headers", "body", "reset")


@dataclass
class Fault:
    kind: str
    provider: str = "all"
    value: Optional[float] = None  # latency seconds, error share, status code, retry-after
    count: Optional[int] = None  # None: until cleared
    retry_after: Optional[float] = None
    status: Optional[int] = None
    mode: Optional[str] = None
    id: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Action:
    """What the server must do instead of (or on top of) answering normally."""

    kind: str  # status | drop | malformed | drip
    status: int = 200
    delay: float = 0.0  # drip: seconds between the body's bytes
    retry_after: Optional[float] = None
    mode: str = "headers"
    fault_id: int = 0


#: The range of each number a fault takes (``bounded`` refuses NaN, infinity and anything outside).
_RANGES = {"latency": (0.0, MAX_DELAY), "retry_after": (0.0, MAX_DELAY), "error_rate": (0.0, 1.0),
           "status": (400, 599), "rate_limit": (0.0, MAX_DELAY), "count": (1, 1_000_000),
           "drip": (0.01, 60.0)}


def _number(text: str, what: str) -> float:
    low, high = _RANGES.get(what, (0.0, MAX_DELAY))
    return bounded(text, f"fault {what}", low, high)


def parse_spec(spec: str) -> Fault:
    """``[PROVIDER:]KIND[=VALUE][,key=value...]`` -> ``Fault`` (``ValueError`` says what is wrong)."""
    text = spec.strip()
    provider = "all"
    head, _, rest = text.partition(",")
    if ":" in head:
        provider, head = head.split(":", 1)
    kind, _, value = head.partition("=")
    fields: dict = {"kind": kind.strip(), "provider": provider.strip()}
    if value:
        fields["value"] = value.strip()
    for item in filter(None, (p.strip() for p in rest.split(","))):
        key, sep, val = item.partition("=")
        if not sep:
            raise ValueError(f"fault option {item!r} must look like key=value")
        fields[key.strip()] = val.strip()
    return from_dict(fields)


def from_dict(data: dict) -> Fault:
    """Validate a fault given as fields (JSON from the admin API, or a parsed spec)."""
    if "spec" in data:
        return parse_spec(str(data["spec"]))
    unknown = set(data) - {"kind", "provider", "value", "count", "retry_after", "status", "mode", "id"}
    if unknown:
        raise ValueError(f"unknown fault field(s): {', '.join(sorted(unknown))}")
    kind = str(data.get("kind") or "")
    provider = str(data.get("provider") or "all")
    if kind not in KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; choose one of: {', '.join(KINDS)}")
    providers = (*registry.names(), "all")
    if provider not in providers:
        raise ValueError(f"unknown provider {provider!r}; choose one of: {', '.join(providers)}")
    fault = Fault(kind=kind, provider=provider)
    value = data.get("value")
    for name, convert in (("count", int), ("retry_after", float), ("status", int)):  # ranges: _RANGES
        if data.get(name) not in (None, ""):
            setattr(fault, name, convert(_number(str(data[name]), name)))
    if kind == "drop":
        fault.mode = str(data.get("mode") or value or "headers")
        if fault.mode not in DROP_MODES:
            raise ValueError(f"drop mode must be one of {', '.join(DROP_MODES)}")
    elif value not in (None, ""):
        fault.value = _number(str(value), kind)
    if kind == "status":
        fault.status = int(fault.value if fault.value is not None else fault.status or 0)
        if not 400 <= fault.status <= 599:
            raise ValueError("a forced status must be a 4xx or 5xx code, e.g. status=503")
    if kind == "rate_limit":
        fault.retry_after = fault.value if fault.value is not None else (fault.retry_after or 1.0)
    if kind in ("latency", "error_rate", "drip") and fault.value is None:
        example = {"latency": "2", "error_rate": "0.3", "drip": "0.5"}[kind]
        raise ValueError(f"fault {kind} needs a value, e.g. {kind}={example}")
    return fault


#: What each request fault (but latency) does to one request: (fault, the seeded random) -> Action, or
#: None (an ``error_rate`` that spares it).
_ACTIONS = {
    "error_rate": lambda f, rnd: (Action("status", status=f.status or rnd.choice((500, 503)))
                                  if rnd.random() < (f.value or 0.0) else None),
    "status": lambda f, rnd: Action("status", status=f.status or 503, retry_after=f.retry_after),
    "rate_limit": lambda f, rnd: Action("status", status=429, retry_after=f.retry_after or 1.0),
    "reject_auth": lambda f, rnd: Action("status", status=401),
    "drop": lambda f, rnd: Action("drop", mode=f.mode or "headers"),
    "malformed": lambda f, rnd: Action("malformed"),
    "drip": lambda f, rnd: Action("drip", delay=f.value or 0.0),
}


class FaultBook:
    """The active faults, consumed as requests arrive."""

    def __init__(self, seed: Optional[int] = None) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)
        self._random = random.Random(seed)

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            fault.id = next(self._ids)
            self._faults.append(fault)
        return fault

    def list(self) -> list[Fault]:  # noqa: A003 - a list of faults
        with self._lock:
            return list(self._faults)

    def clear(self, provider: Optional[str] = None) -> int:
        with self._lock:
            before = len(self._faults)
            self._faults = [f for f in self._faults if provider and f.provider != provider]
            return before - len(self._faults)

    def remove(self, fault_id: int) -> bool:
        with self._lock:
            before = len(self._faults)
            self._faults = [f for f in self._faults if f.id != fault_id]
            return len(self._faults) < before

    def _consume(self, fault: Fault) -> None:
        if fault.count is not None:
            fault.count -= 1
            if fault.count <= 0:
                self._faults.remove(fault)

    def take(self, provider: str) -> tuple[float, Optional[Action]]:
        """(seconds to wait, action or None) for one API request to ``provider``."""
        delay = 0.0
        action: Optional[Action] = None
        with self._lock:
            for fault in list(self._faults):
                if fault.provider not in (provider, "all") or fault.kind in STATE_KINDS:
                    continue
                if fault.kind == "latency":
                    delay += fault.value or 0.0
                elif action is None and (action := _ACTIONS[fault.kind](fault, self._random)) is not None:
                    action.fault_id = fault.id
                else:  # an error_rate that spared this request, or a request already spoiled by another
                    continue
                self._consume(fault)
        return delay, action

    def active(self, provider: str, kind: str) -> bool:
        """Whether a state fault (``never_ready``) is on, without consuming it."""
        with self._lock:
            return any(f.kind == kind and f.provider in (provider, "all") for f in self._faults)

    def consume(self, provider: str, kind: str) -> bool:
        """Use up one count of a state fault (``boot_error``); True if there was one."""
        with self._lock:
            for fault in self._faults:
                if fault.kind == kind and fault.provider in (provider, "all"):
                    self._consume(fault)
                    return True
        return False
