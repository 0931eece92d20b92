"""What gunicorn serves for `make bench` (``gunicorn bench.wsgi:app``): the site in
BenchConfig, plus the hello-world baseline at /bench/hello on the same app."""

from app import create_app
from bench.baseline import add_baseline
from bench.config import BenchConfig

app = add_baseline(create_app(BenchConfig))
