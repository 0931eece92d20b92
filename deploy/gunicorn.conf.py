"""gunicorn settings for pfr-learn: ``gunicorn -c deploy/gunicorn.conf.py 'app:create_app()'``.

Environment: GUNICORN_BIND (default 127.0.0.1:8000; nginx on another host needs
0.0.0.0:8000 behind a firewall), GUNICORN_WORKERS (default 2 x cores + 1),
GUNICORN_TIMEOUT (default 600 seconds).
"""

import multiprocessing
import os

# `or`: an empty line in the environment file means "the default".
bind = os.environ.get("GUNICORN_BIND") or "127.0.0.1:8000"
workers = int(os.environ.get("GUNICORN_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
# Sync workers: each upload chunk or video range holds one worker while it streams, so
# a slow phone connection on a 2 GB upload must not be killed as a hung worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 600)
graceful_timeout = 60
keepalive = 5
# The heartbeat file lives in memory: a slow or full /tmp disk must not look like a
# frozen worker.
worker_tmp_dir = "/dev/shm"  # noqa: S108 (gunicorn makes private files there)
# The app writes its own access line (with the request id and user id, without query
# strings); gunicorn's would duplicate it.
accesslog = None
errorlog = "-"  # stderr: the systemd journal
loglevel = os.environ.get("GUNICORN_LOG_LEVEL") or "info"
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
# Only nginx talks to gunicorn; it sets X-Forwarded-* and the app's ProxyFix
# (PROXY_FIX_HOPS=1) reads them. Address(es) the proxy connects from:
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS") or "127.0.0.1"
# gunicorn's control socket lives in $HOME by default, which systemd's ProtectHome
# hides; systemctl reload (HUP) does the same job.
control_socket_disable = True
