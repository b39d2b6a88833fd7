"""What a provider declares about itself, so the front ends need no provider code.

streamlink's ``@pluginargument`` idea: the plugin owns its options and the front ends
render them. A provider module declares, next to its client:

- ``credential_fields``: what the user enters (label, environment variable, secret or not);
- ``stream_options``: the per-stream options of its ``Options`` model (label, kind,
  choices or range, default, help, CLI flag);
- ``settings``: connection settings that are not credentials (an ingest URL override);
- ``capabilities``: scheduled streams, reusing an existing stream, ingest protocols,
  simulcast targets.

From these the OBS panel builds its properties and settings keys (``<prefix>_<key>``,
``settings_prefix`` on the provider), the CLI its flags and help, and both read the
environment the same way. Nothing here imports OBS or argparse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Optional, Sequence, Tuple

from ..simulcast import SimulcastSupport

Kind = Literal["text", "choice", "bool", "int"]


@dataclass(frozen=True)
class CredentialField:
    """One credential: a field of the provider's ``Credentials`` model."""

    #: The ``Credentials`` field ("api_token").
    name: str
    #: What the panel and messages call it ("API token").
    label: str
    #: The environment variable the CLI and "Read credentials from environment variables" use.
    env: str
    #: Secret: a password box in the panel, registered for redaction, never printed.
    secret: bool = False
    #: The panel's settings key after the provider's prefix; defaults to ``name``.
    key: Optional[str] = None
    #: A longer explanation (the panel's tooltip, the CLI's help).
    help: str = ""

    @property
    def setting(self) -> str:
        return self.key or self.name


@dataclass(frozen=True)
class StreamOption:
    """One per-stream option: a field of the provider's ``Options`` model.

    ``kind`` picks the widget and flag: "choice" (``choices`` as (value, label) pairs;
    the value is what the ``Options`` model takes), "bool" (a checkbox; a flag
    ``--<flag>``, or ``--no-<flag>`` when the default is True), "int" (``minimum`` to
    ``maximum`` in ``step``), "text". ``default`` None means "the provider's default":
    nothing is sent. ``cli_values`` maps short words typed on the command line to values
    ("low" -> "Low Latency"); ``panel=False`` keeps an option off the panel.
    """

    name: str
    label: str
    kind: Kind
    default: Any = None
    help: str = ""
    choices: Tuple[Tuple[Any, str], ...] = ()
    minimum: Optional[int] = None
    maximum: Optional[int] = None
    step: int = 1
    #: The CLI flag without dashes; defaults to ``name`` with "-" for "_".
    flag: Optional[str] = None
    cli_values: Tuple[Tuple[str, Any], ...] = ()
    #: The panel's settings key after the provider's prefix; defaults to ``name``.
    key: Optional[str] = None
    panel: bool = True
    #: (value, warning): said in the panel and the CLI when the user picks that value.
    warnings: Tuple[Tuple[Any, str], ...] = ()

    @property
    def setting(self) -> str:
        return self.key or self.name

    @property
    def cli_flag(self) -> str:
        base = self.flag or self.name.replace("_", "-")
        if self.kind == "bool" and self.default is True:
            return "no-" + base
        return base


#: The warning of a provider whose SRT stream id is the stream key itself (Mux, api.video).
SRT_ID_IS_KEY = ("over SRT the stream id is the stream key, and OBS writes it to its own log when "
                 "an SRT connection fails: pick RTMPS to keep the key out of OBS's log")


def option_warnings(options: Sequence[StreamOption], values: Any) -> list[str]:
    """The declared warnings for the chosen ``values`` (option name -> value)."""
    found = []
    for option in options:
        chosen = values.get(option.name) if values else None
        found += [f"{option.label}: {text}" for value, text in option.warnings if value == chosen]
    return found


@dataclass(frozen=True)
class Setting:
    """A connection setting that is not a credential (the panel's Advanced group): a
    keyword argument of the provider's constructor, such as an ingest URL override."""

    name: str
    label: str
    env: Optional[str] = None
    help: str = ""
    key: Optional[str] = None

    @property
    def setting(self) -> str:
        return self.key or self.name


@dataclass(frozen=True)
class Capabilities:
    """What the provider can do; the front ends show only what applies."""

    #: Streams can be scheduled and their server started later (``create(start=...)``, ``start``).
    scheduling: bool = False
    #: A stream created earlier can be broadcast to again (the "Reuse an existing stream ID" mode).
    reuse: bool = False
    #: Ingest protocols, first the default: "rtmps", "rtmp", "srt".
    protocols: Tuple[str, ...] = ("rtmps",)
    #: The provider boots a server after the create: the key comes later (a scheduled
    #: go-live then prepares that long ahead).
    boots_server: bool = False
    #: How a stream ends, in the user's words, after the provider's name: a sentence
    #: without its full stop (the CLI's ``stop`` help: "FastPix finishes the broadcast.").
    ending: str = "ends the broadcast"
    #: How the provider restreams to other destinations (simulcast); None: it cannot.
    simulcast: Optional[SimulcastSupport] = None
    #: The stream option holding how many seconds the provider keeps a broadcast open for the
    #: encoder to come back (the same stream and recording go on); None: none is known, so
    #: recovery by itself (``session.recovery``) goes live again on a new stream.
    reconnect_window_option: Optional[str] = None


@dataclass(frozen=True)
class Declaration:
    """Everything a front end needs about one provider (``Provider.declaration()``)."""

    name: str
    display_name: str
    settings_prefix: str
    credential_fields: Tuple[CredentialField, ...]
    stream_options: Tuple[StreamOption, ...]
    settings: Tuple[Setting, ...]
    capabilities: Capabilities
    base_url_env: str
    default_base_url: str
    #: Extra words for the credentials help ("or TPSTREAMS_USERNAME and TPSTREAMS_PASSWORD").
    credentials_note: str = ""
    extra: Sequence[Any] = field(default_factory=tuple)

    def setting_key(self, item: Any) -> str:
        """The OBS settings key of a credential, option or setting of this provider."""
        return f"{self.settings_prefix}_{item.setting}"
