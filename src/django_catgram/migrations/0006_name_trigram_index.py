"""A trigram index for the cats list's search, on PostgreSQL only.

``search`` is ``name__icontains``, which Django writes on PostgreSQL as
``UPPER("name"::text) LIKE UPPER(%s)``: a GIN index of ``UPPER(name)`` with pg_trgm's operator
class serves that ``LIKE '%term%'`` (for the page and the count) instead of a scan of every row.

The index is not in the model's state (SQLite has no such index), so other databases get nothing
and makemigrations never sees it. It is written as SQL rather than as
``GinIndex(OpClass(Upper("name"), ...))``: Django renders an ``OpClass`` only once
``django.contrib.postgres`` is in INSTALLED_APPS, which a host need not have.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import ProjectState

INDEX = "catgram_cat_name_trgm"


class AddTrigramIndex(migrations.operations.base.Operation):
    """The trigram index of ``UPPER(name)`` on PostgreSQL (with the pg_trgm extension)."""

    reversible = True

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        pass

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            # Imported here: it needs psycopg, which a site on SQLite may not have.
            from django.contrib.postgres.operations import TrigramExtension

            TrigramExtension().database_forwards(app_label, schema_editor, from_state, to_state)
            table = to_state.apps.get_model(app_label, "cat")._meta.db_table
            quote = schema_editor.quote_name
            schema_editor.execute(
                f"CREATE INDEX {quote(INDEX)} ON {quote(table)} "
                f"USING gin (UPPER({quote('name')}) gin_trgm_ops)"
            )

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(INDEX)}")

    def describe(self) -> str:
        return f"Create the trigram index {INDEX} of the cats' names on PostgreSQL"


class Migration(migrations.Migration):
    dependencies = [("catgram", "0005_login_sessions")]

    operations = [AddTrigramIndex()]
