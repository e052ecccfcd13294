"""gunicorn's configuration for the example project behind nginx (deploy/nginx.conf.template).

    gunicorn -c deploy/gunicorn.conf.py

Environment: CATGRAM_APP (the address to bind, as nginx's upstream names it: 127.0.0.1:8000 or
unix:/run/catgram/app.sock), GUNICORN_WORKERS (default: 2 per CPU core, plus 1) and
GUNICORN_THREADS (default 4). ``kill -HUP <master pid>`` reloads gracefully: new workers start
with the new code, old ones finish their requests first.
"""

import multiprocessing
import os
from pathlib import Path

chdir = str(Path(__file__).resolve().parent.parent / "example_project")
wsgi_app = "example_project.wsgi"
bind = [os.environ.get("CATGRAM_APP", "127.0.0.1:8000")]
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# Threads for requests that wait on the database, the cache or the storage; nginx has buffered
# every request whole, so no thread waits on a slow client.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# A worker takes no more connections than it has threads: one whose threads are all held (by slow
# clients, when nothing buffers in front) stops accepting, and the others take the new
# connections, instead of it queueing them behind the held ones. So no connection is kept alive
# after its answer (nginx does not keep its upstream connections alive either).
worker_connections = threads
keepalive = 0
# A request that takes longer than this is stuck: its worker is replaced.
timeout = 60
# On a reload (HUP) or a stop (TERM), workers finish what they serve for up to this long.
graceful_timeout = 30
# Workers are replaced now and then, so that memory a long-lived worker gathers is returned.
max_requests = 2000
max_requests_jitter = 200
# X-Forwarded-Proto is believed from nginx on this machine only.
forwarded_allow_ips = "127.0.0.1,::1"
accesslog = "-"
# The common log format, and which worker served the request.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" pid=%(p)s'
control_socket_disable = True
