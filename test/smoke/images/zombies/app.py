"""Python as PID 1 with no init: it starts children and never reaps orphans (OPS006). Everything else is fine."""
import os
import signal
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"ok\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def stop(signum, frame):
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
# a background helper the app starts and forgets
subprocess.Popen(["sleep", "0"])
port = int(os.environ.get("PORT", "8000"))
print(f"listening on 0.0.0.0:{port}", flush=True)
ThreadingHTTPServer(("0.0.0.0", port), Handler).serve_forever()
