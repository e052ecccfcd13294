"""The floor: the cats API's read endpoints as bare Django views, with the fewest queries.

No framework beyond Django itself: raw SQL, ``json.dumps``, the JWT checked with PyJWT. Each
view does what the API must (check the token and its user, count, fetch a page, fetch the
page's achievements) and nothing else. Nothing built on Django can beat it by much.
"""

from __future__ import annotations

import json
from datetime import date

import jwt
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, HttpResponse

PAGE_SIZE = 10
CAT_COLUMNS = "id, name, color, birth_year, owner_id, image"


def respond(body: object, status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(body), status=status, content_type="application/json")


def authenticated(request: HttpRequest) -> bool:
    """The token's signature, expiry and type, then its user and revocation in one query."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme not in ("Bearer", "Token"):
        return False
    try:
        claims = jwt.decode(token, settings.SECRET_KEY, algorithms=["HS256"])
    except jwt.PyJWTError:
        return False
    if claims.get("token_type") != "access":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM auth_user WHERE id = %s AND is_active AND NOT EXISTS "
            "(SELECT 1 FROM catgram_revokedaccesstoken WHERE jti = %s)",
            [claims.get("user_id"), claims.get("jti")],
        )
        return cursor.fetchone() is not None


def achievements_of(cat_ids: list[int]) -> dict[int, list[dict[str, object]]]:
    found: dict[int, list[dict[str, object]]] = {cat_id: [] for cat_id in cat_ids}
    if not cat_ids:
        return found
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT link.cat_id, a.id, a.name FROM catgram_achievementcat link "
            "JOIN catgram_achievement a ON a.id = link.achievement_id "
            f"WHERE link.cat_id IN ({', '.join(['%s'] * len(cat_ids))}) ORDER BY a.name",
            cat_ids,
        )
        for cat_id, achievement_id, name in cursor.fetchall():
            found[cat_id].append({"id": achievement_id, "achievement_name": name})
    return found


def cat_objects(
    request: HttpRequest, rows: list[tuple], achievements: dict | None = None
) -> list[dict[str, object]]:
    """Cat objects; their achievements fetched in one query unless given."""
    if achievements is None:
        achievements = achievements_of([row[0] for row in rows])
    this_year = date.today().year
    cats = []
    for cat_id, name, color, birth_year, owner_id, image in rows:
        image_url = default_storage.url(image) if image else None
        cats.append(
            {
                "id": cat_id,
                "name": name,
                "color": color,
                "birth_year": birth_year,
                "achievements": achievements.get(cat_id, []),
                "owner": owner_id,
                "age": this_year - birth_year,
                "image": request.build_absolute_uri(image_url) if image_url else None,
                "image_url": image_url,
            }
        )
    return cats


def cat_list(request: HttpRequest) -> HttpResponse:
    if not authenticated(request):
        return respond({"detail": "Authentication credentials were not provided."}, 401)
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM catgram_cat")
        count = cursor.fetchone()[0]
        if page < 1 or (page - 1) * PAGE_SIZE >= max(count, 1):
            return respond({"detail": "Invalid page."}, 404)
        cursor.execute(
            f"SELECT {CAT_COLUMNS} FROM catgram_cat ORDER BY name, id LIMIT %s OFFSET %s",
            [PAGE_SIZE, (page - 1) * PAGE_SIZE],
        )
        rows = cursor.fetchall()
    base = request.build_absolute_uri(request.path)
    last = (count + PAGE_SIZE - 1) // PAGE_SIZE
    return respond(
        {
            "count": count,
            "next": f"{base}?page={page + 1}" if page < last else None,
            "previous": (base if page == 2 else f"{base}?page={page - 1}") if page > 1 else None,
            "results": cat_objects(request, rows),
        }
    )


def cat_detail(request: HttpRequest, cat_id: int) -> HttpResponse:
    if not authenticated(request):
        return respond({"detail": "Authentication credentials were not provided."}, 401)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.id, c.name, c.color, c.birth_year, c.owner_id, c.image, a.id, a.name "
            "FROM catgram_cat c LEFT JOIN catgram_achievementcat link ON link.cat_id = c.id "
            "LEFT JOIN catgram_achievement a ON a.id = link.achievement_id "
            "WHERE c.id = %s ORDER BY a.name",
            [cat_id],
        )
        rows = cursor.fetchall()
    if not rows:
        return respond({"detail": "Not found."}, 404)
    [cat] = cat_objects(request, [rows[0][:6]], {})
    cat["achievements"] = [
        {"id": row[6], "achievement_name": row[7]} for row in rows if row[6] is not None
    ]
    return respond(cat)


def achievement_list(request: HttpRequest) -> HttpResponse:
    if not authenticated(request):
        return respond({"detail": "Authentication credentials were not provided."}, 401)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, name FROM catgram_achievement ORDER BY name")
        rows = cursor.fetchall()
    return respond([{"id": pk, "achievement_name": name} for pk, name in rows])
