"""The cats list: filters, ordering and page-number pagination in DRF's shape."""

from urllib.parse import parse_qs, urlsplit

import pytest

from django_catgram.models import Achievement, Cat

pytestmark = pytest.mark.django_db

INVALID_PAGE = {"detail": "Invalid page."}


@pytest.fixture
def cats(alice, bob):
    """Five cats of two owners; names chosen so that each ordering differs."""
    mice, purrs = (Achievement.objects.create(name=name) for name in ("Catches mice", "Purrs"))
    rows = [
        ("Barsik", "darkgray", 2018, alice, [mice]),
        ("Murzik", "white", 2020, alice, [purrs]),
        ("Asya", "black", 2015, bob, [mice, purrs]),
        ("Barsik", "white", 2022, bob, []),
        ("Ryzhik", "orange", 2019, bob, [mice]),
    ]
    made = {}
    for number, (name, color, year, owner, achievements) in enumerate(rows):
        cat = Cat.objects.create(name=name, color=color, birth_year=year, owner=owner)
        cat.achievements.set(achievements)
        made[f"{name}{number}"] = cat
    return made


def ids(cats, *keys):
    return [cats[key].pk for key in keys]


def listed(client, query=""):
    response = client.get("cats/", query)
    assert response.status_code == 200, response.json()
    return [cat["id"] for cat in response.json()["results"]]


def test_the_list_is_ordered_by_name_then_id(as_alice, cats):
    assert listed(as_alice) == ids(cats, "Asya2", "Barsik0", "Barsik3", "Murzik1", "Ryzhik4")


FILTERS = [
    ("owner={alice}", ["Barsik0", "Murzik1"]),
    ("owner={bob}", ["Asya2", "Barsik3", "Ryzhik4"]),
    ("owner=me", ["Barsik0", "Murzik1"]),
    ("owner=999999", []),
    ("color=white", ["Barsik3", "Murzik1"]),
    ("color=White", ["Barsik3", "Murzik1"]),
    ("color=%23FFFFFF", ["Barsik3", "Murzik1"]),
    ("color=%23fff", ["Barsik3", "Murzik1"]),
    ("color=%23A9A9A9", ["Barsik0"]),
    ("color=red", []),
    ("birth_year=2020", ["Murzik1"]),
    ("birth_year=1999", []),
    ("birth_year=99999999999999999999", []),
    ("birth_year_min=-99999999999999999999", ["Asya2", "Barsik0", "Barsik3", "Murzik1", "Ryzhik4"]),
    ("birth_year_min=2019", ["Barsik3", "Murzik1", "Ryzhik4"]),
    ("birth_year_max=2018", ["Asya2", "Barsik0"]),
    ("birth_year_min=2018&birth_year_max=2020", ["Barsik0", "Murzik1", "Ryzhik4"]),
    ("achievement=Purrs", ["Asya2", "Murzik1"]),
    ("achievement=Catches%20mice", ["Asya2", "Barsik0", "Ryzhik4"]),
    ("achievement=Sleeps", []),
    ("search=bar", ["Barsik0", "Barsik3"]),
    ("search=BARS", ["Barsik0", "Barsik3"]),
    ("search=zhi", ["Ryzhik4"]),
    ("search=rz", ["Murzik1"]),
    ("search=tom", []),
    ("search=bars&ordering=-name", ["Barsik3", "Barsik0"]),
    ("search=ik&ordering=-name", ["Ryzhik4", "Murzik1", "Barsik3", "Barsik0"]),
    ("search=sik&ordering=id", ["Barsik0", "Barsik3"]),
    ("owner=me&color=white", ["Murzik1"]),
    ("owner={bob}&achievement=Catches%20mice&birth_year_min=2016", ["Ryzhik4"]),
    ("search=ik&birth_year_max=2019", ["Barsik0", "Ryzhik4"]),
    ("owner=", ["Asya2", "Barsik0", "Barsik3", "Murzik1", "Ryzhik4"]),
    ("search=", ["Asya2", "Barsik0", "Barsik3", "Murzik1", "Ryzhik4"]),
]


