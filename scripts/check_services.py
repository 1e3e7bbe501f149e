"""Fail loudly when PostgreSQL or Redis cannot be reached (used by `make test`)."""

import os
import socket
import sys
from urllib.parse import urlparse


def reachable(url: str) -> str | None:
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port
    try:
        with socket.create_connection((host, port), timeout=3):
            return None
    except OSError as exc:
        return f"{host}:{port} ({exc})"


def main() -> int:
    problems = []
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith("postgres"):
        error = reachable(database_url if urlparse(database_url).port else database_url + ":5432")
        if error:
            problems.append(
                f"PostgreSQL is not reachable at {error}. Start it with: "
                "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
            )
    redis_url = os.environ.get("REDIS_URL", "")
    if redis_url:
        error = reachable(redis_url)
        if error:
            problems.append(
                f"Redis is not reachable at {error}. Start it with: redis-server --daemonize yes "
                '--bind 127.0.0.1 --port 6379 --save "" --appendonly no'
            )
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
