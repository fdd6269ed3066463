# Written by pyship init: hypercorn settings (https://hypercorn.readthedocs.io/en/latest/how_to_guides/configuring.html). Every value can be changed at run time through the environment.
import os

bind = [f"0.0.0.0:{os.environ.get('PORT', '8000')}"]
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
accesslog = "-"
errorlog = "-"
graceful_timeout = 5
