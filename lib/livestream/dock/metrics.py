"""The dock's ``/metrics`` page: the feed's view in the Prometheus text exposition format.

Each scrape builds a fresh, private ``CollectorRegistry`` from the latest view, so a
script reload never registers a metric twice (the global registry would) and nothing
is kept between scrapes. Names follow the Prometheus conventions (a product prefix,
the unit as a suffix): https://prometheus.io/docs/practices/naming/

    obs_livestream_session_state{state="live"}     1 for the current state, 0 for the others
    obs_livestream_state_seconds                    how long the current state has lasted
    obs_livestream_live_seconds                     how long the stream has been live (0 when not)
    obs_livestream_open_streams                     earlier provider streams still open (ledger)
    obs_livestream_output_bitrate_kbps              OBS's stream output bitrate (absent when not streaming)
    obs_livestream_output_dropped_frames_total      frames OBS dropped in this output session
    obs_livestream_output_frames_total              frames OBS sent in this output session
    obs_livestream_last_error_info{kind="..."}      1, labelled with the last error's class (absent without one)
    obs_livestream_next_go_live_timestamp_seconds   when the next scheduled go-live starts (absent when none)

Only data the view already holds, with no secrets (``feed.session_view`` redacts texts);
the error kind is a class name, never a message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from ..session.states import State

PREFIX = "obs_livestream_"
CONTENT_TYPE = CONTENT_TYPE_LATEST


def render(view: Mapping[str, Any]) -> bytes:
    """The exposition text for one view of ``DockFeed.latest()``."""
    registry = CollectorRegistry(auto_describe=True)

    def gauge(name: str, doc: str, labels: tuple[str, ...] = ()) -> Gauge:
        return Gauge(PREFIX + name, doc, labels, registry=registry)

    state = view.get("state")
    states = gauge("session_state", "1 for the go-live's current state, 0 for the others.", ("state",))
    for known in State:
        states.labels(state=known.value).set(1 if known.value == state else 0)
    elapsed = float(view.get("elapsed") or 0.0)
    gauge("state_seconds", "How long the current state has lasted.").set(elapsed)
    gauge("live_seconds", "How long the stream has been live, 0 when it is not.").set(
        elapsed if state == State.LIVE.value else 0.0)
    gauge("open_streams", "Earlier provider streams still open (the ledger).").set(
        len(view.get("open_streams") or ()))

    health = view.get("health") or {}
    if health.get("bitrate_kbps") is not None:
        gauge("output_bitrate_kbps", "OBS's stream output bitrate.").set(health["bitrate_kbps"])
    if health:
        # OBS restarts these counters with each output session, hence gauges, not counters.
        gauge("output_dropped_frames_total", "Frames OBS dropped in this output session.").set(
            health.get("dropped_frames") or 0)
        gauge("output_frames_total", "Frames OBS sent in this output session.").set(health.get("total_frames") or 0)

    if view.get("error_kind"):
        gauge("last_error_info", "The last error's kind (its class name).", ("kind",)).labels(
            kind=str(view["error_kind"])).set(1)
    if view.get("next_go_live_at") is not None:
        gauge("next_go_live_timestamp_seconds", "When the next scheduled go-live starts (Unix time).").set(
            float(view["next_go_live_at"]))
    return generate_latest(registry)
