"""The example project, driven as a user would: ``python example_project/manage.py ...``."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MANAGE = ROOT / "example_project" / "manage.py"
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "k3v9-Qz7-PdL2-XwR8-mN4t-Hs6y-Bc1u-Gf5e-Ja0i-Vo3p-Lr7w",
    "DJANGO_ALLOWED_HOSTS": "cats.example.com",
}


# The names of the course's .env files, which the example project reads when ours are not set.
COURSE_NAMES = {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "POSTGRES_DB", "POSTGRES_USER",
                "POSTGRES_PASSWORD", "DB_HOST", "DB_PORT"}  # fmt: skip


def manage(*args, env=None):
    """Run manage.py with ``env`` and this environment, less what else would configure the
    example project: any DJANGO_*, DATABASE_URL and COURSE_NAMES."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("DJANGO_") and name != "DATABASE_URL" and name not in COURSE_NAMES
    }
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", str(MANAGE), *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def shell(code, env=None):
    """What ``manage.py shell -c code`` prints; the command must succeed."""
    result = manage("shell", "--no-imports", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def migrated_sqlite(path):
    """The environment of a new SQLite database at ``path``, migrated, with its cache table."""
    env = {"DATABASE_URL": f"sqlite:///{path}"}
    assert manage("migrate", "--noinput", env=env).returncode == 0
    assert manage("createcachetable", env=env).returncode == 0
    return env


def test_check_deploy_reports_nothing_in_production_mode():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_mode_without_a_secret_key_refuses_to_start():
    env = {**PRODUCTION, "DJANGO_SECRET_KEY": ""}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr


def test_debug_mode_is_the_default_and_reports_insecure_settings_to_check_deploy():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W018" in result.stderr  # DEBUG is on


def test_settings_come_from_the_environment(tmp_path):
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cats.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        "DJANGO_ALLOWED_HOSTS": "a.example,b.example",
        "DJANGO_CORS_ALLOWED_ORIGINS": "https://front.example",
    }
    code = (
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['NAME'], s.MEDIA_ROOT, s.ALLOWED_HOSTS, "
        "s.CORS_ALLOWED_ORIGINS, s.DEBUG)"
    )
    assert shell(code, env).split() == [
        str(tmp_path / "cats.sqlite3"),
        str(tmp_path / "media"),
        "['a.example',",
        "'b.example']",
        "['https://front.example']",
        "True",
    ]


SETTINGS_AS_JSON = (
    "import json; from django.conf import settings as s; "
    "print(json.dumps({'DATABASE': s.DATABASES['default'], 'SECRET_KEY': s.SECRET_KEY, "
    "'DEBUG': s.DEBUG, 'ALLOWED_HOSTS': s.ALLOWED_HOSTS}))"
)
COURSE_DATABASE = {
    "POSTGRES_DB": "kittygram",
    "POSTGRES_USER": "kitty_user",
    "POSTGRES_PASSWORD": "p@ss:w/rd?#%",  # what a URL would have to quote
    "DB_HOST": "db",
    "DB_PORT": "6543",
}
COURSE_SECRET = "course-secret-key-from-the-dot-env-file-long-enough-for-hs256"


def settings_with(env):
    """The example project's database, secret key, DEBUG and hosts in this environment."""
    return json.loads(shell(SETTINGS_AS_JSON, env))


