"""The sandbox provider: its HTTP APIs, ingest, faults, admin API and persistence."""
