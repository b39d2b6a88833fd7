"""The panel's settings as plain Python, and what they turn into.

``PanelConfig`` is read from OBS's settings object in ``script_update`` (the UI
thread). From then on everything (building the provider client, the go-live
request, the policies) is plain Python, so hotkey callbacks and workers never need
obspython. Setting keys are listed once, in ``FIELDS``, with their defaults.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from .. import providers, secrets
from ..errors import ConfigurationError
from ..http import validation_message
from ..providers.base import CredentialTextError, Provider
from ..session.request import GoLiveRequest, Policies

# Credentials per provider: (setting key, Credentials field, label, secret?).
CREDENTIAL_FIELDS: dict[str, list[tuple[str, str, str, bool]]] = {
    "tpstreams": [
        ("tp_org_id", "organization_id", "Organization ID", False),
        ("tp_api_token", "api_token", "API token", True),
        ("tp_username", "username", "Username (instead of a token)", False),
        ("tp_password", "password", "Password", True),
    ],
    "fastpix": [
        ("fp_token_id", "access_token_id", "Access token ID", False),
        ("fp_secret_key", "secret_key", "Secret key", True),
    ],
}

# Setting key -> default. Types follow the defaults (str, bool, int).
FIELDS: dict[str, Any] = {
    "provider": "tpstreams",
    "use_env": False,
    **{key: "" for fields in CREDENTIAL_FIELDS.values() for key, *_ in fields},
    "mode": "new",
    "scheduled_id": "",
    "stream_id": "",
    "title": "",
    "tp_latency": "",
    "tp_drm": False,
    "fp_access_policy": "public",
    "fp_max_resolution": "1080p",
    "fp_dvr": False,
    "fp_recording": True,
    "fp_reconnect_window": 60,
    "fp_protocol": "rtmps",
    "start_when_ready": True,
    "end_on_stop": True,
    "restore_previous": True,
    "end_on_exit": True,
    "ingest_timeout": 180,
    "tp_api_base_url": "",
    "fp_api_base_url": "",
    "fp_ingest_url": "",
    # Schedule (livestream.obs.schedule): local "YYYY-MM-DD HH:MM"; minutes (0: no set end,
    # applies to every go-live); minutes a missed schedule may still start late (0: skip);
    # TP Streams' boot time until a go-live has measured it.
    "schedule_at": "",
    "schedule_end_after": 0,
    "schedule_late_minutes": 0,
    "schedule_boot_seconds": 30,
}


@dataclass
class PanelConfig:
    """A snapshot of the panel's settings."""

    values: dict[str, Any] = field(default_factory=lambda: dict(FIELDS))

    def __post_init__(self) -> None:
        for fields in CREDENTIAL_FIELDS.values():
            secrets.register(*(self.values.get(key) for key, _, _, secret in fields if secret))

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self) -> str:
        secret_keys = {key for fields in CREDENTIAL_FIELDS.values() for key, _, _, s in fields if s}
        shown = {k: ("***" if k in secret_keys and v else v) for k, v in self.values.items()}
        return f"PanelConfig({shown!r})"

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> PanelConfig:
        values = dict(FIELDS)
        for key, default in FIELDS.items():
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
        name = name or self.provider
        cls = self.provider_class(name)
        if self.use_env:
            credentials = cls.credentials_from_env(env)
        else:
            given = {cred: self.values.get(key) for key, cred, _, _ in CREDENTIAL_FIELDS.get(name, ())}
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
                    f"The {cls.display_name} credentials {problem}", hint=_first_error(exc)
                ) from None
        base = base_url or self.values.get("tp_api_base_url" if name == "tpstreams" else "fp_api_base_url") or None
        kwargs: dict[str, Any] = {}
        if name == "fastpix" and self.fp_ingest_url:
            kwargs["ingest_rtmps_url"] = self.fp_ingest_url
        return cls(credentials, base_url=base, **kwargs)

    def options(self) -> dict[str, Any]:
        if self.provider == "tpstreams":
            opts: dict[str, Any] = {"enable_drm_for_recording": bool(self.tp_drm)}
            if self.tp_latency:
                opts["latency"] = self.tp_latency
            return opts
        if self.provider == "fastpix":
            return {
                "access_policy": self.fp_access_policy,
                "max_resolution": self.fp_max_resolution,
                "enable_dvr": bool(self.fp_dvr),
                "enable_recording": bool(self.fp_recording),
                "reconnect_window": int(self.fp_reconnect_window),
                "protocol": self.fp_protocol,
            }
        return {}

    def policies(self) -> Policies:
        return Policies(
            start_when_ready=bool(self.start_when_ready),
            end_on_stop=bool(self.end_on_stop),
            restore_previous=bool(self.restore_previous),
            ingest_timeout=float(self.ingest_timeout),
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
        )


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        labels = {cred: label for fields in CREDENTIAL_FIELDS.values() for _, cred, label, _ in fields}
        message = validation_message(first)
        return f"{labels.get(where, where)}: {message}" if where else message
    return "invalid value"  # never str(exc): it could quote the value


def _is_bad_text(exc: ValueError) -> bool:
    errors = getattr(exc, "errors", None)
    return callable(errors) and any(
        isinstance((err.get("ctx") or {}).get("error"), CredentialTextError) for err in errors())
