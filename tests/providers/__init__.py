"""Provider clients: one test module per provider."""
