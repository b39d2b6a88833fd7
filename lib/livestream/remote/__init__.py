"""Remote control of OBS over obs-websocket v5.

The only package that imports ``obswebsocket`` (obs-websocket-py). ``client.ObsClient``
wraps it with connect deadlines, typed errors and a safe event thread.
"""
