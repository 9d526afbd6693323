"""The message catalogues of ``ferrojwt/locale``: complete, compiled, and served by Django.

The msgids are read from the package's own source (every ``_("...")`` call), so a
message added to the code without a translation fails here. The catalogues are
located through the imported package, so under `make wheel` this checks the
installed wheel's files. The request tests go through Django's LocaleMiddleware
with ``ferrojwt`` in INSTALLED_APPS, which is how a project turns them on (as
with ``rest_framework_simplejwt``).
"""

from __future__ import annotations

import ast
import gettext
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ferrojwt
import polib
import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import translation
from ferrojwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from ferrojwt.tokens import AccessToken
from freezegun import freeze_time
from rest_framework.test import APIClient

PACKAGE = Path(ferrojwt.__file__).resolve().parent
LOCALE = PACKAGE / "locale"

# The catalogue directories of simplejwt's main branch; ours has each of them.
LANGUAGES = (
    "ar cs de el es es_AR es_CL fa fa_IR fr he_IL id_ID it_IT kk ko_KR nl_NL pl_PL pt_BR "
    "ro ru_RU sl sv tr uk_UA zh_Hans"
).split()

GETTEXT_NAMES = {"_", "gettext", "gettext_lazy"}
PLACEHOLDER = re.compile(r"%\((\w+)\)s|\{\}")


