"""Simulcast targets kept as a sub-resource of a stream: the plumbing written once.

FastPix (``.../simulcast``), Mux (``.../simulcast-targets``) and Cloudflare
(``.../outputs``) all hold a stream's restream destinations the same way: ``POST`` one to
the stream's sub-resource, ``DELETE`` it by its ID there, and read them back. Such a
provider subclasses ``TargetsProvider`` (an ``HttpProvider``), names the sub-resource
(``targets_path``) and what one target is called (``target_noun``), and writes only what
is its own: the create body (``_target_body``), the target in the create's answer
(``_target_made``) and ``simulcast_targets`` (where and how they are read back), with the
helpers below: ``target_body`` (the destination URL, its key under the provider's name for it,
and its own fields), ``made_target`` (the target a create's answer names) and
``enabled_target`` (a target that is only enabled or not: a disabled one is reported as removed).
"""

from __future__ import annotations

from typing import Any, ClassVar, Optional
from urllib.parse import quote

import requests

from ..simulcast import SimulcastTarget, TargetState, TargetStatus
from .http_base import HttpProvider


class TargetsProvider(HttpProvider):
    """``add_simulcast_target``, ``remove_simulcast_target`` and ``simulcast_targets`` over
    ``<stream path>/<targets_path>[/<target id>]``."""

    #: The stream's sub-resource that holds its targets ("simulcast-targets").
    targets_path: ClassVar[str]
    #: What messages call one target ("simulcast target"; Cloudflare: "output").
    target_noun: ClassVar[str] = "simulcast target"

    def add_simulcast_target(self, stream_id: str, target: SimulcastTarget) -> TargetState:
        """``POST <stream>/<targets_path>``: never retried once it may have arrived (a second
        target would restream twice)."""
        response = self._on("POST", stream_id, self.targets_path, json=self._target_body(target), idempotent=False)
        return self._target_made(response, target)

    def remove_simulcast_target(self, stream_id: str, target: TargetState) -> None:
        """``DELETE <stream>/<targets_path>/<target id>``; one already gone is no error."""
        path = self._path(stream_id, f"{self.targets_path}/{quote(target.target_id, safe='')}")
        self._remove(path, what=f"{self.target_noun} of {self._what(stream_id)}")

    # --- what each provider writes (and ``simulcast_targets``, read its own way)

    def _target_body(self, target: SimulcastTarget) -> dict[str, Any]:
        """The create body: the destination URL, its stream key, the target's name."""
        raise NotImplementedError

    def _target_made(self, response: requests.Response, target: SimulcastTarget) -> TargetState:
        """The target the create's answer describes, named as ``target``."""
        raise NotImplementedError


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
