"""Where the data lives: the data directory named by ``$TRAINLOG_DATA_DIR``, else the platform's.

Apart from :mod:`trainlog.store.dataset` (which imports Polars) so that the command line can show the default
in ``--data-dir``'s help without loading the store.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The environment variable that names the data directory.
ENV_DATA_DIR = "TRAINLOG_DATA_DIR"


def default_data_dir() -> Path:
    """``$TRAINLOG_DATA_DIR``, else the platform's user data directory."""
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser()
    import platformdirs  # here: --data-dir or TRAINLOG_DATA_DIR need none of it

    return Path(platformdirs.user_data_dir("trainlog", appauthor=False))
