"""A hook for tests that drive the real app from outside: what the app answered, as JSON lines.

With ``NNDL_REPORT_FILE=<path>`` in the environment, ``report`` appends one JSON object per call to that
file (the Draw tab reports each prediction it shows: ``{"event": "prediction", "digit": 7, ...}``).  Without
it, ``report`` does nothing, so users see no difference.  tests/realwindow/ reads the file while it draws
with real pointer events under Xvfb.
"""

from __future__ import annotations

import json
import os


def report(event: str, **fields) -> None:
    """Append ``{"event": event, **fields}`` to $NNDL_REPORT_FILE, if it is set."""
    path = os.environ.get("NNDL_REPORT_FILE")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps({"event": event, **fields}) + "\n")
