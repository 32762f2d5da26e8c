"""gunicorn's configuration for the symposium site.

    gunicorn --config deploy/gunicorn.conf.py symposium.wsgi

Run it from the project folder with the production environment set (README,
"Running in production"); symposium-web.service does. The address to listen
on is GUNICORN_BIND (127.0.0.1:8000 by default, behind the proxy); --bind on
the command line wins.

- Workers: GUNICORN_WORKERS (or WEB_CONCURRENCY), else two per CPU and one
  more, each with GUNICORN_THREADS threads (4): requests wait on PostgreSQL
  and Redis more than they compute. Each worker restarts after some thousand
  requests, so that memory cannot creep up over a long registration period.
- Timeouts: a request that takes longer than 30 seconds is stopped. No
  request waits on the SMTP server (the mail worker sends), and the slowest
  page, a bulk review, stops itself at REVIEW_TIME_LIMIT_SECONDS (20 s) and
  says what it did, so the timeout must stay above that. Keep-alive suits a
  proxy on the same machine.
- Logs: the access log and gunicorn's own log go to standard output and error
  through the formatter that masks private links (symposium/redaction.py); a
  request line or a Referer naming /registration/<token>/ is written with the
  token masked.
- No "Server: gunicorn" header: it tells a scanner which server and, in
  older versions, which version to look up.
"""

import multiprocessing
import os

from gunicorn.http import wsgi

wsgi_app = "symposium.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(
    os.environ.get("GUNICORN_WORKERS")
    or os.environ.get("WEB_CONCURRENCY")
    or multiprocessing.cpu_count() * 2 + 1
)
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
max_requests = 2000
max_requests_jitter = 200
timeout = 30
graceful_timeout = 30
keepalive = 5
# Headers and request lines of a sane size; gunicorn refuses larger ones (400).
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190
proc_name = "symposium"

access_log_format = '%(h)s - %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "error": {
            "()": "symposium.redaction.MaskingFormatter",
            "format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s",
        },
        "access": {
            "()": "symposium.redaction.MaskingFormatter",
            "format": "%(message)s",
        },
    },
    "handlers": {
        "error": {
            "class": "logging.StreamHandler",
            "formatter": "error",
            "stream": "ext://sys.stderr",
        },
        "access": {
            "class": "logging.StreamHandler",
            "formatter": "access",
            "stream": "ext://sys.stdout",
        },
    },
    "root": {"handlers": ["error"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["error"], "level": "INFO", "propagate": False},
        "gunicorn.access": {
            "handlers": ["access"],
            "level": "INFO",
            "propagate": False,
        },
    },
}


def _without_server_header(default_headers):
    """Wrap gunicorn's response head so that it sends no Server header."""

    def headers(self):
        return [
            line
            for line in default_headers(self)
            if not line.lower().startswith("server:")
        ]

    return headers


# gunicorn has no setting for this header; its response head is built here.
wsgi.Response.default_headers = _without_server_header(wsgi.Response.default_headers)
