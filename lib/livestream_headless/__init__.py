"""A real OBS Studio, headless, for end-to-end tests, the demo and the benchmarks.

``HeadlessObs`` starts Xvfb and OBS with a throw-away HOME (global.ini, a small profile,
a scene collection that can load a script) and obs-websocket enabled; see
``instance.py``. ``config`` writes the files, ``logs`` reads OBS's log, ``x11`` drives
windows without extra packages. Nothing here is used by the OBS script itself.
"""

from .config import ObsHomeConfig, ScriptEntry
from .instance import SCREEN, HeadlessObs, HeadlessObsError, MissingToolError, free_port, require_tools
from .logs import EncodingLag, OutputFrames

__all__ = [
    "SCREEN",
    "EncodingLag",
    "HeadlessObs",
    "HeadlessObsError",
    "MissingToolError",
    "ObsHomeConfig",
    "OutputFrames",
    "ScriptEntry",
    "free_port",
    "require_tools",
]
