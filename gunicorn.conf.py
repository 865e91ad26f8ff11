"""gunicorn's settings, for the image (Dockerfile, docker-compose.yml) and bench/api.py alike.

Threaded workers keep client connections alive, and a second thread overlaps one request's
database round trips with another's Python. On 2-core machines bench/api.py measured 2
workers x 2 threads best: 4 x 2 puts more runnable threads on the cores than they serve, and
single-threaded workers leave a client waiting behind another keep-alive client of the same
worker. WEB_CONCURRENCY (gunicorn's own variable) sets the number of workers; the default is
one per CPU.
"""

import os

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)
threads = 2
keepalive = 5  # seconds an idle client connection stays open (the browser's next save)
