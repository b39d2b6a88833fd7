"""The OBS glue: the only code that imports ``obspython``.

``entry`` holds the ``script_*`` functions and callbacks OBS calls, ``app`` the
running state (controller, worker, timer), ``panel`` the properties, ``config`` the
settings as plain Python and ``port`` the ``ObsPort`` over OBS's frontend API.
"""
