"""``python -m livestream_headless ensure|list``: build or list the newer OBS roots (``rootfs``)."""

import sys

from .rootfs import main

sys.exit(main())
