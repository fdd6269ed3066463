# Written by pyship init: starts daphne on 0.0.0.0:$PORT. Every value can be changed at run time through the environment.
import os
import sys

from daphne.cli import CommandLineInterface

if __name__ == "__main__":
    sys.exit(CommandLineInterface().run(["--bind", "0.0.0.0", "--port", os.environ.get("PORT", "8000"), "--proxy-headers", "chat.asgi:application"]))
