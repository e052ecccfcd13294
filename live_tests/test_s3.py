"""Photos on real object storage: the example project, served by gunicorn, keeps them in an S3
bucket of moto's S3 server, a process of its own spoken to over HTTP, as a site on AWS or on an
S3-compatible service does (django-storages, DJANGO_S3_BUCKET, DJANGO_S3_ENDPOINT_URL).

Each check goes through the API's URLs and then looks at the bucket itself (listed with boto3)
and at the photos as a browser fetches them: anonymously, from the URLs the API gives.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from email.message import Message
from io import BytesIO
from typing import Any

import boto3
import pytest
from PIL import Image

from live_tests.faults import send
from live_tests.server import ExampleSite, free_port, log_in, wait_until_up
from tests.conftest import assert_no_metadata, data_url, phone_photo

BUCKET = "catgram-photos"
PHOTOS = "cats/images/"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "catgram-test-key",
    "AWS_SECRET_ACCESS_KEY": "catgram-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}
PASSWORD = "Purring-Bucket-42"
PHOTO_SIZE, THUMBNAIL_SIZE = (1000, 500), (400, 200)  # THUMBNAIL_SIDE is 400 by default
MIME = {"jpeg": "image/jpeg", "png": "image/png"}
SUFFIX = {"jpeg": ".jpg", "png": ".png"}


class Bucket:
    """The moto S3 server's process and the test's own client of it."""

    def __init__(self, endpoint: str, process: subprocess.Popen) -> None:
        self.endpoint = endpoint
        self.process = process
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            region_name=CREDENTIALS["AWS_DEFAULT_REGION"],
        )
        self.url = f"{endpoint}/{BUCKET}/"  # path-style: the endpoint is an address, no name

    def objects(self) -> set[str]:
        """Every object under the photo folder."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=PHOTOS)
        return {entry["Key"] for page in pages for entry in page.get("Contents", ())}

    def key_of(self, url: str) -> str:
        """The object key that a photo URL of the API names; the URL must be the bucket's."""
        assert url.startswith(self.url + PHOTOS), url
        assert "?" not in url, url  # a plain public URL, no signature in a query string
        return url.removeprefix(self.url)


