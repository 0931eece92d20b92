"""Where a page's time goes: `BENCH_PROFILE=1 make bench` samples each page with
pyinstrument over many in-process requests and prints the frames that spend the most
time themselves (figures, not tests)."""

from __future__ import annotations

from pyinstrument import Profiler
from pyinstrument.renderers import ConsoleRenderer

REQUESTS = 300
TOP = 12


def profile_pages(client_for, specs: list[dict]) -> None:
    for spec in specs:
        client = client_for(spec["who"])
        headers = spec.get("headers", {})
        client.get(spec["path"], headers=headers).close()  # warm-up
        profiler = Profiler(interval=0.0002)
        profiler.start()
        for _ in range(REQUESTS):
            response = client.get(spec["path"], headers=headers)
            response.get_data()
            response.close()
        profiler.stop()
        text = profiler.output(ConsoleRenderer(flat=True, show_all=False, time="percent_of_total"))
        lines = [line for line in text.splitlines() if line.strip()]
        start = next((n for n, line in enumerate(lines) if "%" in line), 0)
        print(f"\n{spec['name']} ({spec['path']}), {REQUESTS} requests, self time:")
        for line in lines[start : start + TOP]:
            print("  " + line.strip())
