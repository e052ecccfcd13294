"""The production shape, for real, on free loopback ports: nginx with the shipped
``deploy/nginx.conf.template`` (rendered by envsubst) in front of the example project served by
gunicorn with ``deploy/gunicorn.conf.py`` (two worker processes), on PostgreSQL and Redis.

Every request goes through nginx. The figures (requests, statuses, the slowest ordinary
request beside slow clients, the reload's failed requests) are printed (``pytest -s``).
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from PIL import Image

from live_tests.faults import Trickler, data_url, png, send
from live_tests.server import ROOT, ExampleSite, free_port, wait_until_up

# Skipped without nginx on a developer's machine; in CI (.ci/run installs it) a failure.
pytestmark = pytest.mark.skipif(
    not shutil.which("nginx") and not os.environ.get("CI"), reason="needs nginx"
)

TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
VARIABLES = (
    "$CATGRAM_LISTEN $CATGRAM_SERVER_NAME $CATGRAM_APP $CATGRAM_STATIC_ROOT $CATGRAM_MEDIA_ROOT "
    "$CATGRAM_MAX_BODY_BYTES"
)
PASSWORD = "Deployed-Cat-1984"


class Relay:
    """A TCP relay from a port of its own to Redis: the app's REDIS_URL names it, so that the
    cache becomes unreachable for the app (connections refused) and reachable again."""

    def __init__(self, target: tuple[str, int] = ("127.0.0.1", 6379)) -> None:
        self.target = target
        self.port = free_port()
        self.server: socket.socket | None = None
        self.connections: list[socket.socket] = []

    def start(self) -> None:
        self.server = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self.server,), daemon=True).start()

    def stop(self) -> None:
        """Refuse new connections and cut the open ones (the app's pooled connections too)."""
        for end in [self.server, *self.connections]:
            if end is not None:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked on it
                end.close()
        self.server, self.connections = None, []

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                end.close()


class Nginx:
    """nginx in the foreground with the shipped server block, everything else in ``folder``."""

    def __init__(self, folder: Path, app_url: str, static_root: Path, media_root: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        variables = {
            "CATGRAM_LISTEN": f"127.0.0.1:{self.port}",
            "CATGRAM_SERVER_NAME": "_",
            "CATGRAM_APP": app_url.removeprefix("http://"),
            "CATGRAM_STATIC_ROOT": str(static_root),
            "CATGRAM_MEDIA_ROOT": str(media_root),
            "CATGRAM_MAX_BODY_BYTES": "10485760",
        }
        rendered = subprocess.run(
            ["envsubst", VARIABLES],
            input=TEMPLATE.read_text(),
            env={**os.environ, **variables},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        (folder / "catgram.conf").write_text(rendered)
        temp = "".join(
            f"{kind}_temp_path {folder / kind};\n" for kind in ("client_body", "proxy", "fastcgi",
                                                               "uwsgi", "scgi")
        )  # fmt: skip
        # As root, nginx's workers would run as nobody, who cannot read the test's folders.
        user = "user root;\n" if os.geteuid() == 0 else ""
        (folder / "nginx.conf").write_text(
            f"{user}daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\n"
            f"error_log {folder / 'error.log'} info;\nevents {{ worker_connections 256; }}\n"
            f"http {{\n include /etc/nginx/mime.types;\n access_log {folder / 'access.log'};\n"
            f" {temp} include {folder / 'catgram.conf'};\n}}\n"
        )
        self.process = subprocess.Popen(
            ["nginx", "-p", str(folder), "-e", str(folder / "error.log"),
             "-c", str(folder / "nginx.conf")],
        )  # fmt: skip
        wait_until_up(f"{self.url}/health/live/")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class Deployment:
    def __init__(self, site: ExampleSite, nginx: Nginx, relay: Relay) -> None:
        self.site, self.nginx, self.relay = site, nginx, relay
        self.url = nginx.url
        self.new_users = itertools.count(1)

    def access_log(self) -> list[str]:
        return [line for line in self.site.logs().splitlines() if " pid=" in line]

    def master_pid(self) -> int:
        [(process, _)] = self.site.processes
        return process.pid

    def user(self) -> str:
        """A new user, logged in: its access token. Usernames are numbered, not random: a
        random one is now and then too similar to the password for Django's validator."""
        username = f"owner{next(self.new_users)}"
        created = send(
            f"{self.url}/api/users/", "POST", {"username": username, "password": PASSWORD}
        )
        assert created.status == 201, str(created)
        login = send(
            f"{self.url}/api/auth/token", "POST", {"username": username, "password": PASSWORD}
        )
        assert login.status == 200, str(login)
        return login.body["token"]


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("deploy")
    relay = Relay()
    relay.start()
    site = ExampleSite(
        workdir,
        "catgram_deploy",
        REDIS_URL=f"redis://127.0.0.1:{relay.port}/0",
        DJANGO_NUM_PROXIES="1",
        DJANGO_STATIC_ROOT=str(workdir / "static"),
    )
    site.prepare()
    site.manage("collectstatic", "--noinput")
    [app_url] = site.start(
        processes=1,
        gunicorn_args=["-c", "deploy/gunicorn.conf.py"],
        env={"GUNICORN_WORKERS": "2", "GUNICORN_THREADS": "4"},
    )
    (workdir / "nginx").mkdir()
    nginx = Nginx(workdir / "nginx", app_url, workdir / "static", site.media_root)
    try:
        yield Deployment(site, nginx, relay)
    finally:
        nginx.stop()
        site.stop()
        relay.stop()


def test_the_react_clients_flows_through_nginx_photos_downloaded_from_their_urls(deployment):
    url = deployment.url
    token = deployment.user()
    body = {
        "name": "Barsik",
        "color": "#A9A9A9",
        "birth_year": 2020,
        "image": data_url(png(64, 48)),
    }
    created = send(f"{url}/api/cats/", "POST", body, token)
    assert created.status == 201, str(created)
    cat = created.body
    for key in ("image", "thumbnail"):
        assert cat[key].startswith(f"{url}/media/cats/images/"), cat[key]
        photo = send(cat[key])
        assert photo.status == 200, str(photo)
        assert photo.headers["Content-Type"] == "image/png"
        assert "immutable" in photo.headers["Cache-Control"]  # served by nginx, from disk
        with Image.open(io.BytesIO(photo.raw)) as image:
            assert image.size == (64, 48)
    assert send(f"{url}/api/cats/{cat['id']}/", token=token).body == cat
    edited = send(f"{url}/api/cats/{cat['id']}/", "PATCH", {"name": "Murzik"}, token)
    assert (edited.status, edited.body["name"]) == (200, "Murzik")
    page = send(f"{url}/api/cats/?page=1", token=token)
    assert page.status == 200 and page.body["count"] >= 1
    deleted = send(f"{url}/api/cats/{cat['id']}/", "DELETE", token=token)
    assert deleted.status == 204
    assert send(cat["image"]).status == 404


def test_a_body_over_the_limit_is_refused_by_nginx_in_json(deployment):
    token = deployment.user()
    body = {"name": "Big", "color": "red", "birth_year": 2020, "image": "x" * (10 * 1024 * 1024)}
    refused, after = secrets.token_hex(8), secrets.token_hex(8)
    answer = send(f"{deployment.url}/api/cats/?refused={refused}", "POST", body, token)
    assert (answer.status, answer.is_json) == (413, True), str(answer)
    # gunicorn logs a request after answering it: once a later request is in its log, the big
    # one would be too, had it reached the app.
    assert send(f"{deployment.url}/api/cats/?after={after}", token=token).status == 200
    deadline = time.monotonic() + 10
    while not any(after in line for line in deployment.access_log()):
        assert time.monotonic() < deadline, "the later request is not in gunicorn's log"
        time.sleep(0.05)
    assert not [line for line in deployment.access_log() if refused in line], (
        "the app read a body nginx should refuse"
    )


@pytest.mark.parametrize(
    "request_head",
    [b"GARBAGE\r\n\r\n", b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n"],
    ids=["not HTTP", "a header too large"],
)
def test_malformed_http_is_a_json_400_from_nginx(deployment, request_head):
    with socket.create_connection(("127.0.0.1", deployment.nginx.port), timeout=5) as connection:
        connection.sendall(request_head)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b" ")[1] == b"400", head
    assert b"Content-Type: application/json" in head, head
    assert json.loads(body) == {"detail": "Bad request."}


def test_the_docs_page_and_its_assets_through_nginx(deployment):
    page = send(f"{deployment.url}/api/docs")
    assert page.status == 200
    assets = set(re.findall(r'(?:src|href)="(/static/[^"]+)"', page.raw.decode()))
    assert len(assets) >= 2, page.raw[:500]
    for asset in sorted(assets):
        answer = send(f"{deployment.url}{asset}")
        assert answer.status == 200, asset
        assert answer.headers["Cache-Control"] == "max-age=604800", asset  # nginx's, from disk
    print(f"\ndocs page assets served by nginx: {sorted(assets)}")


class BodyTrickler(Trickler):
    """A slow client that sends whole headers, then its body one byte at a time."""

    def run(self) -> None:
        head = (
            f"POST /api/auth/token HTTP/1.1\r\nHost: {self.address[0]}\r\n"
            "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
        ).encode()
        with socket.create_connection(self.address, timeout=5) as connection:
            connection.sendall(head)
            while not self.stopping.is_set():
                try:
                    connection.sendall(b" ")
                except OSError:
                    self.closed_by_server = True
                    return
                self.sent += 1
                self.stopping.wait(self.interval)


def test_slow_clients_do_not_delay_an_ordinary_request(deployment):
    token = deployment.user()
    slow = [Trickler(deployment.url) for _ in range(8)]
    slow += [BodyTrickler(deployment.url) for _ in range(8)]
    for client in slow:
        client.start()
    time.sleep(1)
    latencies, statuses = [], Counter()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        answer = send(f"{deployment.url}/api/cats/", token=token, timeout=10)
        statuses[answer.status] += 1
        latencies.append(answer.seconds)
    for client in slow:
        client.stop()
    print(
        f"\n16 slow clients (8 trickling headers, 8 a body) for 6 s; ordinary requests meanwhile:"
        f" {len(latencies)}, statuses {dict(statuses)}, slowest {max(latencies) * 1000:.0f} ms"
    )
    assert set(statuses) == {200}
    assert max(latencies) < 1


def test_rate_limits_are_shared_by_the_app_processes_through_redis(deployment):
    for _attempt in range(5):
        username = f"nobody_{secrets.token_hex(4)}"
        answers = [
            send(f"{deployment.url}/api/auth/token", "POST",
                 {"username": username, "password": "wrong"})
            for _ in range(11)
        ]  # fmt: skip
        served_by = [
            line.rsplit("pid=", 1)[1]
            for line in deployment.access_log()
            if '"POST /api/auth/token ' in line
        ][-11:]
        if len(set(served_by)) > 1:
            break
    statuses = [answer.status for answer in answers]
    print(f"\n11 wrong logins of one username: statuses {statuses}, worker pids {served_by}")
    # Both workers counted them, so a count of its own per worker would let the 11th through.
    assert len(set(served_by)) > 1
    assert statuses == [401] * 10 + [429]


def stream_of_requests(url: str, token: str, seconds: float) -> Counter:
    statuses: Counter = Counter()
    lock = threading.Lock()

    def client() -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            answer = send(f"{url}/api/cats/", token=token, timeout=30)
            with lock:
                statuses[answer.status] += 1

    threads = [threading.Thread(target=client) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_a_graceful_reload_during_a_stream_of_requests_fails_none(deployment):
    token = deployment.user()
    pids_before = {line.rsplit("pid=", 1)[1] for line in deployment.access_log()}
    reloader = threading.Timer(2, os.kill, (deployment.master_pid(), signal.SIGHUP))
    reloader.start()
    statuses = stream_of_requests(deployment.url, token, seconds=8)
    reloader.join()
    recent = deployment.access_log()[-20:]
    pids_after = {line.rsplit("pid=", 1)[1] for line in recent}
    print(f"\nrequests during a graceful reload (HUP): {dict(statuses)}")
    assert pids_after.isdisjoint(pids_before), "the workers were not replaced"
    assert set(statuses) == {200}, f"failed requests: {dict(statuses)}"


def test_readiness_is_503_while_redis_is_unreachable_and_200_again_after(deployment):
    ready, live = f"{deployment.url}/health/ready/", f"{deployment.url}/health/live/"
    answer = send(ready)
    assert (answer.status, answer.is_json) == (200, True), str(answer)
    deployment.relay.stop()
    try:
        answer = send(ready)
        print(f"\nreadiness with Redis unreachable: {answer.status} in {answer.seconds:.2f} s")
        assert (answer.status, answer.is_json) == (503, True), str(answer)
        assert answer.seconds < 5
        assert send(live).status == 200
    finally:
        deployment.relay.start()
    answer = send(ready)
    assert answer.status == 200, str(answer)
