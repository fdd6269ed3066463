import os

# Bad on purpose: loopback only, unreachable from outside the container.
bind = "127.0.0.1:" + os.environ.get("PORT", "8000")
