"""``python -m livestream_sandbox``: the sandbox on its own (flags and ``main`` in ``cli.py``)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
