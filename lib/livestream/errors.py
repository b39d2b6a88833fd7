"""One error tree for the whole product.

Every failure the user can meet is one of these classes, catchable by kind, in the
spirit of requests/httpx ("no response" versus "bad status") and stripe-python
(one function maps an HTTP status to a class: ``livestream.http.error_for_status``)::

    LivestreamError                      exit code
    ├── ConfigurationError                   2   bad input, missing credentials or settings
    ├── ProviderError                            anything the provider's API said or did not say
    │   ├── ProviderRefusedError             3   the provider answered "no"
    │   │   ├── AuthenticationError              401: wrong token / key
    │   │   ├── PermissionDeniedError            403: valid credentials without the rights
    │   │   ├── NotFoundError                    404: no such stream
    │   │   └── InvalidRequestError              400/422: per-field messages in ``field_errors``
    │   └── ProviderUnavailableError         4   try again later
    │       ├── RateLimitedError                 429, with ``retry_after`` seconds
    │       ├── ProviderServerError              5xx
    │       ├── NoResponseError                  connection refused / reset, timeouts
    │       └── UnexpectedResponseError          a 2xx whose body is not what the docs describe
    ├── ObsError                                 OBS itself
    │   ├── ObsUnreachableError              5   OBS / obs-websocket cannot be reached or
    │   │                                        refused the password
    │   └── ObsRefusedError                  6   OBS will not do it: already streaming, a linked
    │                                            account, a failed start, a request error
    └── SessionError                         7   the go-live flow itself
        ├── IngestTimeoutError                   the provider never made the ingest ready
        └── InvalidTransitionError               a bug: a transition the table does not allow

Messages are written for the person in front of OBS: they say what happened and what
to do. They never contain a secret (tokens, keys, passphrases, passwords); callers
build them from safe fields only, and ``livestream.secrets`` redacts as a last line.
"""

from __future__ import annotations

from typing import Optional


class LivestreamError(Exception):
    """Base of every error this product raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, *, hint: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}: {self.hint}"
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class ConfigurationError(LivestreamError):
    """Bad or missing input: a flag, an environment variable, a panel field."""

    exit_code = 2


class ProviderError(LivestreamError):
    """Anything that went wrong talking to a provider's API."""

    exit_code = 4

    def __init__(
        self,
        message: str,
        *,
        hint: Optional[str] = None,
        provider: Optional[str] = None,
        status_code: Optional[int] = None,
        provider_message: Optional[str] = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.provider = provider
        self.status_code = status_code
        self.provider_message = provider_message


class ProviderRefusedError(ProviderError):
    """The provider answered and said no; retrying the same request will not help."""

    exit_code = 3


class AuthenticationError(ProviderRefusedError):
    """401: the credentials were rejected."""


class PermissionDeniedError(ProviderRefusedError):
    """403: the credentials are valid but lack the rights for this call."""


class NotFoundError(ProviderRefusedError):
    """404: no such stream (or organization) at the provider."""


class InvalidRequestError(ProviderRefusedError):
    """400/422: the request was invalid; ``field_errors`` maps field to messages."""

    def __init__(self, message: str, *, field_errors: Optional[dict] = None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.field_errors: dict[str, list[str]] = dict(field_errors or {})


class ProviderUnavailableError(ProviderError):
    """The provider could not answer now; the same call may work later."""

    exit_code = 4


class RateLimitedError(ProviderUnavailableError):
    """429: too many requests; ``retry_after`` is the wait the provider asked for, if any."""

    def __init__(self, message: str, *, retry_after: Optional[float] = None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ProviderServerError(ProviderUnavailableError):
    """5xx: the provider failed on its side."""


class NoResponseError(ProviderUnavailableError):
    """No HTTP answer at all: DNS, refused or reset connection, connect or read timeout.

    ``request_sent`` is False when the connection was never made (nothing reached the
    provider); otherwise a create may have been carried out and its answer lost.
    """

    def __init__(self, message: str, *, request_sent: bool = True, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.request_sent = request_sent


class UnexpectedResponseError(ProviderUnavailableError):
    """A success status with a body that does not match the provider's documented shape."""


class ObsError(LivestreamError):
    """OBS (in-process or over obs-websocket) could not do what was asked."""

    exit_code = 6


class ObsUnreachableError(ObsError):
    """obs-websocket cannot be reached, timed out, or refused the password."""

    exit_code = 5


class ObsRefusedError(ObsError):
    """OBS refused: streaming already active, a linked account, a failed request or start."""

    exit_code = 6

    def __init__(self, message: str, *, hint: Optional[str] = None, code: Optional[int] = None) -> None:
        super().__init__(message, hint=hint)
        self.code = code


class SessionError(LivestreamError):
    """The go-live flow could not go on."""

    exit_code = 7


class IngestTimeoutError(SessionError):
    """The provider never made the ingest (server URL and stream key) available in time."""


class InvalidTransitionError(SessionError):
    """A state change the transition table does not allow (a bug, never user input)."""


def may_have_been_carried_out(error: BaseException) -> bool:
    """True if a non-idempotent request that failed with ``error`` may still have taken
    effect at the provider (stripe-python's rule: no answer or a 5xx is not a "no")."""
    if isinstance(error, NoResponseError):
        return error.request_sent
    return isinstance(error, (ProviderServerError, UnexpectedResponseError))
