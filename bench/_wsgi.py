"""What ``bench/load.py`` serves with gunicorn: the app, plus a bare "hello" as the baseline.

``/__hello`` answers ``hello`` before the app sees the request, on the same server, workers and
sockets as the product's pages, so each page's throughput can be read as a share of what the
server alone manages (the baseline). ``/__hello_flask`` is the same from an empty Flask app,
for a second ratio: the product against the framework alone. The product itself has no bench
route. Settings come from the environment the bench sets (database, fixed keys, rate limits
off, cookies over plain HTTP).
"""

from __future__ import annotations

from flask import Flask

from participation import create_app

HELLO_PATH = "/__hello"
FLASK_HELLO_PATH = "/__hello_flask"
_HELLO = b"hello"
_HELLO_HEADERS = [("Content-Type", "text/plain; charset=utf-8"),
                  ("Content-Length", str(len(_HELLO)))]

product = create_app()

# A second, informative baseline: an empty Flask app's one route (the framework's own cost).
flask_hello = Flask("hello")
flask_hello.add_url_rule(FLASK_HELLO_PATH, "hello", lambda: "hello")


def app(environ, start_response):
    """WSGI entry point: the baselines on ``/__hello*``, everything else to the product."""
    path = environ.get("PATH_INFO")
    if path == HELLO_PATH:
        start_response("200 OK", _HELLO_HEADERS)
        return [_HELLO]
    if path == FLASK_HELLO_PATH:
        return flask_hello(environ, start_response)
    return product(environ, start_response)
