"""The hello-world baseline: a trivial endpoint on the same app, hooks and server."""

from flask import Flask


def add_baseline(app: Flask) -> Flask:
    app.add_url_rule("/bench/hello", "bench_hello", lambda: "ok")
    return app
