"""A small load generator: keep-alive HTTP/1.1 clients on threads, bounded in time."""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class Request:
    method: str
    path: str
    body: object = None
    headers: dict[str, str] = field(default_factory=dict)
    kind: str = ""  # what run_kinds reports it under


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
        if not ordered:
            return float("nan")  # every request failed
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
    results = run_kinds(
        base_url, make_request, seconds=seconds, connections=connections,
        max_requests=max_requests,
    ).values()  # fmt: skip
    return Result(
        max((result.seconds for result in results), default=seconds),
        [latency for result in results for latency in result.latencies],
        sum((result.statuses for result in results), Counter()),
        sum((result.queries for result in results), Counter()),
    )


def run_kinds(
    base_url: str,
    make_request: Callable[[int], Request],
    *,
    seconds: float,
    connections: int = 4,
    max_requests: int | None = None,
) -> dict[str, Result]:
    """``run``, its figures by ``Request.kind``: each kind's requests per second are over the
    whole run, so that a mixed workload's kinds add up."""
    parts = urlsplit(base_url)
    lock = threading.Lock()
    latencies: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, Counter] = defaultdict(Counter)
    queries: dict[str, Counter] = defaultdict(Counter)
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
                    statuses[request.kind]["error"] += 1
                continue
            elapsed = time.perf_counter() - started
            counted = response.getheader("X-Queries")  # bench.middleware's; not the peer's
            with lock:
                latencies[request.kind].append(elapsed)
                statuses[request.kind][response.status] += 1
                if counted is not None:
                    queries[request.kind][int(counted)] += 1
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        kind: Result(elapsed, latencies[kind], statuses[kind], queries[kind]) for kind in statuses
    }


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0
