"""The sandbox's providers: one line each, and everything derived from them.

``MODULES`` names a module per provider, each defining ``Model`` (a ``ProviderModel``).
From the models and the product's own declarations (``livestream.providers``: each
credential's environment variable and whether it is secret, the base URL and ingest
settings a client reads) come the request routing (``api_paths``), the playback routing
(``playback_prefix``), the demo credentials (``config.Credentials``, flags and
``SANDBOX_*`` variables) and the environment a client gets (``client_env``).
"""

from __future__ import annotations

import importlib
from typing import Any, Dict, List, Tuple

MODULES = ("tpstreams", "fastpix", "cloudflare", "apivideo", "mux")

#: What each ingest or playback setting the product declares is pointed at.
_SETTING_VALUES = {"ingest_rtmps_url": "rtmp", "ingest_rtmp_url": "rtmp", "ingest_srt_url": "srt"}


def models() -> List[Any]:
    """The ``Model`` classes, in ``MODULES`` order."""
    return [importlib.import_module(f"{__package__}.{name}").Model for name in MODULES]


def names() -> Tuple[str, ...]:
    return tuple(model.name for model in models())


def declaration(name: str) -> Any:
    """The product's declaration of provider ``name`` (its credential fields, settings, base URL)."""
    from livestream import providers  # the product: imported when asked, not with the package

    return providers.get(name).declaration()


def _credentials(model: Any) -> List[Tuple[str, Any]]:
    """(field, the product's declaration of it) per credential of ``model``: a declaration names it or its setting."""
    declared = {f.name: f for f in declaration(model.name).credential_fields}
    declared.update({f.setting: f for f in declaration(model.name).credential_fields})
    return [(field, declared[field]) for field in model.credentials]


def credential_fields() -> List[Tuple[str, str, bool, str]]:
    """(flat name such as ``fastpix_secret_key``, default, secret, the client's variable) per credential."""
    return [(f"{model.name}_{field}", model.credentials[field], spec.secret, spec.env)
            for model in models() for field, spec in _credentials(model)]


def client_env(api_url: str, rtmp_url: str, srt_url: str, creds: Any, *, tpstreams_login: bool = False) -> dict:
    """The environment variables the provider clients read, pointed at a sandbox."""
    urls = {"rtmp": rtmp_url, "srt": srt_url}
    env: Dict[str, str] = {}
    for model in models():
        decl = declaration(model.name)
        env[decl.base_url_env] = api_url
        wanted = model.env_fields(tpstreams_login)
        for field, spec in _credentials(model):
            if field in wanted:
                env[spec.env] = getattr(creds, f"{model.name}_{field}")
        for setting in decl.settings:
            if setting.env and setting.name in _SETTING_VALUES:
                env[setting.env] = urls[_SETTING_VALUES[setting.name]]
            elif setting.env and setting.name == "playback_url_template" and model.playback_template:
                env[setting.env] = api_url + model.playback_template
        env.update(model.extra_env(api_url, rtmp_url, srt_url))
    return env


def secret_env() -> Tuple[str, ...]:
    """The variables of ``client_env`` that hold a secret (masked in ``info`` unless revealed)."""
    return tuple(env for _, _, secret, env in credential_fields() if secret)
