#!/bin/sh
# Podlab container entrypoint.
#
# Waits until the PostgreSQL server named by DATABASE_URL accepts a real
# connection (not just a TCP handshake), then execs the command it was given:
# daphne by default, celery for the worker, migrate/load_lessons for the Job.
#
#   DB_WAIT_TIMEOUT   seconds to wait before giving up (default 60; 0 skips the wait)
#
# The check is inline Python rather than a .py file on purpose: platform/ must
# never hold a .py file (it would shadow the stdlib `platform` module).
set -eu

DB_WAIT_TIMEOUT="${DB_WAIT_TIMEOUT:-60}"

if [ "${DB_WAIT_TIMEOUT}" != "0" ] && [ -n "${DATABASE_URL:-}" ]; then
    case "${DATABASE_URL}" in
        postgres://*|postgresql://*)
            python - "${DB_WAIT_TIMEOUT}" <<'PYEOF'
import os
import sys
import time
from urllib.parse import urlsplit

import psycopg

url = os.environ["DATABASE_URL"]
deadline = time.monotonic() + float(sys.argv[1])
where = urlsplit(url).hostname or "localhost"
while True:
    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        if time.monotonic() >= deadline:
            print(f"entrypoint: database at {where} still unreachable: {exc}", file=sys.stderr)
            sys.exit(1)
        print(f"entrypoint: waiting for database at {where}...", file=sys.stderr)
        time.sleep(2)
    else:
        print(f"entrypoint: database at {where} is up", file=sys.stderr)
        break
PYEOF
            ;;
    esac
fi

exec "$@"
