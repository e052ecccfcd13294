"""A small load generator: keep-alive HTTP/1.1 clients on threads, bounded in time."""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Request:
    method: str
    path: str
    body: object = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Result:
    """What a run measured."""

    seconds: float
    latencies: list[float]
    statuses: Counter
    queries: Counter

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        """A latency percentile in milliseconds."""
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    @property
    def queries_per_request(self) -> str:
        return "/".join(str(number) for number in sorted(self.queries)) or "-"

    def merge(self, other: Result) -> Result:
        return Result(
            self.seconds + other.seconds,
            self.latencies + other.latencies,
            self.statuses + other.statuses,
            self.queries + other.queries,
        )


def run(
    base_url: str,
    make_request: Callable[[int], Request],
    *,
    seconds: float,
    connections: int = 4,
    max_requests: int | None = None,
) -> Result:
    """Send requests from ``connections`` clients for ``seconds`` (or ``max_requests`` in all).

    ``make_request(n)`` gives the n-th request, so that writes can vary their bodies.
    """
    parts = urlsplit(base_url)
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: Counter = Counter()
    queries: Counter = Counter()
    sent = 0
    deadline = time.perf_counter() + seconds

    def client() -> None:
        nonlocal sent
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        while time.perf_counter() < deadline:
            with lock:
                if max_requests is not None and sent >= max_requests:
                    break
                number = sent
                sent += 1
            request = make_request(number)
            body = None if request.body is None else json.dumps(request.body)
            headers = {"Content-Type": "application/json", **request.headers}
            started = time.perf_counter()
            try:
                connection.request(request.method, request.path, body, headers)
                response = connection.getresponse()
                response.read()
            except (http.client.HTTPException, OSError):
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
                with lock:
                    statuses["error"] += 1
                continue
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[response.status] += 1
                queries[int(response.getheader("X-Queries", "-1"))] += 1
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(time.perf_counter() - started, latencies, statuses, queries)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0
