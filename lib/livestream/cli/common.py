"""Options shared by the provider commands and the remote go-live: which provider,
where its API is, its credentials (from the environment) and per-stream options."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from datetime import datetime
from typing import Any, Callable, Optional

from .. import bounds, providers
from ..errors import ConfigurationError
from ..http import coerce_model
from ..providers.base import Provider
from ..providers.declare import Declaration, StreamOption, option_warnings
from ..simulcast import SimulcastTarget, load_targets_file


def _declarations() -> list[Declaration]:
    return [cls.declaration() for cls in providers.all_providers()]


def add_provider_arguments(parser: argparse.ArgumentParser, *, json_output: bool = True) -> None:
    decls = _declarations()
    parser.add_argument(
        "--provider", "-p", default=os.environ.get("OBS_LIVESTREAM_PROVIDER"),
        help=f"{' or '.join(d.name for d in decls)} (default: $OBS_LIVESTREAM_PROVIDER)",
    )
    parser.add_argument(
        "--api-base-url", metavar="URL",
        help="the provider API's origin, e.g. http://127.0.0.1:8080 for the sandbox "
        f"(default: {' / '.join('$' + d.base_url_env for d in decls)}, else the real service)",
    )
    if json_output:
        parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "--show-secrets", action="store_true", help="print stream keys and SRT passphrases in clear"
    )


def option_flags() -> dict[str, list[tuple[Declaration, StreamOption]]]:
    """Every declared option's flag (without dashes) -> the providers declaring it."""
    flags: dict[str, list[tuple[Declaration, StreamOption]]] = {}
    for decl in _declarations():
        for option in decl.stream_options:
            flags.setdefault(option.cli_flag, []).append((decl, option))
    return flags


def _dest(flag: str) -> str:
    """The argparse destination of an option flag ("no-recording" -> "recording")."""
    return flag[len("no-"):].replace("-", "_") if flag.startswith("no-") else flag.replace("-", "_")


def _cli_choices(option: StreamOption) -> list[str]:
    return [word for word, _ in option.cli_values] or [str(value) for value, _ in option.choices]


def add_stream_options(parser: argparse.ArgumentParser) -> None:
    """Each provider's declared options as flags, in a group per provider; a flag several
    providers declare is added once, in a group of its own, naming them."""
    groups: dict[str, Any] = {}
    for flag, owners in option_flags().items():
        decl, option = owners[0]
        if len(owners) > 1:
            title = "Options of " + ", ".join(d.display_name for d, _ in owners)
        else:
            title = f"{decl.display_name} options"
        group = groups.get(title) or groups.setdefault(title, parser.add_argument_group(title))
        kwargs: dict[str, Any] = {"dest": _dest(flag), "default": None, "help": _flag_help(flag, owners)}
        if option.kind == "bool":
            kwargs["action"] = "store_false" if flag.startswith("no-") else "store_true"
        elif option.kind == "choice":
            choices: list[str] = []
            for _, each in owners:
                choices += [c for c in _cli_choices(each) if c not in choices]
            kwargs["choices"] = choices
        elif option.kind == "int":
            kwargs.update(type=int, metavar="N")
        else:
            kwargs["metavar"] = "TEXT"
        group.add_argument("--" + flag, **kwargs)


def _flag_help(flag: str, owners: list) -> str:
    """The flag's help: the option's own words, per provider when several declare it; a
    ``--no-...`` flag says what it turns off."""

    def one(option: Any) -> str:
        text = option.help or option.label
        if flag.startswith("no-"):
            return f'turn off "{option.label}" (on by default)' + (f"; {option.help}" if option.help else "")
        return text

    if len(owners) == 1:
        return one(owners[0][1])
    return " ".join(f"{decl.display_name}: {one(option).rstrip('.')}." for decl, option in owners)


