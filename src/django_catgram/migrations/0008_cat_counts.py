"""The cats' counts (``CatCount``), kept by triggers on PostgreSQL and SQLite, filled from the
cats there are.

A write of cats or links adds its changes to the counts in the same transaction, so a count is
as exact as the rows it counts, whatever wrote them (the ORM, ``bulk_create``, a cascade, raw
SQL). A cat counts in four rows of its birth year: in all, of its owner, of its colour, and one
per achievement it has; a change of its owner, colour or year moves it (and a change of nothing
counted touches no count).

On PostgreSQL the triggers run once per statement, over its rows, and add each count's change in
one upsert, in the counts' order (two statements never wait on each other's counts in turn; two
transactions of several statements can, and the database then rolls one back, which the API
runs again: ``routing.again_after_a_conflict``). Adding
or removing links locks their cats' rows (``FOR SHARE``) to read their years, so that a year
that changes meanwhile moves those links too. On SQLite (one writer at a time) they run per row.
Other databases get no triggers: their lists count the cats (``counts.count_cats``).

SQLite rebuilds a table that a migration alters, without its triggers: a later migration that
alters the cats or the links must make these triggers again.
"""

from collections.abc import Callable

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

CATS, LINKS, COUNTS = "catgram_cat", "catgram_achievementcat", "catgram_catcount"
# A count that is not there is not made negative: the counts were emptied (a flush on SQLite
# deletes from the tables in any order), not the cats it would count.
UPSERT = (
    f"INSERT INTO {COUNTS} (dimension, value, birth_year, cats) "
    "SELECT dimension, value, birth_year, SUM(change) FROM ({changes}) AS changes "
    "GROUP BY dimension, value, birth_year HAVING SUM(change) > 0 OR (SUM(change) < 0 AND "
    "EXISTS (SELECT 1 FROM {COUNTS} AS kept WHERE kept.dimension = changes.dimension "
    "AND kept.value = changes.value AND kept.birth_year = changes.birth_year)) "
    "ORDER BY dimension, value, birth_year "
    "ON CONFLICT (dimension, value, birth_year) DO UPDATE SET cats = {COUNTS}.cats + excluded.cats"
)


def upsert(changes: str) -> str:
    """The statement that adds ``changes`` (rows of dimension, value, birth_year, change)."""
    return UPSERT.replace("{COUNTS}", COUNTS).format(changes=changes)


def cat_changes(cats: str, achievements: bool = True) -> str:
    """The changes that ``cats`` (rows of id, owner_id, color, birth_year, change) make."""
    changes = (
        "SELECT kind.dimension, kind.value, cat.birth_year, cat.change "
        f"FROM ({cats}) AS cat CROSS JOIN LATERAL (VALUES ('all', ''), "
        "('owner', CAST(cat.owner_id AS TEXT)), ('color', CAST(cat.color AS TEXT))) "
        "AS kind (dimension, value)"
    )
    if achievements:  # the links of a cat deleted before them, or of a cat whose year changes
        changes += (
            " UNION ALL SELECT 'achievement', CAST(link.achievement_id AS TEXT), cat.birth_year, "
            f"cat.change FROM ({cats}) AS cat JOIN {LINKS} AS link ON link.cat_id = cat.id"
        )
    return changes


def rows(table: str, change: int) -> str:
    return f"SELECT id, owner_id, color, birth_year, {change} AS change FROM {table}"


def link_rows(table: str, change: int) -> str:
    return f"SELECT cat_id, achievement_id, {change} AS change FROM {table}"


POSTGRESQL_CAT_CHANGES = {
    # A new cat has no links yet.
    "INSERT": cat_changes(rows("new_rows", 1), achievements=False),
    "DELETE": cat_changes(rows("old_rows", -1)),
    "UPDATE": cat_changes(f"{rows('old_rows', -1)} UNION ALL {rows('new_rows', 1)}"),
}
POSTGRESQL_LINK_CHANGES = {
    "INSERT": link_rows("new_rows", 1),
    "DELETE": link_rows("old_rows", -1),
    "UPDATE": f"{link_rows('old_rows', -1)} UNION ALL {link_rows('new_rows', 1)}",
}


def postgresql_function(name: str, statements: dict[str, str]) -> str:
    branches = " ".join(
        f"{'IF' if number == 0 else 'ELSIF'} TG_OP = '{operation}' THEN {statement};"
        for number, (operation, statement) in enumerate(statements.items())
    )
    return (
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {branches} END IF; RETURN NULL; END $$"
    )


def postgresql_link_upsert(links: str) -> str:
    """Links' changes, each at its cat's year, read under a lock of the cat's row."""
    return (
        f"WITH link AS ({links}), "
        f"cat AS (SELECT id, birth_year FROM {CATS} WHERE id IN (SELECT cat_id FROM link) "
        "ORDER BY id FOR SHARE) "
        + upsert(
            "SELECT 'achievement' AS dimension, CAST(link.achievement_id AS TEXT) AS value, "
            "cat.birth_year, link.change FROM link JOIN cat ON cat.id = link.cat_id"
        )
    )


