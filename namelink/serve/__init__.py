"""``namelink serve``: an OpenRefine reconciliation service for Arabic-script names, offline.

The W3C Reconciliation Service API twice over one gazetteer: version 0.2 (what
OpenRefine sends today) at ``/reconcile`` and the 1.0 draft at ``/reconcile/v1``::

    from namelink import Gazetteer
    from namelink.serve import serve
    serve(Gazetteer.load("mine"), port=8000)   # then add http://127.0.0.1:8000/reconcile

A candidate's ``match`` is the calibrated decision of ``Gazetteer.link()``. Importing
this package is cheap: Starlette and uvicorn (the ``serve`` extra) are imported by
``create_app()`` and ``serve()``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the real imports happen when an app is made
    from starlette.applications import Starlette

    from namelink import Gazetteer

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "create_app", "serve"]

# The service has no authentication: by default it listens on this machine only.
DEFAULT_HOST = "127.0.0.1"
# The port the issue and the README name; --port changes it.
DEFAULT_PORT = 8000


def create_app(gazetteer: Gazetteer | None = None) -> Starlette:
    """The service over ``gazetteer`` (default: the embedded one) as an ASGI app,
    for uvicorn or any ASGI server."""
    from namelink.serve.app import create_app as make_app

    return make_app(gazetteer)


def serve(gazetteer: Gazetteer | None = None, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Serve until interrupted, with uvicorn. Port 0 takes a free port; the address is
    printed to stderr. Raises OSError when ``host``:``port`` cannot be had."""
    if not isinstance(host, str):
        raise TypeError(f"host must be str, not {type(host).__name__}")
    if not isinstance(port, int) or isinstance(port, bool):
        raise TypeError(f"port must be int, not {type(port).__name__}")
    from namelink.serve.app import bind, run

    app = create_app(gazetteer)
    sock = bind(host, port)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{sock.getsockname()[1]}/reconcile"
    print(
        f"namelink serve: {url} (in OpenRefine: Reconcile → Start reconciling → Add standard service); "
        f"1.0 draft at {url}/v1; Ctrl-C stops",
        file=sys.stderr,
        flush=True,
    )
    run(app, sock)
