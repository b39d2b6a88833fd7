"""The panel's settings as plain Python, and what they turn into.

``PanelConfig`` is read from OBS's settings object in ``script_update`` (the UI
thread). From then on everything (building the provider client, the go-live
request, the policies) is plain Python, so hotkey callbacks and workers never need
obspython. Setting keys and their defaults come from ``fields()``: the script's own
below, and each registered provider's from its declaration (``providers.declare``:
``<prefix>_<key>`` for its credentials, options and settings, and
``<prefix>_api_base_url``), so a provider added to the registry needs nothing here.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from pydantic import SecretStr

from .. import bounds, providers, secrets
from ..errors import ConfigurationError
from ..http import validation_message
from ..notify.alerts import SETTINGS as ALERT_SETTINGS
from ..providers.base import CredentialTextError, Provider
from ..providers.declare import Declaration, StreamOption
from ..session.request import GoLiveRequest, Policies
from ..simulcast import SimulcastTarget

log = logging.getLogger(__name__)

#: The provider chosen until the user picks one.
DEFAULT_PROVIDER = "tpstreams"

# The script's own setting keys -> default. Types follow the defaults (str, bool, int).
SCRIPT_FIELDS: dict[str, Any] = {
    "provider": DEFAULT_PROVIDER,
    "use_env": False,
    "mode": "new",
    "scheduled_id": "",
    "stream_id": "",
    "title": "",
    "start_when_ready": True,
    "end_on_stop": True,
    "restore_previous": True,
    "end_on_exit": True,
    # Armed (livestream.session.armed): a start of OBS streaming from outside goes live.
    "arm_on_start": False,
    "ingest_timeout": 180,
    # The safety recording (livestream.obs.recording): OBS records while live; days kept (0: all).
    "safety_recording": False,
    "safety_recording_keep_days": 14,
    # Schedule (livestream.obs.schedule): local "YYYY-MM-DD HH:MM"; minutes (0: no set end,
    # applies to every go-live); minutes a missed schedule may still start late (0: skip);
    # the server boot time of a provider that boots one, until a go-live has measured it.
    "schedule_at": "",
    "schedule_end_after": 0,
    "schedule_late_minutes": 0,
    "schedule_boot_seconds": 30,
    # Recovery by itself (livestream.session.recovery): tries in all, new streams, per class.
    "recovery_tries": 6,
    "recovery_streams": 3,
    # Notifications (livestream.notify): webhook URLs one per line (secrets), the "live" text.
    "notify_urls": "",
    "notify_live_template": "{title} is live: {playback_url}",
    # The alerts' thresholds (livestream.notify.alerts): reconnect seconds, open minutes, dropped %.
    **ALERT_SETTINGS,
    # The status dock's address (livestream.dock.server.BIND_CHOICES): loopback, or every interface.
    "dock_bind": "127.0.0.1",
    # The timetable's go-live picked in the panel for Skip once / Remove entry ("entry_id@epoch").
    "timetable_pick": "",
}
#: The panel's "Also stream to" slots: ``simulcast_<n>_name``, ``_url`` and ``_key`` (a secret).
SIMULCAST_SLOTS = 3
SCRIPT_FIELDS.update({f"simulcast_{n}_{part}": "" for n in range(1, SIMULCAST_SLOTS + 1)
                      for part in ("name", "url", "key")})
#: "Send these from OBS instead of the provider" (``GoLiveRequest.simulcast_from_obs``).
SCRIPT_FIELDS["simulcast_from_obs"] = False


def declarations() -> list[Declaration]:
    """Every registered provider's declaration, sorted by name."""
    return [cls.declaration() for cls in providers.all_providers()]


def base_url_key(decl: Declaration) -> str:
    """The setting key of a provider's API base URL override ("<prefix>_api_base_url")."""
    return f"{decl.settings_prefix}_api_base_url"


def option_default(option: StreamOption) -> Any:
    """The panel's default of an option: its typed default, "" for "the provider's default"."""
    if option.kind == "bool":
        return bool(option.default)
    if option.kind == "int":
        return int(option.default if option.default is not None else option.minimum or 0)
    return "" if option.default is None else str(option.default)


def provider_fields(decl: Declaration) -> dict[str, Any]:
    """One provider's setting keys -> defaults."""
    values: dict[str, Any] = {decl.setting_key(f): "" for f in decl.credential_fields}
    values.update({decl.setting_key(o): option_default(o) for o in decl.stream_options if o.panel})
    values[base_url_key(decl)] = ""
    values.update({decl.setting_key(s): "" for s in decl.settings})
    return values


def fields() -> dict[str, Any]:
    """Every setting key -> its default: the script's, then each provider's."""
    values = dict(SCRIPT_FIELDS)
    for decl in declarations():
        values.update(provider_fields(decl))
    return values


def secret_keys() -> set[str]:
    """The setting keys holding secrets (masked in reprs, registered for redaction)."""
    keys = {decl.setting_key(f) for decl in declarations() for f in decl.credential_fields if f.secret}
    keys |= {f"simulcast_{n}_key" for n in range(1, SIMULCAST_SLOTS + 1)}
    return keys | {"notify_urls"}  # webhook URLs carry their tokens