@pytest.mark.parametrize(("query", "expected"), FILTERS, ids=[query for query, _ in FILTERS])
def test_each_filter_narrows_the_list(as_alice, alice, bob, cats, query, expected):
    query = query.format(alice=alice.pk, bob=bob.pk)

    response = as_alice.get("cats/", query)

    assert response.status_code == 200
    assert [cat["id"] for cat in response.json()["results"]] == ids(cats, *expected)
    assert response.json()["count"] == len(expected)


def test_owner_me_is_the_callers_own_cats(as_bob, cats):
    assert listed(as_bob, "owner=me") == ids(cats, "Asya2", "Barsik3", "Ryzhik4")


ORDERINGS = [
    ("name", ["Asya2", "Barsik0", "Barsik3", "Murzik1", "Ryzhik4"]),
    ("-name", ["Ryzhik4", "Murzik1", "Barsik3", "Barsik0", "Asya2"]),
    ("birth_year", ["Asya2", "Barsik0", "Ryzhik4", "Murzik1", "Barsik3"]),
    ("-birth_year", ["Barsik3", "Murzik1", "Ryzhik4", "Barsik0", "Asya2"]),
    ("id", ["Barsik0", "Murzik1", "Asya2", "Barsik3", "Ryzhik4"]),
    ("-id", ["Ryzhik4", "Barsik3", "Asya2", "Murzik1", "Barsik0"]),
]


@pytest.mark.parametrize(("ordering", "expected"), ORDERINGS, ids=[o for o, _ in ORDERINGS])
def test_ordering_sorts_by_name_birth_year_or_id_either_way(as_alice, cats, ordering, expected):
    assert listed(as_alice, f"ordering={ordering}") == ids(cats, *expected)


def test_ordering_combines_with_filters(as_alice, cats):
    assert listed(as_alice, "ordering=-birth_year&color=white") == ids(cats, "Barsik3", "Murzik1")


INVALID = [
    ("owner=alice", "owner"),
    ("owner=1.5", "owner"),
    ("owner=-1", "owner"),
    ("owner=99999999999999999999", "owner"),  # past the column (tests/test_ids.py)
    ("color=%23123456", "color"),
    ("color=notacolor", "color"),
    ("birth_year=abc", "birth_year"),
    ("birth_year_min=soon", "birth_year_min"),
    ("birth_year_max=2020x", "birth_year_max"),
    ("ordering=color", "ordering"),
    ("ordering=owner", "ordering"),
    ("ordering=--name", "ordering"),
    ("ordering=name,id", "ordering"),
    ("search=Bar%00sik", "search"),
    ("achievement=Pu%00rrs", "achievement"),
]


@pytest.mark.parametrize(("query", "param"), INVALID, ids=[query for query, _ in INVALID])
def test_an_invalid_filter_value_is_400_on_its_parameter(as_alice, cats, query, param):
    response = as_alice.get("cats/", query)

    assert response.status_code == 400
    assert list(response.json()) == [param]
    assert all(isinstance(message, str) and message for message in response.json()[param])


def test_several_invalid_filters_are_all_reported(as_alice, cats):
    response = as_alice.get("cats/", "owner=x&birth_year=y&ordering=z&page=2")

    assert response.status_code == 400
    assert set(response.json()) == {"owner", "birth_year", "ordering"}


# Pagination


def make_cats(owner, count, **fields):
    Cat.objects.bulk_create(
        Cat(owner=owner, name=f"Cat {n:02}", color="white", birth_year=2000 + n % 20, **fields)
        for n in range(count)
    )


def names(response):
    return [cat["name"] for cat in response.json()["results"]]


def test_an_empty_list_is_one_empty_page(as_alice):
    response = as_alice.get("cats/")

    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_pages_hold_ten_cats_with_absolute_next_and_previous_links(as_alice, alice):
    make_cats(alice, 25)

    first = as_alice.get("cats/")
    second = as_alice.get("cats/", "page=2")
    third = as_alice.get("cats/", "page=3")

    assert first.json()["count"] == second.json()["count"] == third.json()["count"] == 25
    assert names(first) == [f"Cat {n:02}" for n in range(10)]
    assert names(second) == [f"Cat {n:02}" for n in range(10, 20)]
    assert names(third) == [f"Cat {n:02}" for n in range(20, 25)]
    assert first.json()["previous"] is None
    assert first.json()["next"] == "http://testserver/api/cats/?page=2"
    assert second.json()["previous"] == "http://testserver/api/cats/"
    assert second.json()["next"] == "http://testserver/api/cats/?page=3"
    assert third.json()["previous"] == "http://testserver/api/cats/?page=2"
    assert third.json()["next"] is None


