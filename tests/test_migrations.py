from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_shipped_migrations_match_the_models():
    out = StringIO()
    call_command("makemigrations", "catgram", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
