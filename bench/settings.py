"""The example project's settings for benchmarking: the floor's URLs, query counts, no limits."""

from example_project.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.middleware.count_queries", *MIDDLEWARE]  # noqa: F405
# The benchmark logs in thousands of times from one address.
SCOPES = ("login_username", "login_address", "registration", "reset")
CATGRAM = {"THROTTLE_RATES": dict.fromkeys(SCOPES, "1000000/s")}
