import pytest
from django.contrib.auth import get_user_model

from django_catgram.models import Achievement, Cat, LoginSession
from tests.conftest import Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = get_user_model().objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(admin)
    return client


@pytest.fixture
def cat():
    owner = get_user_model().objects.create_user("owner")
    cat = Cat.objects.create(name="Barsik", color="darkgray", birth_year=2020, owner=owner)
    cat.achievements.create(name="Catches mice")
    return cat


def test_the_cat_list_searches_by_name(admin_client, cat):
    Cat.objects.create(name="Murka", color="white", birth_year=2019, owner=cat.owner)
    response = admin_client.get("/admin/catgram/cat/", {"q": "bars"})
    assert response.status_code == 200
    assert [c.name for c in response.context["cl"].result_list] == ["Barsik"]


def test_the_cat_list_filters_by_achievement(admin_client, cat):
    Cat.objects.create(name="Murka", color="white", birth_year=2019, owner=cat.owner)
    achievement = Achievement.objects.get()
    response = admin_client.get("/admin/catgram/cat/", {"achievements__id__exact": achievement.pk})
    assert [c.name for c in response.context["cl"].result_list] == ["Barsik"]


def test_a_cat_is_added_with_an_achievement_inline(admin_client, cat):
    achievement = Achievement.objects.get()
    response = admin_client.post(
        "/admin/catgram/cat/add/",
        {
            "name": "Murka",
            "color": "white",
            "birth_year": "2019",
            "owner": cat.owner.pk,
            "achievementcat_set-TOTAL_FORMS": "1",
            "achievementcat_set-INITIAL_FORMS": "0",
            "achievementcat_set-0-achievement": achievement.pk,
        },
    )
    assert response.status_code == 302, response.context["errors"]
    murka = Cat.objects.get(name="Murka")
    assert list(murka.achievements.all()) == [achievement]


def test_the_cat_change_page_shows_its_achievements(admin_client, cat):
    response = admin_client.get(f"/admin/catgram/cat/{cat.pk}/change/")
    assert response.status_code == 200
    assert "Catches mice" in response.text


def test_achievements_are_searchable(admin_client, cat):
    response = admin_client.get("/admin/catgram/achievement/", {"q": "mice"})
    assert [a.name for a in response.context["cl"].result_list] == ["Catches mice"]


def test_staff_end_a_users_session_in_the_admin(admin_client, anonymous, alice):
    token = anonymous.log_in("alice").token
    session = LoginSession.objects.get(user=alice)
    listed = admin_client.get("/admin/catgram/loginsession/", {"q": "alice"})
    assert listed.status_code == 200 and "alice" in listed.content.decode()
    assert admin_client.get("/admin/catgram/loginsession/add/").status_code == 403
    deleted = admin_client.post(
        f"/admin/catgram/loginsession/{session.pk}/delete/", {"post": "yes"}
    )
    assert deleted.status_code == 302
    assert Api(anonymous.client, token).get("users/me/").status_code == 401
