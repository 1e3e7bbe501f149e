"""Each pytest-xdist worker gets its own Redis database and its own var directory.

Loaded as a plugin (`-p tests.xdist_env` in pyproject's addopts), so it runs before the
settings are read. Tests clear the cache (the whole Redis database) and start real Celery
workers on the broker: two pytest workers sharing one database would flush each other's queues
and take each other's tasks. Each pytest worker already has its own test database
(pytest-django names it after the worker).
"""

import os
import re


def _worker_number() -> int | None:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if re.fullmatch(r"gw\d+", worker) else None


def _apply() -> None:
    number = _worker_number()
    if number is None:
        return
    redis_url = os.environ.get("REDIS_URL", "")
    match = re.fullmatch(r"(.*/)(\d+)", redis_url)
    if match:  # db 15 for gw0, 14 for gw1, ... (Redis has 16)
        os.environ["REDIS_URL"] = f"{match.group(1)}{(int(match.group(2)) - number) % 16}"
    var_dir = os.environ.get("CXALIGN_VAR_DIR")
    if var_dir:
        os.environ["CXALIGN_VAR_DIR"] = os.path.join(var_dir, f"gw{number}")


_apply()