@dataclass
class PanelConfig:
    """A snapshot of the panel's settings."""

    values: dict[str, Any] = field(default_factory=fields)

    def __post_init__(self) -> None:
        secrets.register(*(self.values.get(key) for key in secret_keys()))

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None

    def number(self, key: str, *, strict: bool = False) -> float:
        """A number setting inside ``bounds.BOUNDS[key]``. A saved value outside it (an edited
        or older settings file: NaN, 1e20) is said in the log with the allowed range and the
        default is used, so no timer raises; ``strict``: raise it (a button shows it)."""
        try:
            return bounds.check(key, self.values.get(key, SCRIPT_FIELDS[key]))
        except ConfigurationError as exc:
            if strict:
                raise
            default = float(SCRIPT_FIELDS[key])
            log.warning("Setting %s: %s; using %g", key, exc, default)
            return default

    def __repr__(self) -> str:
        hidden = secret_keys()
        shown = {k: ("***" if k in hidden and v else v) for k, v in self.values.items()}
        return f"PanelConfig({shown!r})"

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> PanelConfig:
        defaults = fields()
        values = dict(defaults)
        for key, default in defaults.items():
            if key in data and data[key] is not None:
                value = data[key]
                values[key] = type(default)(value) if not isinstance(value, type(default)) else value
        return cls(values)

    # --- what the settings mean -------------------------------------------

    def provider_class(self, name: Optional[str] = None) -> type[Provider]:
        return providers.get(name or self.provider)

    def build_provider(self, name: Optional[str] = None, *, base_url: Optional[str] = None,
                       environ: Optional[Mapping[str, str]] = None) -> Provider:
        """The provider client from the panel's credentials (or the environment)."""
        env = os.environ if environ is None else environ
        cls = self.provider_class(name)
        decl = cls.declaration()
        if self.use_env:
            credentials = cls.credentials_from_env(env)
        else:
            given = {f.name: self.values.get(decl.setting_key(f)) for f in decl.credential_fields}
            given = {k: v for k, v in given.items() if v}
            if not given:
                raise ConfigurationError(
                    f"No {cls.display_name} credentials entered",
                    hint="fill them in under Credentials, or tick 'Read credentials from environment variables'",
                )
            try:
                credentials = cls.Credentials(**given)
            except ValueError as exc:
                # The credential models hide the input in their errors: the hint names
                # the field and the problem, never the value.
                problem = "cannot be used" if _is_bad_text(exc) else "are incomplete"
                raise ConfigurationError(
                    f"The {cls.display_name} credentials {problem}", hint=_first_error(exc, decl)
                ) from None
        base = base_url or self.values.get(base_url_key(decl)) or None
        settings = {s.name: self.values[decl.setting_key(s)] for s in decl.settings
                    if self.values.get(decl.setting_key(s))}
        return cls(credentials, base_url=base, **settings)

    def options(self) -> dict[str, Any]:
        """The chosen provider's per-stream options from its panel fields.

        A choice left on "Provider default" ("") is not sent; a number saved outside
        the declared range (an older version allowed it) is brought into it, as the
        panel's number box shows it.
        """
        try:
            decl = self.provider_class().declaration()
        except ConfigurationError:
            return {}
        opts: dict[str, Any] = {}
        for option in decl.stream_options:
            value = self.values.get(decl.setting_key(option)) if option.panel else None
            if value is None or value == "":
                continue
            if option.kind == "bool":
                value = bool(value)
            elif option.kind == "int":
                value = int(value)
                if option.minimum is not None:
                    value = max(option.minimum, value)
                if option.maximum is not None:
                    value = min(option.maximum, value)
            opts[option.name] = value
        return opts

    def policies(self) -> Policies:
        return Policies(
            start_when_ready=bool(self.start_when_ready),
            end_on_stop=bool(self.end_on_stop),
            restore_previous=bool(self.restore_previous),
            ingest_timeout=self.number("ingest_timeout"),
            recovery_tries=int(self.number("recovery_tries")),
            recovery_streams=int(self.number("recovery_streams")),
        )

    def request(self, *, start_streaming: Optional[bool] = None) -> GoLiveRequest:
        """The go-live request; ``ConfigurationError`` says which field to fill in."""
        mode = self.mode
        if mode == "new" and not self.title.strip():
            raise ConfigurationError("Enter a title for the live stream")
        stream_id = None
        if mode == "scheduled":
            stream_id = self.scheduled_id
            if not stream_id:
                raise ConfigurationError("Pick a scheduled stream", hint="press 'Refresh list' to fetch them")
        elif mode == "existing":
            stream_id = self.stream_id.strip()
            if not stream_id:
                raise ConfigurationError("Enter the stream ID to reuse")
        return GoLiveRequest(
            provider=self.build_provider(),
            mode=mode,
            title=self.title.strip(),
            stream_id=stream_id,
            options=self.options(),
            start_streaming=start_streaming,
            simulcast=self.simulcast_targets(),
            simulcast_from_obs=bool(self.simulcast_from_obs),
        )

    def simulcast_targets(self) -> list[SimulcastTarget]:
        """The filled "Also stream to" slots; one half filled in says which field is missing."""
        targets = []
        for n in range(1, SIMULCAST_SLOTS + 1):
            name, url, key = (str(self.values.get(f"simulcast_{n}_{part}") or "").strip()
                              for part in ("name", "url", "key"))
            if not (name or url or key):
                continue
            if not url:
                raise ConfigurationError(f"Also stream to #{n} has no server URL",
                                         hint="enter the destination's rtmp:// server URL, or clear the slot")
            targets.append(SimulcastTarget(name=name or f"Target {n}", url=url, stream_key=SecretStr(key)))
        return targets


def _first_error(exc: ValueError, decl: Declaration) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        labels = {f.name: f.label for f in decl.credential_fields}
        message = validation_message(first)
        return f"{labels.get(where, where)}: {message}" if where else message
    return "invalid value"  # never str(exc): it could quote the value


def _is_bad_text(exc: ValueError) -> bool:
    errors = getattr(exc, "errors", None)
    return callable(errors) and any(
        isinstance((err.get("ctx") or {}).get("error"), CredentialTextError) for err in errors())
