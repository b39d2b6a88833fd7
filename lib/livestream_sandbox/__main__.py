"""``python -m livestream_sandbox``: the sandbox on its own (flags in ``cli.py``)."""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from .cli import add_arguments, run


def main(argv: Optional[List[str]] = None, prog: str = "python -m livestream_sandbox") -> int:
    parser = argparse.ArgumentParser(prog=prog,
                                     description="A local TP Streams- and FastPix-compatible provider "
                                                 "with a real RTMP ingest (loopback only).")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
