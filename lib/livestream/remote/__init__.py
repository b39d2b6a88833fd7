"""Remote control of OBS over obs-websocket v5.

``protocol`` speaks the v5 protocol over websocket-client (the handshake, requests, the
receive loop), ``events`` delivers its events, ``client.ObsClient`` adds connect deadlines,
typed errors and the requests the CLI uses, ``port.RemoteObsPort`` drives the controller.
"""