def test_page_one_is_the_default_page(as_alice, alice):
    make_cats(alice, 12)

    assert as_alice.get("cats/", "page=1").json() == as_alice.get("cats/").json()


def test_following_next_links_visits_every_cat_once(as_alice, alice):
    make_cats(alice, 23)
    seen, url = [], "http://testserver/api/cats/?ordering=-birth_year"
    while url:
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc, parts.path) == ("http", "testserver", "/api/cats/")
        page = as_alice.get("cats/", parts.query)
        seen += [cat["id"] for cat in page.json()["results"]]
        url = page.json()["next"]

    assert len(seen) == len(set(seen)) == 23


def test_the_links_keep_the_other_query_parameters(as_alice, alice, bob):
    make_cats(alice, 35)
    make_cats(bob, 5)

    response = as_alice.get("cats/", "owner=me&search=cat&ordering=-id&page=2")

    assert response.status_code == 200
    assert response.json()["count"] == 35
    next_query = parse_qs(urlsplit(response.json()["next"]).query)
    previous_query = parse_qs(urlsplit(response.json()["previous"]).query)
    assert next_query == {
        "owner": ["me"],
        "search": ["cat"],
        "ordering": ["-id"],
        "page": ["3"],
    }
    assert previous_query == {"owner": ["me"], "search": ["cat"], "ordering": ["-id"]}
    assert response.json()["next"].startswith("http://testserver/api/cats/?")
    # Following the link gives the next page of the same filtered list.
    following = as_alice.get("cats/", urlsplit(response.json()["next"]).query)
    assert following.json()["previous"] == response.json()["next"].replace("page=3", "page=2")
    assert len(following.json()["results"]) == 10


def test_a_page_combines_with_filters(as_alice, alice, bob):
    make_cats(alice, 15)
    make_cats(bob, 15)

    response = as_alice.get("cats/", "owner=me&page=2")

    assert response.json()["count"] == 15
    assert names(response) == [f"Cat {n:02}" for n in range(10, 15)]
    assert response.json()["next"] is None


@pytest.mark.parametrize(("page_size", "pages"), [(3, [3, 3, 1]), (5, [5, 2]), (7, [7])])
def test_the_page_size_is_a_setting(as_alice, alice, settings, page_size, pages):
    settings.CATGRAM = {"PAGE_SIZE": page_size}
    make_cats(alice, 7)

    for number, length in enumerate(pages, start=1):
        response = as_alice.get("cats/", f"page={number}")
        assert response.status_code == 200
        assert len(response.json()["results"]) == length
        assert response.json()["count"] == 7
        assert (response.json()["next"] is None) == (number == len(pages))
    assert as_alice.get("cats/", f"page={len(pages) + 1}").json() == INVALID_PAGE


@pytest.mark.parametrize(
    "page", ["3", "0", "-1", "abc", "1.5", "99999999999999999999", "2&page=abc"]
)
def test_a_page_past_the_end_zero_or_not_a_number_is_404_invalid_page(as_alice, alice, page):
    make_cats(alice, 15)

    response = as_alice.get("cats/", f"page={page}")

    assert response.status_code == 404
    assert response.json() == INVALID_PAGE


def test_page_two_of_an_empty_list_is_404(as_alice):
    response = as_alice.get("cats/", "page=2")

    assert response.status_code == 404
    assert response.json() == INVALID_PAGE


def test_a_page_past_the_end_of_a_filtered_list_is_404(as_alice, alice):
    make_cats(alice, 15)

    response = as_alice.get("cats/", "owner=me&search=Cat 0&page=2")

    assert response.status_code == 404
    assert response.json() == INVALID_PAGE
