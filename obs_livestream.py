"""obs-livestream: go live on your streaming provider's API from OBS Studio.

Load this file in OBS (Tools > Scripts > +) for the panel, the hotkeys and the
remote control; or run it with Python for the command line:

    python obs_livestream.py --help

This file is only the entry point: it puts ``lib/`` on ``sys.path``, then the
dependencies: in a release bundle the ``vendor/`` folder built for the running Python
(``livestream.vendor``), and a ``.venv`` next to it when that venv's Python version
matches the running one; then it hands over to ``livestream.obs.entry`` (inside OBS) or
``livestream.cli`` (from a shell).
"""

from __future__ import annotations

import glob
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))


def _add_paths() -> None:
    """Make ``livestream`` and its dependencies importable from OBS's own Python."""
    lib = os.path.join(_HERE, "lib")
    if lib not in sys.path:
        sys.path.insert(0, lib)
    from livestream import vendor  # standard library only: the dependencies come next

    vendor.activate(_HERE)
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    candidates = glob.glob(os.path.join(_HERE, ".venv", "lib", version, "site-packages"))
    if sys.platform == "win32":
        candidates.append(os.path.join(_HERE, ".venv", "Lib", "site-packages"))
    for site_packages in candidates:
        # Only a venv built for this exact Python minor version: compiled packages
        # (pydantic-core) built for another version would fail to import.
        cfg = os.path.join(_HERE, ".venv", "pyvenv.cfg")
        if os.path.isdir(site_packages) and _venv_matches(cfg) and site_packages not in sys.path:
            sys.path.append(site_packages)


def _venv_matches(cfg_path: str) -> bool:
    try:
        with open(cfg_path, encoding="utf-8") as f:
            for line in f:
                key, _, value = line.partition("=")
                if key.strip() in ("version", "version_info"):
                    major_minor = ".".join(value.strip().split(".")[:2])
                    return major_minor == f"{sys.version_info[0]}.{sys.version_info[1]}"
    except OSError:
        return False
    return False


_add_paths()

if __name__ == "__main__":
    from livestream.cli import main

    sys.exit(main())
else:
    try:
        import obspython  # noqa: F401 - present only inside OBS
    except ImportError:
        obspython = None
    if obspython is not None:
        # OBS's "Reload" re-imports only this file: drop the cached livestream modules
        # so the reload really runs the new code (``PyImport_ReloadModule(data->module)`` in
        # https://github.com/obsproject/obs-studio/blob/29.0.2/deps/obs-scripting/obs-scripting-python.c).
        for _name in [m for m in sys.modules if m == "livestream" or m.startswith("livestream.")]:
            del sys.modules[_name]
        from livestream.obs.entry import *  # noqa: F401,F403,E402 - the script_* entry points
