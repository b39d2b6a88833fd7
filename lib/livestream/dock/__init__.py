"""The status dock: a small web page on 127.0.0.1 that OBS shows as a Custom Browser Dock.

``feed`` turns the go-live's ``Snapshot`` and OBS's output health into plain data and
hands it between threads; ``server`` serves the page (``static/``), its live feed and
its Go live / Prepare / End buttons. No obspython here: ``livestream.obs.dock`` reads
OBS on the script's timer and feeds this package.
"""

from .feed import DockFeed, HealthMeter, History, session_view
from .server import DockServer

__all__ = ["DockFeed", "DockServer", "HealthMeter", "History", "session_view"]
