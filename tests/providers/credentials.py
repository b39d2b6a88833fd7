"""Sample credentials of every built-in provider, in the shapes their docs show, for the
tests that run over every provider (none of them reaches a real service)."""

from __future__ import annotations

CREDENTIALS = {
    "tpstreams": {"organization_id": "4xu8ay", "api_token": "tp-api-token-0123456789abcdef"},
    "fastpix": {"access_token_id": "fp-token-id-5f2c7a", "secret_key": "fp-secret-key-9d8e7f6a5b4c"},
    "mux": {"token_id": "44c819de-4add-4c9f-b2e9-384a0a71bede", "token_secret": "INKxCoZ+cX6l1yrR6vqzYHVaeFEc"},
    # The API reference's example account ID and token.
    "cloudflare": {"account_id": "023e105f4ecef8ad9ca31a8372d0c353",
                   "api_token": "Sn3lZJTBX6kkg7OdcBUAxOO963GEIyGQqnFTOFYY"},
    "apivideo": {"api_key": "av-api-key-1f2e3d4c5b6a7980"},
}
