"""gunicorn settings for an app server: `gunicorn -c deploy/gunicorn.conf.py portal.wsgi`.

Sync workers, one per core: the portal is CPU-bound (templates, forms), and on 2 cores 2 sync
workers beat 4 and beat gthread on tail latency (docs/deployment.md). nginx in front buffers
requests and answers, so a slow client never holds a worker."""

import ipaddress
import multiprocessing
import os


def private_bind(value):
    """The bind addresses, refused when one would reach beyond this host or its private network.

    The app trusts the last TRUSTED_PROXY_COUNT entries of X-Forwarded-For: anyone who reaches
    gunicorn directly can write those entries, choose the address our rate limits and the staff
    lockout count, and so get around both. Only nginx may reach it."""
    addresses = [part.strip() for part in value.split(",") if part.strip()]
    for address in addresses:
        if address.startswith(("unix:", "fd://")):
            continue
        host = address.rsplit(":", 1)[0] if ":" in address.strip("[]") else address
        host = host.strip("[]")
        if host == "localhost":
            continue
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            raise SystemExit(
                f"GUNICORN_BIND: {address!r} is not an IP address or unix socket."
            ) from None
        if ip.is_unspecified or not (ip.is_loopback or ip.is_private):
            raise SystemExit(
                f"GUNICORN_BIND: {address!r} is reachable from outside; bind the loopback "
                "address, or this server's private address that nginx connects to."
            )
    return addresses


# nginx on the same host connects to the loopback; with nginx on another host, set GUNICORN_BIND
# to this server's private address (docs/deployment.md).
bind = private_bind(os.environ.get("GUNICORN_BIND", "127.0.0.1:8000"))
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