def stream_options(args: argparse.Namespace, provider_name: str) -> dict[str, Any]:
    """The per-stream options the user set, checked against the chosen provider's
    declaration and ``Options`` model (messages name the flag)."""
    cls = providers.get(provider_name)
    mine = {o.cli_flag: o for o in cls.stream_options}
    options: dict[str, Any] = {}
    for flag, owners in option_flags().items():
        value = getattr(args, _dest(flag), None)
        if value is None:
            continue
        option = mine.get(flag)
        if option is None:
            raise ConfigurationError(
                f"--{flag} is a {' and '.join(d.display_name for d, _ in owners)} option",
                hint=f"drop it or use --provider {' or '.join(d.name for d, _ in owners)}",
            )
        if option.kind == "choice" and option.cli_values:
            value = dict(option.cli_values).get(value, value)
        options[option.name] = value
    coerce_model(cls.Options, options, what=f"{cls.display_name} options",
                 field_names={o.name: "--" + o.cli_flag for o in cls.stream_options})
    for text in option_warnings(cls.stream_options, options):
        print(f"warning: {cls.display_name} {text}", file=sys.stderr)
    return options


def provider_name(args: argparse.Namespace) -> str:
    if not args.provider:
        raise ConfigurationError(
            "No provider chosen", hint=f"pass --provider ({' or '.join(providers.names())}) "
            "or set OBS_LIVESTREAM_PROVIDER",
        )
    providers.get(args.provider)  # unknown names get a clear message
    return args.provider


def build_provider(args: argparse.Namespace, environ: Optional[dict[str, str]] = None) -> Provider:
    """The chosen provider's client, with credentials from the environment."""
    cls = providers.get(provider_name(args))
    credentials = cls.credentials_from_env(os.environ if environ is None else environ)
    return cls(credentials, base_url=args.api_base_url or None)


def parse_start(value: str) -> datetime:
    """``--start "YYYY-MM-DD HH:MM:SS"``, the form the scheduling providers take."""
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise argparse.ArgumentTypeError('use the form "YYYY-MM-DD HH:MM:SS", e.g. "2026-12-01 15:30:00"') from None


def bounded(name: str) -> Callable[[str], float]:
    """An ``argparse`` ``type=`` for the number ``bounds.BOUNDS[name]``: out of its range
    (NaN, infinity, a negative wait, ``1e308``) is refused with the range, exit 2."""

    def parse(value: str) -> float:
        try:
            return bounds.check(name, value, label="")
        except ConfigurationError as exc:
            raise argparse.ArgumentTypeError(f"{value!r}: {exc.hint}") from None

    parse.__name__ = name  # argparse names the type in "invalid <name> value"
    return parse


# A duration flag (``--timeout 30``): a finite number of seconds above zero, at most an hour.
# ``float()`` alone accepts "nan", "inf" and negatives: ``--timeout nan`` never times out.
seconds = bounded("timeout_seconds")


def add_simulcast_argument(parser: argparse.ArgumentParser) -> None:
    """``--simulcast-file``, with the providers that can restream named in its help."""
    able = ", ".join(providers.restreaming()) or "none"
    parser.add_argument(
        "--simulcast-file", metavar="FILE",
        help=f"also stream to these destinations, restreamed by the provider ({able}): a JSON list of "
             '{"name": ..., "url": "rtmp://...", "stream_key": ...}, or "stream_key_env": VARIABLE '
             "instead of the key. Sending them from OBS instead of the provider is a panel setting only: "
             "obs-websocket cannot create OBS outputs")


def simulcast_targets(args: argparse.Namespace, provider: Provider,
                      environ: Optional[dict[str, str]] = None) -> list[SimulcastTarget]:
    """The targets of ``--simulcast-file``, checked against what the provider declares
    (before anything is created); none without the option."""
    path = getattr(args, "simulcast_file", None)
    if not path:
        return []
    targets = load_targets_file(path, os.environ if environ is None else environ)
    providers.check_simulcast(provider, targets)
    return targets


def checkout_only(module: str, command: str) -> Any:
    """Import ``module``, tooling that only the git checkout carries (``demo``, ``sandbox``).

    A release bundle holds the product package alone (``release/archive.py``), so there
    the import fails: one line saying so, exit code 2, rather than a traceback. Imported
    here, when the command runs, so ``--help`` and the other commands never load it.
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module.split(".")[0]:
            raise  # the tooling is there but misses something of its own: show it
        raise ConfigurationError(
            f"'{command}' comes with the git checkout of obs-livestream only, not with a release bundle"
        ) from None
