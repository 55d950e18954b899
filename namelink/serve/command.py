"""``namelink serve``: the command-line side of the reconciliation service.

``register(commands)`` adds the command to namelink.cli's parser. Importing this
module is cheap: Starlette and uvicorn are imported when the command runs, and a
missing ``serve`` extra is a usage error that says how to install it.
"""

from __future__ import annotations

import argparse
from typing import Any

from namelink.serve import DEFAULT_HOST, DEFAULT_PORT

__all__ = ["register"]

EXIT_OK = 0
# The highest TCP port number.
MAX_PORT = 65_535


def _port(value: str) -> int:
    if not (value.isascii() and value.isdigit()) or int(value) > MAX_PORT:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a port; give a number from 1 to {MAX_PORT} (0: any free)"
        )
    return int(value)


def register(commands: Any) -> None:
    """Add ``serve`` to the top-level sub-parser group of namelink.cli."""
    p = commands.add_parser(
        "serve",
        help="an OpenRefine reconciliation service (W3C Reconciliation API 0.2 and 1.0 draft)",
        description="Serve the gazetteer over HTTP as a reconciliation service: version 0.2 at /reconcile "
        "(add http://HOST:PORT/reconcile in OpenRefine: Reconcile → Start reconciling → Add standard "
        "service) and the 1.0 draft at /reconcile/v1. Needs the serve extra: pip install 'namelink[serve]'.",
    )
    p.add_argument(
        "--gazetteer", metavar="PATH", help="a gazetteer directory or JSONL file (default: embedded)"
    )
    p.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}: this machine only)",
    )
    p.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0: any free)"
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from namelink.cli import UsageError, open_gazetteer

    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as missing:
        raise UsageError(
            f"namelink serve needs {missing.name}, which is not installed: pip install 'namelink[serve]'"
        ) from None
    from namelink.serve import serve

    gazetteer = open_gazetteer(args.gazetteer)
    try:
        serve(gazetteer, host=args.host, port=args.port)
    except OSError as error:
        raise UsageError(
            f"cannot listen on --host {args.host} --port {args.port}: {error.strerror or error}; "
            "choose another --port (or stop what uses it)"
        ) from None
    return EXIT_OK
