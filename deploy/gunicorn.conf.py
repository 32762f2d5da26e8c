"""gunicorn's settings for the symposium site, read by symposium-web.service.

Only the process layout and the time limits are here. A request never waits
on the SMTP server (the mail worker sends), so the timeout only has to cover
the slowest page: a bulk review, which stops itself at
REVIEW_TIME_LIMIT_SECONDS (20 s by default) and says what it did.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Two processes per core, each with a few threads: requests wait on
# PostgreSQL and Redis more than they compute.
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * (os.cpu_count() or 1)))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# Above REVIEW_TIME_LIMIT_SECONDS, so that a bulk review ends on its own.
timeout = 30
graceful_timeout = 30
keepalive = 5
