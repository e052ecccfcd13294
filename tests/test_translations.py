"""Russian as the front end speaks it: every text the API writes, in the request's language."""

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.test import override_settings

import django_catgram
from tests.conftest import PASSWORD, cat_body, create_cat

PACKAGE = Path(django_catgram.__file__).parent
CATALOG = PACKAGE / "locale" / "ru" / "LC_MESSAGES"


def catalog(mo_file):
    with Path(mo_file).open("rb") as file:
        return {key: value for key, value in gettext.GNUTranslations(file)._catalog.items() if key}


def test_every_message_of_the_package_has_its_russian(tmp_path):
    """makemessages over a copy of the package finds no text that the Russian lacks."""
    copy = shutil.copytree(PACKAGE, tmp_path / "django_catgram")
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "ru", "--no-location"],
        cwd=copy,
        env={key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"},
        check=True,
        capture_output=True,
    )
    po = copy / "locale" / "ru" / "LC_MESSAGES" / "django.po"
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", compiled, po], check=True)
    found = catalog(compiled)  # msgfmt leaves out the untranslated and the fuzzy
    text = po.read_text()
    assert text.count("\nmsgid ") - 1 == len(found), "a message has no Russian (or a fuzzy one)"
    assert "#, fuzzy" not in text


def test_the_shipped_catalog_is_compiled_from_the_po(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", compiled, CATALOG / "django.po"], check=True)
    assert catalog(compiled) == catalog(CATALOG / "django.mo")


RU = {"Accept-Language": "ru"}


def russian_errors(anonymous, as_alice, as_bob):
    """One request of each class of error, in Russian: the answers and what they must say."""
    cat = create_cat(as_alice)
    path = f"cats/{cat['id']}/"
    return [
        (
            anonymous.request("GET", "cats/", headers=RU),
            401,
            "Учетные данные не были предоставлены.",
        ),
        (
            anonymous.request("GET", "cats/", headers={**RU, "Authorization": "Bearer x.y.z"}),
            401,
            "Данный токен недействителен для любого типа токена",
        ),
        (as_bob.request("PATCH", path, {"name": "X"}, headers=RU), 403, "У вас нет прав"),
        (as_alice.request("GET", "cats/999999/", headers=RU), 404, "Не найдено."),
        (as_alice.request("DELETE", "cats/", headers=RU), 405, 'Метод "DELETE" не разрешен.'),
        (
            as_alice.request("PATCH", path, {"name": "X"}, headers={**RU, "If-Match": '"old"'}),
            412,
            "Ресурс изменился",
        ),
        (as_alice.request("POST", "cats/", {}, headers=RU), 400, "Это поле обязательно."),
        (
            as_alice.request("POST", "cats/", cat_body(color="nocolour"), headers=RU),
            400,
            "нет названия цвета",
        ),
        (
            as_alice.request("POST", "cats/", cat_body(birth_year="soon"), headers=RU),
            400,
            "Требуется целочисленное значение.",
        ),
        (
            as_alice.request("POST", "cats/", cat_body(image="not a photo"), headers=RU),
            400,
            "Отправьте фото как data URL",
        ),
        (
            anonymous.request(
                "POST", "auth/token", {"username": "alice", "password": "no"}, headers=RU
            ),
            401,
            "Не найдено активной учетной записи",
        ),
    ]


def test_every_class_of_error_answers_in_russian_for_accept_language_ru(
    anonymous, as_alice, as_bob
):
    for response, status, russian in russian_errors(anonymous, as_alice, as_bob):
        assert response.status_code == status, response.content
        assert russian in str(response.json()), (status, response.json())
        assert response["Content-Language"] == "ru"


def test_a_body_that_is_not_json_is_a_russian_parse_error(as_alice):
    response = as_alice.client.post(
        "/api/cats/",
        "{",
        content_type="application/json",
        headers={**RU, "Authorization": f"Bearer {as_alice.token}"},
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Ошибка разбора JSON - ")


def test_english_stays_the_default(as_alice):
    response = as_alice.get("cats/999999/")
    assert response.json() == {"detail": "Not found."}


def test_the_sites_language_code_answers_a_request_that_names_none(as_alice):
    with override_settings(LANGUAGE_CODE="ru"):
        response = as_alice.get("cats/999999/")
    assert response.json() == {"detail": "Не найдено."}


def test_the_keys_and_shapes_stay_as_in_english(as_alice):
    english = as_alice.post("cats/", {})
    russian = as_alice.request("POST", "cats/", {}, headers=RU)
    assert english.status_code == russian.status_code == 400
    assert set(english.json()) == set(russian.json())


def test_a_mail_goes_out_in_the_language_of_the_request(anonymous, alice):
    response = anonymous.request(
        "POST", "users/reset_password/", {"email": "alice@example.com"}, headers=RU
    )
    assert response.status_code == 204
    (message,) = mail.outbox
    assert message.subject.startswith("Сброс пароля на ")
    assert "Здравствуйте, alice!" in message.body
    assert "пароль останется прежним" in message.body


def test_a_notice_goes_out_in_the_language_of_the_request(
    as_alice, alice, django_capture_on_commit_callbacks
):
    body = {"current_password": PASSWORD, "new_password": "another-Pa55word"}
    with django_capture_on_commit_callbacks(execute=True):
        response = as_alice.request("POST", "users/set_password/", body, headers=RU)
    assert response.status_code == 204
    (message,) = mail.outbox
    assert message.subject == "Ваш пароль на testserver изменен"
    assert "немедленно сбросьте пароль" in message.body


@pytest.mark.parametrize("path", ["cats/", "cats/1/"])
def test_options_describes_a_path_in_russian_too(anonymous, path):
    response = anonymous.request("OPTIONS", path, headers=RU)
    assert response.status_code == 200
    assert response["Content-Language"] == "ru"


def test_a_rate_limit_answers_in_russian(anonymous, db):
    with override_settings(CATGRAM={"THROTTLE_RATES": {"registration": "1/hour"}}):
        for name in ("carol", "dave"):
            body = {"username": name, "password": "Purr-Purr-2020!"}
            response = anonymous.request("POST", "users/", body, headers=RU)
    assert response.status_code == 429
    assert response.json() == {"detail": "Слишком много запросов."}
    assert int(response["Retry-After"]) > 0


def summaries(document):
    return {
        operation["operationId"]: operation["summary"]
        for path in document["paths"].values()
        for operation in path.values()
    }


def test_the_docs_speak_the_language_of_the_request(anonymous):
    english = anonymous.request("GET", "openapi.json").json()
    russian = anonymous.request("GET", "openapi.json", headers=RU).json()
    in_english, in_russian = summaries(english), summaries(russian)
    assert in_english.keys() == in_russian.keys()
    untranslated = {key for key in in_english if in_english[key] == in_russian[key]}
    assert not untranslated, "summaries that stay English in Russian"
    assert in_russian["list_cats"] == ("Котики постранично, с фильтрами из параметров запроса")
    assert in_english["list_cats"] == ("Cats, a page at a time, filtered by the query parameters")
    assert russian["info"]["description"].startswith("Владельцы регистрируются")
    cat = russian["components"]["schemas"]["CatOut"]["properties"]
    assert cat["owner"]["description"] == "Идентификатор пользователя-владельца."
    assert cat["color"]["description"] == "Название цвета в CSS, например darkgray."  # help_text
    parameters = russian["paths"]["/api/cats/"]["get"]["parameters"]
    search = next(parameter for parameter in parameters if parameter["name"] == "search")
    assert search["description"] == "Имя содержит (без учета регистра)."
    if_match = russian["paths"]["/api/cats/{cat_id}/"]["patch"]["parameters"][-1]
    assert if_match["name"] == "If-Match"
    assert if_match["description"].startswith("ETag версии, на которой основано изменение")


def test_options_describes_a_path_in_the_language_of_the_request(anonymous):
    answer = anonymous.request("OPTIONS", "cats/", headers=RU)
    assert answer.json()["description"] == "Котики постранично, с фильтрами из параметров запроса"
    english = anonymous.request("OPTIONS", "cats/").json()
    assert english["description"] == "Cats, a page at a time, filtered by the query parameters"