def source_messages() -> dict[str, str]:
    """Every msgid of the package's source, with the first place it appears."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in GETTEXT_NAMES
            ):
                continue
            where = f"{path.relative_to(PACKAGE)}:{node.lineno}"
            [arg] = node.args
            # A computed msgid could not be extracted: the catalogues would miss it.
            assert isinstance(arg, ast.Constant) and isinstance(arg.value, str), where
            found.setdefault(arg.value, where)
    return found


SOURCE = source_messages()


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def placeholders(text: str) -> list[str]:
    """``%(name)s`` names (any order) and the count of positional ``{}``."""
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text))


def test_source_messages_are_found() -> None:
    # The extraction itself: it sees messages from several modules, multi-line ones too.
    assert SOURCE["Token is invalid"].startswith(("backends.py", "tokens.py"))
    assert SOURCE["Blacklisted token for %(user)s"].startswith("token_blacklist/models.py")
    removed = "The '{}' setting has been removed. Please refer to '{}' for available settings."
    assert SOURCE[removed].startswith("settings.py")
    assert len(SOURCE) >= 33


def test_every_language_is_shipped() -> None:
    shipped = {p.parent.parent.name for p in LOCALE.glob("*/LC_MESSAGES/django.po")}
    assert set(LANGUAGES) <= shipped
    compiled = {p.parent.parent.name for p in LOCALE.glob("*/LC_MESSAGES/django.mo")}
    assert compiled == shipped


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_translates_every_message(language: str) -> None:
    po = catalogue(language)
    entries = {e.msgid: e for e in po if not e.obsolete}
    assert set(entries) == set(SOURCE), {
        "missing": sorted(set(SOURCE) - set(entries)),
        "not in the source": sorted(set(entries) - set(SOURCE)),
    }
    for msgid, entry in entries.items():
        assert entry.msgstr.strip(), (language, msgid)
        assert "fuzzy" not in entry.flags, (language, msgid)
        assert placeholders(entry.msgstr) == placeholders(msgid), (language, msgid, entry.msgstr)
        if msgid not in {"jti"}:  # a claim name, the same in every language
            assert entry.msgstr != msgid, (language, msgid)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_header(language: str) -> None:
    po = catalogue(language)
    assert po.metadata["Language"] == language
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    match = re.fullmatch(r"nplurals=(\d+); plural=(.+);", po.metadata["Plural-Forms"])
    assert match, po.metadata["Plural-Forms"]
    nplurals, plural = int(match.group(1)), gettext.c2py(match.group(2))
    assert {plural(n) for n in range(1000)} <= set(range(nplurals))


@pytest.mark.parametrize("language", LANGUAGES)
def test_mo_file_is_compiled_from_the_po_file(language: str) -> None:
    # Read with the standard library's reader, the same one Django uses.
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as mo_file:
        mo = gettext.GNUTranslations(mo_file)
    po = catalogue(language)
    compiled = {k: v for k, v in mo._catalog.items() if k != ""}  # type: ignore[attr-defined]
    assert compiled == {e.msgid: e.msgstr for e in po if not e.obsolete}
    assert mo.info()["plural-forms"] == po.metadata["Plural-Forms"]
    assert mo.info()["language"] == language


# -- served by Django ----------------------------------------------------------------------


def with_locale_middleware() -> list[str]:
    middleware = list(settings.MIDDLEWARE)
    sessions = middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
    middleware.insert(sessions + 1, "django.middleware.locale.LocaleMiddleware")
    return middleware


@pytest.fixture(autouse=True)
def _back_to_the_default_language() -> Iterator[None]:
    # LocaleMiddleware activates the request's language for the thread and leaves it.
    yield
    translation.deactivate()


localized = override_settings(
    INSTALLED_APPS=[*settings.INSTALLED_APPS, "ferrojwt"],
    MIDDLEWARE=with_locale_middleware(),
)


def verify(accept_language: str, token: str = "garbage") -> Any:
    response = APIClient().post(
        "/api/token/verify/",
        {"token": token},
        format="json",
        HTTP_ACCEPT_LANGUAGE=accept_language,
    )
    assert response.status_code == 401, response.content
    return response


@localized
@pytest.mark.parametrize(
    ("accept_language", "content_language", "detail"),
    [
        ("de", "de", "Token ist ungültig"),
        ("fr-FR,fr;q=0.9,en;q=0.5", "fr", "Le jeton n’est pas valide"),  # noqa: RUF001
        ("zh-hans", "zh-hans", "令牌无效"),
        ("ar", "ar", "الرمز المميز غير صالح"),
        ("pt-br", "pt-br", "O token é inválido"),
        ("es-ar", "es-ar", "El token es inválido"),
        ("es", "es", "El token no es válido"),
        # Plain language codes reach the region-named catalogues (he_IL, it_IT, ...).
        ("he", "he", "האסימון אינו תקף"),
        ("it", "it", "Il token non è valido"),
        ("ru", "ru", "Токен недействителен"),
        ("ko", "ko", "유효하지 않은 토큰입니다"),
    ],
)
def test_verify_answers_in_the_requested_language(
    accept_language: str, content_language: str, detail: str
) -> None:
    response = verify(accept_language)
    assert response["Content-Language"] == content_language
    # The detail is translated; the machine-readable code is not.
    assert response.json() == {"detail": detail, "code": "token_not_valid"}


@localized
def test_expired_token_in_german() -> None:
    with freeze_time("2020-01-01"):
        old = str(AccessToken())
    assert verify("de", old).json() == {"detail": "Token ist abgelaufen", "code": "token_not_valid"}


@localized
def test_language_without_a_catalogue_gets_english() -> None:
    # Django itself speaks Japanese; ferrojwt has no catalogue for it.
    response = verify("ja")
    assert response["Content-Language"] == "ja"
    assert response.json() == {"detail": "Token is invalid", "code": "token_not_valid"}


@override_settings(MIDDLEWARE=with_locale_middleware())
def test_without_the_ferrojwt_app_messages_stay_english() -> None:
    # Django looks for app catalogues only in installed apps: "ferrojwt" turns them on.
    response = verify("de")
    assert response["Content-Language"] == "de"
    assert response.json() == {"detail": "Token is invalid", "code": "token_not_valid"}


@localized
def test_authentication_failure_in_spanish() -> None:
    response = APIClient().get(
        "/api/whoami/", HTTP_AUTHORIZATION="Bearer garbage", HTTP_ACCEPT_LANGUAGE="es"
    )
    assert response.status_code == 401
    body = response.json()
    assert body["detail"] == "El token proporcionado no es válido para ningún tipo de token"
    assert body["code"] == "token_not_valid"
    assert {m["message"] for m in body["messages"]} == {"El token no es válido"}


@localized
@pytest.mark.django_db
def test_login_failure_in_polish() -> None:
    response = APIClient().post(
        "/api/token/",
        {"username": "nobody", "password": "wrong"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="pl",
    )
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Nie znaleziono aktywnego konta dla podanych danych uwierzytelniających"
    }


@localized
def test_blacklist_admin_names_are_translated() -> None:
    with translation.override("de"):
        assert str(OutstandingToken._meta.verbose_name) == "Ausgestelltes Token"
        assert str(BlacklistedToken._meta.verbose_name_plural) == "Gesperrte Tokens"
    with translation.override("uk"):
        assert str(OutstandingToken._meta.verbose_name_plural) == "Видані токени"
