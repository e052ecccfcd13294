"""Usernames are unique in any case, held by the database (``catgram_username``), however a
name is written and however many are written at once."""

import logging
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from django_catgram.models import Username
from tests.conftest import PASSWORD
from tests.test_account_safety import link_in_mail
from tests.test_races import committed_meanwhile

pytestmark = pytest.mark.django_db
TAKEN = "A user with that username already exists."
User = get_user_model()


def register(anonymous, username):
    return anonymous.post("users/", {"username": username, "password": PASSWORD})


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Dup", "dUP"),
        ("Äpfel", "äpfel"),  # beyond ASCII: one name on SQLite too
        ("Straße", "STRASSE"),  # full case folding: ß is ss
        ("ǅemal", "džemal"),  # a title-case letter
        ("ΣΊΣΥΦΟΣ", "σίσυφος"),  # final sigma
        ("ｋｉｔ", "KIT"),  # full width (NFKC)
        ("ﬃx", "FFIX"),  # a ligature that folds to three letters
    ],
)
def test_a_name_that_differs_from_another_only_in_case_is_taken(anonymous, first, second):
    assert register(anonymous, first).status_code == 201
    response = register(anonymous, second)
    assert (response.status_code, response.json()) == (400, {"username": [TAKEN]})
    assert User.objects.count() == 1


@pytest.mark.parametrize(("first", "second"), [("kit", "kít"), ("ǆ", "dz"), ("ı", "i")])
def test_names_that_differ_in_more_than_case_are_two(anonymous, first, second):
    assert register(anonymous, first).status_code == 201
    assert register(anonymous, second).status_code == 201


def test_each_user_has_the_key_of_their_name_and_a_rename_moves_it(as_alice, alice):
    key = Username.objects.get(user=alice).key
    body = {"current_password": PASSWORD, "new_username": "ALICE"}
    assert as_alice.post("users/set_username/", body).status_code == 204
    assert Username.objects.get(user=alice).key == key  # the same name in another case
    body = {"current_password": PASSWORD, "new_username": "Alicia"}
    assert as_alice.post("users/set_username/", body).status_code == 204
    assert Username.objects.get(user=alice).key != key
    assert Username.objects.count() == 1


def test_a_deleted_users_name_is_free_again(as_alice, alice, anonymous):
    alice.delete()
    assert not Username.objects.exists()
    assert register(anonymous, "Alice").status_code == 201


def test_a_save_of_other_fields_writes_no_name(alice, django_assert_num_queries):
    with django_assert_num_queries(1):
        alice.save(update_fields=["last_login"])


@pytest.mark.django_db(transaction=True)
def test_a_script_creating_a_taken_name_through_the_orm_is_refused_and_leaves_no_user():
    User.objects.create_user("Dup", password=PASSWORD)
    with pytest.raises(IntegrityError):
        User.objects.create_user("DUP", password=PASSWORD)  # outside any transaction
    assert list(User.objects.values_list("username", flat=True)) == ["Dup"]
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("dup", password=PASSWORD)
    assert list(User.objects.values_list("username", flat=True)) == ["Dup"]


def test_a_rename_through_the_orm_to_a_taken_name_is_refused(alice, make_user):
    bob = make_user("bob")
    bob.username = "ALICE"
    with pytest.raises(IntegrityError), transaction.atomic():
        bob.save()
    assert User.objects.get(pk=bob.pk).username == "bob"


def test_the_admin_cannot_rename_a_user_to_a_taken_name(client, alice, make_user):
    """The admin's own form checks no case on a rename: the constraint refuses it (Django's
    500 page, in the admin's transaction: nothing is written)."""
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    client.raise_request_exception = False
    bob = make_user("bob")
    form = {
        "password": bob.password,
        "is_active": "on",
        **{
            f"{prefix}date_joined_{part}": value
            for prefix in ("", "initial-")
            for part, value in enumerate(("2020-01-01", "00:00:00"))
        },
    }
    for username, status, kept in (("ALICE", 500, "bob"), ("Bobby", 302, "Bobby")):
        response = client.post(f"/admin/auth/user/{bob.pk}/change/", {**form, "username": username})
        assert (response.status_code, User.objects.get(pk=bob.pk).username) == (status, kept)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a row another transaction writes that only its writer's rivals wait for",
)
@pytest.mark.parametrize("action", ["register", "set_username", "reset_username_confirm"])
def test_a_name_taken_in_another_case_by_a_transaction_not_yet_committed_is_400(anonymous, action):
    """The check before the write does not see the other transaction's row; the constraint
    makes the write wait for it, then fail."""
    make = User.objects.create_user
    carol = make("carol", email="carol@example.com", password=PASSWORD)
    with committed_meanwhile(lambda: make("Dup", password=PASSWORD)):
        if action == "register":
            response, field = register(anonymous, "dUP"), "username"
        elif action == "set_username":
            body = {"current_password": PASSWORD, "new_username": "DUP"}
            response = anonymous.log_in("carol").post("users/set_username/", body)
            field = "new_username"
        else:
            anonymous.post("users/reset_username/", {"email": carol.email})
            link = link_in_mail(mail.outbox[-1])
            body = {**link, "new_username": "dup"}
            response, field = anonymous.post("users/reset_username_confirm/", body), "new_username"
    assert (response.status_code, response.json()) == (400, {field: [TAKEN]})
    assert sorted(User.objects.values_list("username", flat=True)) == ["Dup", "carol"]


@pytest.mark.django_db(transaction=True)
def test_users_sharing_a_name_in_any_case_before_the_migration_keep_it_and_are_reported(
    caplog,
):
    call_command("migrate", "catgram", "0008", verbosity=0)
    try:
        # Written as before the migration: no name rows (bulk_create sends no signal).
        User.objects.bulk_create(
            [User(username=name, password="") for name in ("kit", "Kit", "KİT", "tom", "TOM")]
        )
        with caplog.at_level(logging.WARNING, logger="django_catgram.usernames"):
            call_command("migrate", "catgram", verbosity=0)
    finally:
        call_command("migrate", "catgram", verbosity=0)
    pks = dict(User.objects.values_list("username", "pk"))
    assert [record.getMessage().split(":")[0] for record in caplog.records] == [
        f"Users {pks['kit']} and {pks['Kit']} have the same username in any case",
        f"Users {pks['tom']} and {pks['TOM']} have the same username in any case",
    ]
    holders = set(Username.objects.values_list("user__username", flat=True))
    assert holders == {"kit", "KİT", "tom"}  # K + dotted capital I folds to k, i, a dot
    assert User.objects.count() == 5


def test_the_demo_users_seeded_in_bulk_hold_their_names(anonymous):
    call_command("catgram_seed", "--users", "3", "--cats", "0", stdout=StringIO())
    assert Username.objects.count() == 3
    response = register(anonymous, "USER1")
    assert (response.status_code, response.json()) == (400, {"username": [TAKEN]})
