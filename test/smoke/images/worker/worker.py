"""A worker: no port. Every 0.5 s it checks its broker (BROKER=host:port, when set) and writes the outcome to /tmp/heartbeat."""
import os
import signal
import socket
import sys
import time

signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
broker = os.environ.get("BROKER", "")
print(f"worker starting (broker: {broker or 'none'})", flush=True)
last = None
while True:
    status = "ok"
    if broker:
        host, _, port = broker.rpartition(":")
        try:
            socket.create_connection((host, int(port)), timeout=1).close()
        except (OSError, ValueError) as e:
            status = f"broker {broker} unreachable: {e}"
    with open("/tmp/heartbeat.tmp", "w") as f:
        f.write(status)
    os.replace("/tmp/heartbeat.tmp", "/tmp/heartbeat")
    if status != last:
        print(status, flush=True)
        last = status
    time.sleep(0.5)
