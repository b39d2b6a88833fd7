"""Release tooling: the self-contained bundles (``bash scripts/bundle``). Not shipped."""
