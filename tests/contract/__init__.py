"""Contract tests: the provider clients against the sandbox over real HTTP."""
