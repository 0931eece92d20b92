"""The load generator, run as its own process: ``python -m bench.load < spec.json``.

Spec: {"port" or "ports", "path", "headers", "expect", "clients", "warmup", "seconds"}.
Each client is a thread (client n on ports[n % len(ports)]) sending one request after
another (gunicorn's sync workers close every connection, so each request is a new
connection). Prints one JSON line of results.
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time


def run(spec: dict) -> dict:
    ports, path, headers = spec.get("ports") or [spec["port"]], spec["path"], spec["headers"]
    expect = set(spec["expect"])
    start = time.perf_counter()
    measure_from = start + spec["warmup"]
    stop_at = measure_from + spec["seconds"]
    results: list[list] = [[] for _ in range(spec["clients"])]
    bad: dict[str, int] = {}

    def client(latencies: list, port: int) -> None:
        while True:
            began = time.perf_counter()
            if began >= stop_at:
                return  # a request in flight at the end finishes, uncounted
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                conn.close()
            except OSError as exc:
                status = type(exc).__name__
            ended = time.perf_counter()
            # Counted when it completes inside the window (a slow page's requests span it).
            if measure_from <= ended <= stop_at:
                if status in expect:
                    latencies.append(ended - began)
                else:
                    bad[str(status)] = bad.get(str(status), 0) + 1

    cpu = time.process_time()
    threads = [
        threading.Thread(target=client, args=(r, ports[n % len(ports)]))
        for n, r in enumerate(results)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies = sorted(x for r in results for x in r)
    count = len(latencies)

    def pct(p: float) -> float:
        return latencies[min(count - 1, int(p * count))] * 1000 if count else float("nan")

    return {
        "requests": count,
        "rps": count / spec["seconds"],
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "errors": bad,
        "client_cpu_s": time.process_time() - cpu,  # this load process's own CPU time
        "elapsed_s": time.perf_counter() - start,
    }


if __name__ == "__main__":
    print(json.dumps(run(json.load(sys.stdin))))
