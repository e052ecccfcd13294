"""Counts the database queries of each request into an ``X-Queries`` response header."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse


def count_queries(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    def middleware(request: HttpRequest) -> HttpResponse:
        queries = 0

        def counter(execute, sql, params, many, context):  # noqa: ANN001 - Django's signature
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = get_response(request)
        response["X-Queries"] = str(queries)
        return response

    return middleware
