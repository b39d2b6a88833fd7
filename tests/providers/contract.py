"""The provider test kit: the tests every provider must pass, written once.

streamlink's ``PluginCanHandleUrl`` style: a provider's test file subclasses
``ProviderContract`` (as ``TestXxxContract``), names its class, sample credentials, the
URL its ``get`` requests and its documented status words, and inherits the shared tests:
it is registered and declares itself, reads its credentials from the declared
environment variables (and names the missing ones), refuses a credential pasted with a
line break without echoing it, maps 401/403/404/429/5xx to the error tree with its own
hints, and never shows a secret in a repr or a message. The provider's file keeps only
what is its own (documented bodies, its ending, its quirks).
"""

from __future__ import annotations

from typing import Any, Callable, ClassVar, Optional

import pytest

from livestream import providers
from livestream.errors import (
    AuthenticationError,
    ConfigurationError,
    NotFoundError,
    PermissionDeniedError,
    ProviderServerError,
    RateLimitedError,
)
from livestream.models import StreamStatus
from livestream.providers.base import Provider
from livestream.retry import RetryPolicy

#: The shared error cases: status, the error it must become.
STATUS_ERRORS = [
    (401, AuthenticationError),
    (403, PermissionDeniedError),
    (404, NotFoundError),
    (429, RateLimitedError),
    (500, ProviderServerError),
    (503, ProviderServerError),
]


class ProviderContract:
    """Subclass as ``TestXxxContract`` and set the class attributes."""

    #: The provider class under test.
    provider: ClassVar[type[Provider]]
    #: Valid credentials (field name -> value), in the shapes the provider's docs show.
    credentials: ClassVar[dict[str, str]]
    #: A stream ID and the URL ``get(stream_id)`` requests on the default base URL.
    stream_id: ClassVar[str]
    get_url: ClassVar[str]
    #: Status words as the provider sends them -> what they mean.
    statuses: ClassVar[dict[Any, StreamStatus]] = {}
    #: The provider's status reader (its module's ``map_status``).
    map_status: ClassVar[Optional[Callable[[Any], StreamStatus]]] = None
    #: Whether the shared tests may ask the registry for it (the built-in ones).
    registered: ClassVar[bool] = True

    # --- hooks a provider may override -------------------------------------------------

    def make(self, fake: Any, **kwargs: Any) -> Provider:
        """The client on the fake transport, with no retries and instant sleeps."""
        client = self.provider(self.credentials, session=fake.session(), sleep=lambda _: None, environ={},
                               **kwargs)
        client._http.policy = RetryPolicy(max_retries=0)
        return client

    def script_login(self, fake: Any) -> None:
        """Script what precedes the first API call (a login, a token exchange): nothing here."""

    # --- the shared tests (tests/providers/conftest.py restores the secret registry) ----

    def test_it_is_registered_and_declares_itself(self):
        if self.registered:
            assert providers.get(self.provider.name) is self.provider
        decl = self.provider.declaration()
        assert decl.name == self.provider.name and decl.display_name
        assert decl.base_url_env == self.provider.base_url_env and decl.default_base_url.startswith("https://")
        assert decl.credential_fields and any(f.secret for f in decl.credential_fields)
        for option in decl.stream_options:  # every declared option is an Options field (with its default,
            field = self.provider.Options.model_fields[option.name]  # unless the model leaves it to the provider)
            assert field.default is None or field.default == option.default, option.name
        caps = self.provider.capabilities
        assert (self.provider.supports_scheduling, self.provider.boots_server) == (caps.scheduling, caps.boots_server)

    def test_it_reads_its_credentials_from_the_declared_environment(self):
        env = {f.env: self.credentials[f.name] for f in self.provider.credential_fields if f.name in self.credentials}
        creds = self.provider.credentials_from_env(env)
        for field in self.provider.credential_fields:
            if field.name in self.credentials:
                value = getattr(creds, field.name)
                plain = value.get_secret_value() if hasattr(value, "get_secret_value") else value
                assert plain == self.credentials[field.name]

    def test_missing_credentials_name_every_variable(self):
        with pytest.raises(ConfigurationError) as caught:
            self.provider.credentials_from_env({})
        text = str(caught.value) + (caught.value.hint or "")
        for field in self.provider.credential_fields:
            assert field.env in text

    def test_a_secret_pasted_with_a_line_break_is_refused_without_echoing_it(self):
        for field in self.provider.credential_fields:
            if not field.secret or field.name not in self.credentials:
                continue
            pasted = dict(self.credentials, **{field.name: self.credentials[field.name] + "\nmore"})
            with pytest.raises(ConfigurationError) as caught:
                self.provider(pasted, environ={})
            text = str(caught.value) + (caught.value.hint or "")
            assert "line break" in text and self.credentials[field.name] not in text

    @pytest.mark.parametrize("status, error", STATUS_ERRORS)
    def test_each_refusal_maps_to_its_error_without_a_secret(self, fake, status, error):
        client = self.make(fake)
        self.script_login(fake)
        fake.expect("GET", self.get_url, status=status, json={"message": "Refused"},
                    headers={"Retry-After": "2"})
        with pytest.raises(error) as caught:
            client.get(self.stream_id)
        client.close()
        assert caught.value.status_code == status
        assert self.provider.service.name in str(caught.value)
        shown = str(caught.value) + (caught.value.hint or "")
        for field in self.provider.credential_fields:
            if field.secret and field.name in self.credentials:
                assert self.credentials[field.name] not in shown
        if status == 401:
            assert any(f.env in caught.value.hint for f in self.provider.credential_fields)

    def test_its_repr_shows_no_secret(self, fake):
        client = self.make(fake)
        shown = repr(client) + repr(client.credentials) + str(client.credentials)
        client.close()
        for field in self.provider.credential_fields:
            if field.secret and field.name in self.credentials:
                assert self.credentials[field.name] not in shown

    def test_its_status_words_map_as_documented(self):
        assert self.statuses and self.map_status is not None, "name the documented status words and the reader"
        for word, expected in self.statuses.items():
            assert type(self).map_status(word) is expected, word
