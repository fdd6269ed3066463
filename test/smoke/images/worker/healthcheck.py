"""The worker's HEALTHCHECK: a fresh heartbeat that says ok, else exit 1 with the reason."""
import os
import sys
import time

try:
    age = time.time() - os.stat("/tmp/heartbeat").st_mtime
    with open("/tmp/heartbeat") as f:
        status = f.read().strip()
except OSError:
    print("no heartbeat yet")
    sys.exit(1)
if age > 5:
    print(f"heartbeat is {age:.0f} s old")
    sys.exit(1)
if status != "ok":
    print(status)
    sys.exit(1)