POSTGRESQL_FORWARDS = [
    postgresql_function(
        "catgram_count_cats",
        {operation: upsert(changes) for operation, changes in POSTGRESQL_CAT_CHANGES.items()},
    ),
    postgresql_function(
        "catgram_count_links",
        {
            operation: postgresql_link_upsert(links)
            for operation, links in POSTGRESQL_LINK_CHANGES.items()
        },
    ),
    # TRUNCATE sends no row to a trigger: the counts of what it empties go with it.
    "CREATE FUNCTION catgram_forget_counts() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"DELETE FROM {COUNTS} WHERE TG_TABLE_NAME = '{CATS}' OR dimension = 'achievement'; "
    "RETURN NULL; END $$",
    *(
        f"CREATE TRIGGER {function}_{operation.lower()} AFTER {operation} ON {table} "
        f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        for table, function in ((CATS, "catgram_count_cats"), (LINKS, "catgram_count_links"))
        for operation, tables in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        )
    ),
    *(
        f"CREATE TRIGGER catgram_forget_counts AFTER TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION catgram_forget_counts()"
        for table in (CATS, LINKS)
    ),
]
POSTGRESQL_BACKWARDS = [
    f"DROP FUNCTION {function}() CASCADE"  # with its triggers
    for function in ("catgram_count_cats", "catgram_count_links", "catgram_forget_counts")
]


def sqlite_cat(row: str, change: int) -> str:
    return f"SELECT {row}.id AS id, {row}.owner_id AS owner_id, {row}.color AS color, " + (
        f"{row}.birth_year AS birth_year, {change} AS change"
    )


def sqlite_link(row: str, change: int) -> str:
    return (
        "SELECT 'achievement' AS dimension, CAST(achievement_id AS TEXT) AS value, birth_year, "
        f"{change} AS change FROM (SELECT {row}.cat_id AS cat_id, "
        f"{row}.achievement_id AS achievement_id) AS link JOIN {CATS} AS cat "
        "ON cat.id = link.cat_id"
    )


# SQLite has no LATERAL: its cats' changes list the three kinds in turn.
def sqlite_cat_changes(cats: str, achievements: bool = True) -> str:
    kinds = [("'all'", "''"), ("'owner'", "CAST(owner_id AS TEXT)"), ("'color'", "color")]
    changes = " UNION ALL ".join(
        f"SELECT {dimension} AS dimension, {value} AS value, birth_year, change FROM ({cats})"
        for dimension, value in kinds
    )
    if achievements:
        changes += (
            " UNION ALL SELECT 'achievement', CAST(link.achievement_id AS TEXT), cat.birth_year, "
            f"cat.change FROM ({cats}) AS cat JOIN {LINKS} AS link ON link.cat_id = cat.id"
        )
    return changes


SQLITE_TRIGGERS = {
    (CATS, "INSERT"): sqlite_cat_changes(sqlite_cat("NEW", 1), achievements=False),
    (CATS, "DELETE"): sqlite_cat_changes(sqlite_cat("OLD", -1)),
    (CATS, "UPDATE"): sqlite_cat_changes(
        f"{sqlite_cat('OLD', -1)} UNION ALL {sqlite_cat('NEW', 1)}"
    ),
    (LINKS, "INSERT"): sqlite_link("NEW", 1),
    (LINKS, "DELETE"): sqlite_link("OLD", -1),
    (LINKS, "UPDATE"): f"{sqlite_link('OLD', -1)} UNION ALL {sqlite_link('NEW', 1)}",
}
SQLITE_FORWARDS = [
    f"CREATE TRIGGER {table}_counted_{operation.lower()} AFTER {operation} ON {table} "
    f"FOR EACH ROW BEGIN {upsert(changes)}; END"
    for (table, operation), changes in SQLITE_TRIGGERS.items()
]
SQLITE_BACKWARDS = [
    f"DROP TRIGGER {table}_counted_{operation.lower()}" for table, operation in SQLITE_TRIGGERS
]

# The counts of the cats and links there are.
FILL = (
    f"INSERT INTO {COUNTS} (dimension, value, birth_year, cats) "
    f"SELECT 'all', '', birth_year, COUNT(*) FROM {CATS} GROUP BY birth_year "
    "UNION ALL SELECT 'owner', CAST(owner_id AS TEXT), birth_year, COUNT(*) "
    f"FROM {CATS} GROUP BY owner_id, birth_year "
    f"UNION ALL SELECT 'color', color, birth_year, COUNT(*) FROM {CATS} GROUP BY color, birth_year "
    "UNION ALL SELECT 'achievement', CAST(link.achievement_id AS TEXT), cat.birth_year, COUNT(*) "
    f"FROM {LINKS} AS link JOIN {CATS} AS cat ON cat.id = link.cat_id "
    "GROUP BY link.achievement_id, cat.birth_year"
)
# The triggers first: on PostgreSQL they lock out writes until the fill commits.
KEEP_COUNTS = {"postgresql": [*POSTGRESQL_FORWARDS, FILL], "sqlite": [*SQLITE_FORWARDS, FILL]}
STOP_KEEPING_COUNTS = {"postgresql": POSTGRESQL_BACKWARDS, "sqlite": SQLITE_BACKWARDS}


def run(
    statements: dict[str, list[str]],
) -> Callable[[StateApps, BaseDatabaseSchemaEditor], None]:
    """A step of RunPython that executes the database's own ``statements``, if it has any."""

    def execute(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return execute


class Migration(migrations.Migration):
    dependencies = [("catgram", "0007_achievement_cat_index")]

    operations = [
        migrations.CreateModel(
            name="CatCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "dimension",
                    models.CharField(
                        choices=[
                            ("all", "All"),
                            ("owner", "Owner"),
                            ("color", "Color"),
                            ("achievement", "Achievement"),
                        ],
                        max_length=16,
                    ),
                ),
                ("value", models.CharField(blank=True, max_length=64)),
                ("birth_year", models.PositiveSmallIntegerField()),
                ("cats", models.BigIntegerField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("dimension", "value", "birth_year"),
                        name="catgram_catcount_unique",
                    )
                ],
            },
        ),
        migrations.RunPython(run(KEEP_COUNTS), run(STOP_KEEPING_COUNTS)),
    ]
