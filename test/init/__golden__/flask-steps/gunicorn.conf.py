# Written by pyship init: gunicorn settings (https://docs.gunicorn.org/en/stable/settings.html). Every value can be changed at run time through the environment.
import os

# listen on every interface of the container, on $PORT
bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# threads: a slow client or a health check never waits behind one busy worker
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# the heartbeat file lives in memory, not on the container's (possibly slow or read-only) disk
worker_tmp_dir = "/dev/shm"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# SIGTERM from `docker stop`: finish in-flight requests, well within the 10 s before SIGKILL
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "5"))
keepalive = 5
# logs to stdout/stderr, where `docker logs` and the platform collect them
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
# behind a load balancer that sets X-Forwarded-*; narrow it if the container is reachable directly
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