def test_the_course_env_names_give_postgresql_unless_database_url_is_set(tmp_path):
    database = settings_with(COURSE_DATABASE)["DATABASE"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert {key: str(database[key]) for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT")} == {
        "NAME": "kittygram",
        "USER": "kitty_user",
        "PASSWORD": "p@ss:w/rd?#%",
        "HOST": "db",
        "PORT": "6543",
    }
    # As with a DATABASE_URL to PostgreSQL: connections kept, a short connect timeout.
    assert (database["CONN_MAX_AGE"], database["OPTIONS"]["connect_timeout"]) == (60, 5)

    url = f"sqlite:///{tmp_path / 'cats.sqlite3'}"
    database = settings_with({**COURSE_DATABASE, "DATABASE_URL": url})["DATABASE"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == str(tmp_path / "cats.sqlite3")


def test_the_course_secret_key_debug_and_hosts_are_read_unless_the_django_names_are_set():
    course = {"SECRET_KEY": COURSE_SECRET, "DEBUG": "False", "ALLOWED_HOSTS": "a.example,b.example"}
    found = settings_with(course)
    assert (found["SECRET_KEY"], found["DEBUG"]) == (COURSE_SECRET, False)
    assert found["ALLOWED_HOSTS"] == ["a.example", "b.example"]

    found = settings_with({**course, "DEBUG": "True", **PRODUCTION})
    assert (found["SECRET_KEY"], found["DEBUG"]) == (PRODUCTION["DJANGO_SECRET_KEY"], False)
    assert found["ALLOWED_HOSTS"] == ["cats.example.com"]


def test_debug_takes_the_course_spellings():
    spellings = ["True", "true", "1", "False", "false", "0"]
    found = {
        spelling: settings_with({"DEBUG": spelling, "SECRET_KEY": COURSE_SECRET})["DEBUG"]
        for spelling in spellings
    }
    assert found == dict(zip(spellings, [True] * 3 + [False] * 3, strict=True))


def test_the_default_database_is_a_sqlite_file_in_the_example_project():
    code = "from django.conf import settings as s; print(s.DATABASES['default']['NAME'])"
    assert shell(code).strip() == str(ROOT / "example_project" / "db.sqlite3")


def test_photos_are_files_in_the_media_root_or_with_django_s3_bucket_objects_in_it():
    code = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps(s.STORAGES['default'], default=repr))"
    )
    assert json.loads(shell(code)) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}

    env = {"DJANGO_S3_BUCKET": "cat-photos", "DJANGO_S3_ENDPOINT_URL": "https://s3.example"}
    result = manage("shell", "--no-imports", "-c", code, env=env)

    if not (importlib.util.find_spec("storages") and importlib.util.find_spec("boto3")):
        assert result.returncode != 0
        assert "DJANGO_S3_BUCKET needs pip install 'django-storages[s3]'" in result.stderr
        return
    assert result.returncode == 0, result.stderr
    storage = json.loads(result.stdout)
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "cat-photos"
    assert storage["OPTIONS"]["endpoint_url"] == "https://s3.example"
    assert storage["OPTIONS"]["querystring_auth"] is False  # plain public URLs, no signatures


@pytest.mark.skipif("DATABASE_URL" not in os.environ, reason="runs in the postgres tox envs")
def test_database_url_points_the_example_project_at_that_server():
    result = manage(
        "check", "--database", "default", env={"DATABASE_URL": os.environ["DATABASE_URL"]}
    )
    assert result.returncode == 0, result.stderr


def test_schema_yaml_is_what_the_code_generates():
    result = manage("catgram_schema", "--output", "schema.yaml", "--check")
    assert result.returncode == 0, result.stderr + result.stdout


def test_the_demo_set_is_seeded_into_a_fresh_database(tmp_path):
    env = migrated_sqlite(tmp_path / "demo.sqlite3")
    result = manage("catgram_seed", "--admin", "--if-empty", env=env)
    assert result.returncode == 0, result.stderr
    assert "Seeded 3 users, 8 achievements, 12 cats" in result.stdout


def test_the_wsgi_and_asgi_modules_load_the_application():
    code = (
        "import example_project.wsgi as w, example_project.asgi as a; "
        "print(callable(w.application), callable(a.application))"
    )
    assert shell(code).split() == ["True", "True"]


ADMIN_GUESSES = """
from django.contrib.auth import get_user_model
from django.test import Client

get_user_model().objects.create_superuser("boss", "boss@example.com", "Right-Pass-2020!")
client = Client(HTTP_HOST="localhost")
statuses = [
    client.post("/admin/login/", {"username": "boss", "password": f"wrong-{n}"}).status_code
    for n in range(12)
]
right = client.post("/admin/login/", {"username": "boss", "password": "Right-Pass-2020!"})
print(*statuses, right.status_code)
"""


def test_password_guesses_at_the_admin_login_are_limited(tmp_path):
    env = migrated_sqlite(tmp_path / "admin.sqlite3")  # the cache table: where limits count
    *guesses, right = map(int, shell(ADMIN_GUESSES, env).split())
    # The form again for ten wrong passwords (login_username: 10/min), then 429, and then the
    # right password is refused too.
    assert guesses == [200] * 10 + [429] * 2
    assert right == 429


FOREIGN_HOST = """
from django.test import Client

client = Client(raise_request_exception=False, HTTP_HOST="evil.example")
for path in ("/api/cats/", "/api/nowhere", "/admin/"):
    response = client.post(path)
    print(response.status_code, response["Content-Type"].split(";")[0])
"""


def test_djangos_own_errors_are_json_under_the_api_and_pages_elsewhere(tmp_path):
    env = {**PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path / 'hosts.sqlite3'}"}
    assert shell(FOREIGN_HOST, env).split() == [
        "400", "application/json", "400", "application/json", "400", "text/html",
    ]  # fmt: skip
