"""Notifications: post "we are live", "ended" and "failed" to webhooks (Discord, Slack, ntfy, any URL).

* ``formats``: which service a URL is, and the request body and headers it expects.
* ``events``: turns the controller's snapshots into events (one observer point).
* ``sender``: posts on its own worker thread, with bounded retries and a rate limit per event kind.
"""