def fetch(url: str) -> tuple[int, Message, bytes]:
    """GET ``url`` as a browser would, without any credentials: status, headers, body."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture(scope="module")
def bucket(tmp_path_factory):
    """moto's S3 server on a free port, with a bucket whose objects anyone may read."""
    workdir = tmp_path_factory.mktemp("s3")
    port = free_port()
    with (workdir / "moto.log").open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "--host", "127.0.0.1", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/moto-api/")
        s3 = Bucket(f"http://127.0.0.1:{port}", process)
        s3.client.create_bucket(Bucket=BUCKET)
        # Public by a bucket policy, as AWS has it now (new buckets refuse ACLs): anyone may
        # read the objects.
        s3.client.put_object(Bucket=BUCKET, Key="probe", Body=b"probe")
        assert fetch(f"{s3.url}probe")[0] == 403  # moto does check anonymous reads
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{BUCKET}/*",
                }
            ],
        }
        s3.client.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(policy))
        assert fetch(f"{s3.url}probe")[:3:2] == (200, b"probe")
        s3.client.delete_object(Bucket=BUCKET, Key="probe")
        yield s3
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def site(tmp_path_factory, bucket):
    """The example project with its photos in the bucket, served by one gunicorn process."""
    workdir = tmp_path_factory.mktemp("site")
    env_name = os.environ.get("TOX_ENV_NAME", "local").replace("-", "_")
    example = ExampleSite(
        workdir,
        f"catgram_live_{env_name}_s3",
        DJANGO_S3_BUCKET=BUCKET,
        DJANGO_S3_ENDPOINT_URL=bucket.endpoint,
        **CREDENTIALS,
    )
    example.prepare("--users", "1", "--cats", "0")
    example.start(processes=1, threads=4)
    yield example
    example.stop()
    assert not example.media_root.exists()  # nothing went to the file system


@pytest.fixture(scope="module")
def token(site):
    """A user who registered through the API, logged in."""
    url = site.urls[0]
    answer = send(f"{url}/api/users/", "POST", {"username": "s3-owner", "password": PASSWORD})
    assert answer.status == 201, answer
    return log_in(url, "s3-owner", PASSWORD)


@pytest.fixture
def api(site, token):
    """Send a request to the API as the registered user: ``api("POST", "cats/", body)``."""

    def request(method: str, path: str, body: Any = None, **kwargs: Any):
        return send(f"{site.urls[0]}/api/{path}", method, body, token, **kwargs)

    return request


def cat_body(**changes: Any) -> dict[str, Any]:
    return {"name": "Barsik", "color": "#A9A9A9", "birth_year": 2020, **changes}


def photo(kind: str = "jpeg") -> bytes:
    """A phone's photo: EXIF with a GPS position, XMP, a colour profile (and a comment)."""
    return phone_photo(kind, size=PHOTO_SIZE)


def create_cat(api, kind: str = "jpeg") -> dict[str, Any]:
    answer = api("POST", "cats/", cat_body(image=data_url(photo(kind), kind)))
    assert answer.status == 201, answer
    return answer.body


def objects_of(bucket: Bucket, cat: dict[str, Any], kind: str = "jpeg") -> set[str]:
    """The keys of a cat's photo and thumbnail, after checking the four URLs of its JSON and
    the two objects as a browser downloads them."""
    photo_key, thumbnail_key = bucket.key_of(cat["image_url"]), bucket.key_of(cat["thumbnail_url"])
    assert (cat["image"], cat["thumbnail"]) == (cat["image_url"], cat["thumbnail_url"])
    assert photo_key.endswith(SUFFIX[kind])
    assert thumbnail_key == photo_key.replace(SUFFIX[kind], f"-thumbnail{SUFFIX[kind]}")
    for key, size in ((photo_key, PHOTO_SIZE), (thumbnail_key, THUMBNAIL_SIZE)):
        status, headers, raw = fetch(bucket.url + key)
        assert status == 200, (key, status)
        assert headers["Content-Type"] == MIME[kind]
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert_no_metadata(raw)  # no EXIF (so no GPS position), XMP, profile or comment
        with Image.open(BytesIO(raw)) as image:
            image.load()
            assert (image.format, image.size) == (kind.upper(), size)
    return {photo_key, thumbnail_key}


def test_a_phone_photo_is_stored_in_the_bucket_without_its_gps_position(api, bucket):
    before = bucket.objects()

    cat = create_cat(api)

    files = objects_of(bucket, cat)
    assert bucket.objects() == before | files
    shown = api("GET", f"cats/{cat['id']}/").body
    assert [shown[key] for key in ("image", "image_url", "thumbnail", "thumbnail_url")] == [
        cat[key] for key in ("image", "image_url", "thumbnail", "thumbnail_url")
    ]


def replacement(method: str, encoding: str, raw: bytes) -> dict[str, Any]:
    """The arguments of ``api`` for a PUT or PATCH with a new PNG photo."""
    if encoding == "json":
        image = data_url(raw, "png")
        return {"body": cat_body(image=image) if method == "PUT" else {"image": image}}
    form = {"name": "Barsik", "color": "#A9A9A9", "birth_year": "2020"} if method == "PUT" else {}
    return {"form": form, "files": {"image": ("barsik.png", "image/png", raw)}}


@pytest.mark.parametrize("encoding", ["json", "multipart"])
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_new_photo_replaces_the_objects_of_the_old_one(api, bucket, method, encoding):
    cat = create_cat(api)
    old = objects_of(bucket, cat)
    before = bucket.objects()

    answer = api(method, f"cats/{cat['id']}/", **replacement(method, encoding, photo("png")))

    assert answer.status == 200, answer
    new = objects_of(bucket, answer.body, "png")
    assert not new & old
    assert bucket.objects() == (before - old) | new
    for key in old:
        assert fetch(bucket.url + key)[0] in (403, 404)  # gone (S3 says 403 to a stranger)


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_image_null_removes_both_objects(api, bucket, method):
    cat = create_cat(api)
    files = objects_of(bucket, cat)
    before = bucket.objects()

    body = cat_body(image=None) if method == "PUT" else {"image": None}
    answer = api(method, f"cats/{cat['id']}/", body)

    assert answer.status == 200, answer
    keys = ["image", "image_url", "thumbnail", "thumbnail_url"]
    assert [answer.body[key] for key in keys] == [None] * 4
    assert bucket.objects() == before - files


def test_deleting_a_cat_deletes_its_objects(api, bucket):
    cat = create_cat(api)
    files = objects_of(bucket, cat)
    before = bucket.objects()

    answer = api("DELETE", f"cats/{cat['id']}/")

    assert answer.status == 204, answer
    assert bucket.objects() == before - files
    assert api("GET", f"cats/{cat['id']}/").status == 404


def test_failed_writes_leave_no_object(api, bucket):
    cat = create_cat(api)
    files = objects_of(bucket, cat)
    before = bucket.objects()
    refused = [
        ("POST", "cats/", cat_body(image=data_url(photo("png"), "jpeg"))),  # a PNG said JPEG
        ("POST", "cats/", cat_body(image=data_url(b"Barsik is a cat." * 10, "jpeg"))),
        ("POST", "cats/", cat_body(image=data_url(photo()[:-400], "jpeg"))),  # truncated
        ("POST", "cats/", cat_body(image=data_url(photo(), "jpeg"), birth_year=1899)),
        ("PATCH", f"cats/{cat['id']}/", {"image": data_url(b"not an image", "png")}),
        ("PUT", f"cats/{cat['id']}/", cat_body(image=data_url(photo(), "jpeg"), color="#123456")),
    ]
    for method, path, body in refused:
        answer = api(method, path, body)
        assert answer.status == 400, answer
        assert bucket.objects() == before, (method, path)
    answer = api(
        "POST", "cats/", form={"name": "Barsik", "color": "#A9A9A9", "birth_year": "2020"},
        files={"image": ("barsik.jpg", "image/jpeg", photo("png"))},
    )  # fmt: skip
    assert answer.status == 400, answer
    assert bucket.objects() == before
    assert api("GET", f"cats/{cat['id']}/").body["image_url"] == cat["image_url"]
    assert objects_of(bucket, cat) == files


def test_catgram_sweep_lists_and_cleans_the_bucket(site, api, bucket):
    """``manage.py catgram_sweep`` on S3: listdir, get_modified_time, exists and delete."""
    cat = create_cat(api)
    files = objects_of(bucket, cat)
    orphan = f"{PHOTOS}{uuid.uuid4().hex}.jpg"  # a file whose deletion once failed
    bucket.client.put_object(Bucket=BUCKET, Key=orphan, Body=photo(), ContentType="image/jpeg")

    kept = site.manage("catgram_sweep")  # younger than the default hour: a write in flight
    assert "Removed 0 unreferenced photo files (1 younger than 3600 s kept)" in kept, kept
    dry_run = site.manage("catgram_sweep", "--grace-seconds", "0", "--dry-run")
    assert f"would remove {orphan}\n" in dry_run, dry_run
    assert orphan in bucket.objects()

    swept = site.manage("catgram_sweep", "--grace-seconds", "0")

    assert swept.splitlines() == [
        f"removed {orphan}",
        "Removed 1 unreferenced photo files (0 younger than 0 s kept) and 0 expired login"
        " sessions; 0 files of cats missing.",
    ]
    assert orphan not in bucket.objects()
    assert files <= bucket.objects()
    objects_of(bucket, cat)  # the cat's photo is untouched

    thumbnail = bucket.key_of(cat["thumbnail_url"])
    bucket.client.delete_object(Bucket=BUCKET, Key=thumbnail)  # lost by the storage
    report = site.manage("catgram_sweep", "--grace-seconds", "0")
    assert f"missing {thumbnail} (cat {cat['id']})" in report, report
    assert "; 1 files of cats missing." in report
    assert api("DELETE", f"cats/{cat['id']}/").status == 204
    assert not files & bucket.objects()


def test_while_the_bucket_is_unreachable_writes_are_503_and_reads_go_on(site, api, bucket):
    """Last: moto's server is stopped for good (its buckets live in its memory)."""
    cat = create_cat(api)
    assert "Traceback" not in site.logs()  # no storage error so far
    bucket.process.terminate()
    bucket.process.wait(timeout=30)

    started = time.monotonic()
    created = api("POST", "cats/", cat_body(name="Lost", image=data_url(photo(), "jpeg")))
    patched = api("PATCH", f"cats/{cat['id']}/", {"image": data_url(photo("png"), "png")})
    seconds = time.monotonic() - started
    print(f"two writes with S3 down: {seconds:.1f} s")

    for answer in (created, patched):
        assert answer.status == 503, answer
        assert answer.is_json and set(answer.body) == {"detail"}, answer
    assert api("GET", "cats/?search=Lost").body["count"] == 0
    # Reads go on: a photo's URL is made without a call to the storage.
    newest = api("GET", "cats/?ordering=-id").body["results"]
    assert newest[0] == cat
    assert api("GET", f"cats/{cat['id']}/").body == cat
    assert "Could not store the photo" in site.logs()
