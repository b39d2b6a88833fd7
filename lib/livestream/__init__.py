"""obs-livestream: go live on a streaming provider's API from OBS Studio.

The package is free of OBS: ``livestream.obs`` is the only module that imports
``obspython`` and ``livestream.remote`` the only one that speaks obs-websocket (over ``websocket``).
"""

__version__ = "0.1.0"
USER_AGENT = f"obs-livestream/{__version__}"
