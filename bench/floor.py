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
from django.utils.crypto import salted_hmac

PAGE_SIZE = 10
CAT_COLUMNS = "id, name, color, birth_year, owner_id, image, thumbnail"
# AbstractBaseUser.get_session_auth_hash's, which the token's password stamp is made of.
SESSION_HASH_SALT = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
UNAUTHENTICATED = {"detail": "Authentication credentials were not provided."}


def respond(body: object, status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(body), status=status, content_type="application/json")


def authenticated(request: HttpRequest) -> tuple[int, str, str] | None:
    """The id, username and e-mail of the token's user: its signature, expiry and type, then in
    one query its active user and live login session, and its password stamp, as
    ``tokens.user_for_token`` checks them."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme not in ("Bearer", "Token"):
        return None
    try:
        claims = jwt.decode(token, settings.SECRET_KEY, algorithms=["HS256"])
    except jwt.PyJWTError:
        return None
    if claims.get("token_type") != "access":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, username, email, password, is_active, EXISTS(SELECT 1 FROM "
            "catgram_loginsession WHERE id = %s AND user_id = auth_user.id) FROM auth_user "
            "WHERE id = %s",
            [claims.get("sid"), claims.get("user_id")],
        )
        row = cursor.fetchone()
    if row is None or not (row[4] and row[5]):
        return None
    stamp = salted_hmac(SESSION_HASH_SALT, row[3], algorithm="sha256").hexdigest()[:16]
    return row[:3] if claims.get("pwd") == stamp else None


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
    for cat_id, name, color, birth_year, owner_id, image, thumbnail in rows:
        image_url = default_storage.url(image) if image else None
        thumbnail_url = default_storage.url(thumbnail) if thumbnail else None
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
                "thumbnail": request.build_absolute_uri(thumbnail_url) if thumbnail_url else None,
                "thumbnail_url": thumbnail_url,
            }
        )
    return cats


def cat_list(request: HttpRequest) -> HttpResponse:
    if not authenticated(request):
        return respond(UNAUTHENTICATED, 401)
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
        return respond(UNAUTHENTICATED, 401)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.id, c.name, c.color, c.birth_year, c.owner_id, c.image, c.thumbnail, a.id, "
            "a.name "
            "FROM catgram_cat c LEFT JOIN catgram_achievementcat link ON link.cat_id = c.id "
            "LEFT JOIN catgram_achievement a ON a.id = link.achievement_id "
            "WHERE c.id = %s ORDER BY a.name",
            [cat_id],
        )
        rows = cursor.fetchall()
    if not rows:
        return respond({"detail": "Not found."}, 404)
    [cat] = cat_objects(request, [rows[0][:7]], {})
    cat["achievements"] = [
        {"id": row[7], "achievement_name": row[8]} for row in rows if row[7] is not None
    ]
    return respond(cat)


def achievement_list(request: HttpRequest) -> HttpResponse:
    if not authenticated(request):
        return respond(UNAUTHENTICATED, 401)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, name FROM catgram_achievement ORDER BY name")
        rows = cursor.fetchall()
    return respond([{"id": pk, "achievement_name": name} for pk, name in rows])


def users_me(request: HttpRequest) -> HttpResponse:
    user = authenticated(request)
    if user is None:
        return respond(UNAUTHENTICATED, 401)
    user_id, username, email = user
    return respond({"email": email or "", "id": user_id, "username": username})
