"""The throwaway provider: one declared in the tests alone, unlike every built-in one.

The panel tests (tests/obs) and the CLI tests (tests/cli) both check that a provider's
declaration alone drives the front ends, with no front-end code naming it. They share
this one declaration: credentials (one secret), options of every kind (a choice with CLI
values, a bounded int, a bool, a ``protocol`` shared with FastPix), a connection setting
and capabilities unlike the built-in providers'.

``build()`` imports the product when it is called, not when this module is imported: the
OBS tests register it in the registry of each fresh script load (their fixtures throw
those modules away after the test), the CLI tests in the one imported by the test run.
"""

from __future__ import annotations

from typing import Any, Literal, Optional

#: Settings of a script load that choose it, with a recognisable secret.
PANEL_SETTINGS = {"provider": "throwaway", "use_env": False, "tw_account": "acme", "tw_api_key": "tw-key-Vb8nM3kQ"}


def build() -> type:
    """The provider class, made from the ``livestream`` modules imported now."""
    from pydantic import BaseModel, Field, SecretStr

    from livestream.providers.declare import Capabilities, CredentialField, Setting, StreamOption
    from livestream_fakes import FakeProvider

    class ThrowawayCredentials(BaseModel):
        account: str
        api_key: SecretStr

    class ThrowawayOptions(BaseModel):
        quality: Literal["hd", "sd"] = "hd"
        buffer_seconds: int = Field(10, ge=5, le=60)
        chat: bool = False
        protocol: Literal["srt", "rtmp"] = "srt"

    class Throwaway(FakeProvider):
        name = "throwaway"
        display_name = "Throwaway Live"
        Credentials = ThrowawayCredentials
        Options = ThrowawayOptions
        default_base_url = "https://api.throwaway.invalid"
        base_url_env = "THROWAWAY_API_BASE_URL"
        settings_prefix = "tw"
        credential_fields = (
            CredentialField("account", "Account", env="THROWAWAY_ACCOUNT"),
            CredentialField("api_key", "API key", env="THROWAWAY_API_KEY", secret=True),
        )
        stream_options = (
            StreamOption("quality", "Quality", "choice", default="hd", choices=(("hd", "HD"), ("sd", "SD")),
                         cli_values=(("high", "hd"), ("low", "sd")), help="picture quality"),
            StreamOption("buffer_seconds", "Buffer (s)", "int", default=10, minimum=5, maximum=60, step=5,
                         help="seconds of buffer, 5-60"),
            StreamOption("chat", "Live chat", "bool", help="open a live chat"),
            StreamOption("protocol", "Ingest protocol", "choice", default="srt",
                         choices=(("srt", "SRT"), ("rtmp", "RTMP"))),
        )
        settings = (Setting("region", "Throwaway region"),)
        capabilities = Capabilities(scheduling=True, reuse=True, protocols=("srt", "rtmp"),
                                    ending="closes the room")

        def __init__(self, credentials: Any = None, *, base_url: Optional[str] = None,
                     region: Optional[str] = None) -> None:
            super().__init__(credentials, base_url=base_url)
            self.credentials, self.region = credentials, region

    return Throwaway
