"""Keeping secrets out of logs, messages, reprs and CLI output.

Two layers:

* Secrets travel as ``pydantic.SecretStr`` (credentials, stream keys, SRT passphrases,
  the obs-websocket password), whose repr and str are ``**********``.
* Every secret value that reaches the process is also ``register``-ed here. ``redact``
  replaces any registered value in a piece of text, and ``RedactingFilter`` does the
  same for every log record, so a secret that slips into an f-string or an exception
  from a library (requests puts URLs in its messages) is still masked. A go-live's own
  values (``register_stream``: stream keys, passphrases) are forgotten two go-lives
  later, so the registry does not grow with every go-live of a long-running OBS; text is
  masked when it is logged or written, so what was written stays masked.

``mask`` shows a short, recognisable hint of a key (``org-…jKP4``) for the places a
user needs to tell keys apart without revealing them.
"""

from __future__ import annotations

import logging
import threading
from typing import Iterable, Optional, Union

from pydantic import SecretStr

REDACTED = "***"
# Values shorter than this are not registered: redacting "1" or "on" would mangle
# every message, and such values are not secrets worth the name.
_MIN_LENGTH = 4

_lock = threading.Lock()
#: Every registered value, and the go-live it belongs to (None: lasting, such as credentials).
_values: dict[str, Optional[int]] = {}
# Longest first, so a key that contains another key is masked whole. Plain string
# replacement, not one regex of every value: ``re.compile`` keeps each pattern in re's
# cache (up to 512), and a new stream key per go-live made a new, longer pattern each
# time, which a long-running OBS kept (about 20 KiB more per go-live).
_ordered: tuple[str, ...] = ()
#: The go-live under way (``next_go_live``); stream values carry it.
_generation = 0
#: Go-lives whose stream values stay registered: the current one and the one before, whose
#: late answers (the look-up after the end, a retried end) may still quote its key.
KEEP_GO_LIVES = 2


def _plain(value: Union[str, SecretStr, None]) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    return str(value)


def _add(values: tuple[Union[str, SecretStr, None], ...], generation: Optional[int]) -> None:
    """Register ``values`` for ``generation`` (None: for good); a lasting value stays lasting."""
    global _ordered
    added = False
    with _lock:
        for value in values:
            plain = _plain(value)
            if not plain or len(plain) < _MIN_LENGTH:
                continue
            if plain not in _values:
                added = True
            elif _values[plain] is None:
                continue
            _values[plain] = generation
        if added:
            _ordered = tuple(sorted(_values, key=len, reverse=True))


def register(*values: Union[str, SecretStr, None]) -> None:
    """Remember secret values for good (credentials, tokens, passwords): ``redact`` and
    the log filter mask them."""
    _add(values, None)


def register_stream(*values: Union[str, SecretStr, None]) -> None:
    """Remember a go-live's own secrets (its stream key, SRT passphrase, the stream settings
    read from OBS) until two go-lives later (``next_go_live``): a long-running OBS went live
    hundreds of times and kept every key it ever had in the registry and in each redaction.
    Registering a value again moves it to the go-live under way."""
    _add(values, _generation)


def next_go_live(*current: Union[str, SecretStr, None]) -> int:
    """A new go-live begins: forget stream values older than the go-live before it (what was
    already logged or published was masked when it was written), except ``current`` (what
    OBS's stream settings hold now), which moves to the new go-live. How many were forgotten."""
    global _generation, _ordered
    with _lock:
        _generation += 1
        oldest = _generation - KEEP_GO_LIVES + 1
        keep = {_plain(v) for v in current}
        stale = [v for v, g in _values.items() if g is not None and g < oldest and v not in keep]
        for value in stale:
            del _values[value]
        if stale:
            _ordered = tuple(sorted(_values, key=len, reverse=True))
    register_stream(*current)
    return len(stale)


def registered() -> frozenset[str]:
    """The registered values (tests use it to check outputs)."""
    with _lock:
        return frozenset(_values)


def forget_all() -> None:
    """Forget every registered value (tests only)."""
    global _ordered
    with _lock:
        _values.clear()
        _ordered = ()


def redact(text: object) -> str:
    """``text`` as a string with every registered secret replaced by ``***``."""
    s = str(text)
    for value in _ordered if s else ():
        if value in s:
            s = s.replace(value, REDACTED)
    return s


def mask(value: Union[str, SecretStr, None], *, show: bool = False) -> str:
    """A short hint of a secret (first 4 and last 4 characters), or the value if ``show``."""
    plain = _plain(value)
    if not plain:
        return ""
    if show:
        return plain
    if len(plain) <= 12:
        return REDACTED
    return f"{plain[:4]}…{plain[-4:]}"


class RedactingFilter(logging.Filter):
    """A logging filter that masks registered secrets in the final message.

    It renders the message once (``record.getMessage()``) and replaces args, so
    handlers downstream see only the redacted text.
    """

    def filter(self, record: logging.LogRecord) -> bool:  # noqa: A003 - logging's name
        message = record.getMessage()
        cleaned = redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.msg = cleaned
        record.args = None
        return True


def install_filter(handlers: Iterable[logging.Handler]) -> None:
    """Attach a ``RedactingFilter`` to each handler once."""
    for handler in handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
