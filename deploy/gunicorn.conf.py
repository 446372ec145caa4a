"""gunicorn settings for an app server: `gunicorn -c deploy/gunicorn.conf.py portal.wsgi`.

Sync workers, one per core: the portal is CPU-bound (templates, forms), and on 2 cores 2 sync
workers beat 4 and beat gthread on tail latency (docs/deployment.md). nginx in front buffers
requests and answers, so a slow client never holds a worker."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
worker_class = "sync"
# A request taking longer is killed and logged; the slowest page takes well under a second.
timeout = 30
graceful_timeout = 30
# Replace workers now and then, staggered, so no slow leak ever grows for weeks.
max_requests = 5000
max_requests_jitter = 500
# Only the load balancer may say which scheme the client used (BEHIND_TLS_PROXY in settings).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
