"""The documentation site (docs/pages) kept in step with the code.

* the Settings page documents every key of ``ferrojwt.settings.DEFAULTS`` and no other,
  each with a ``Default:`` line that evaluates to the value in the code;
* the removed settings are listed as removed, not documented as settings;
* the API page names every public name of ``ferrojwt.jwt``;
* every ``ferrojwt.…`` dotted path the pages mention can be imported or looked up;
* the Deployment page lists exactly the environment variables of the example project.

Notes titled "being added" describe work in progress and are left out of the last check.
"""

from __future__ import annotations

import importlib
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import ferrojwt.jwt
import pytest
from django.conf import settings as django_settings
from ferrojwt.settings import DEFAULTS, REMOVED_SETTINGS

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "docs" / "pages"

# `make wheel` runs the suite from a copy of tests/ and examples/ only (no source tree,
# so no docs either); in a checkout the pages must be there.
pytestmark = pytest.mark.skipif(
    not (ROOT / "python").is_dir(), reason="a copy of the tests without the source tree"
)

SETTING_HEADING = re.compile(r"^### `([A-Z_]+)`\s*$")
DEFAULT_LINE = re.compile(r"^Default: `(.+)`\s*$")
# A system check's id (``ferrojwt.W001``) is not a path: ferrojwt.checks defines each one.
DOTTED_PATH = re.compile(r"(?<![\w.])(ferrojwt(?!\.[CEWI]\d{3}\b)(?:\.[A-Za-z_][A-Za-z0-9_]*)+)")
CHECK_ID = re.compile(r"(?<![\w.])ferrojwt\.([CEWI]\d{3})\b")
IN_PROGRESS_NOTE = re.compile(r'^!!! \w+ ".*being added.*"', re.IGNORECASE)


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def documented_settings() -> dict[str, str]:
    """Setting name -> the text of its ``Default:`` line, in page order."""
    lines = page("settings.md").splitlines()
    found: dict[str, str] = {}
    for number, line in enumerate(lines):
        heading = SETTING_HEADING.match(line)
        if heading is None:
            continue
        name = heading.group(1)
        assert name not in found, f"{name} is documented twice"
        following = [text for text in lines[number + 1 :] if text.strip()]
        default = DEFAULT_LINE.match(following[0]) if following else None
        assert default is not None, f"{name}: the line after its heading must be `Default: ...`"
        found[name] = default.group(1)
    return found


def section(text: str, title: str) -> str:
    """The body of the ``## title`` section of a page."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match is not None, f"no '## {title}' section"
    return match.group(1)


def without_in_progress_notes(text: str) -> str:
    """The page minus its "being added" notes (the admonition line and its indented body)."""
    kept: list[str] = []
    skipping = False
    for line in text.splitlines():
        if IN_PROGRESS_NOTE.match(line):
            skipping = True
            continue
        if skipping and (not line.strip() or line.startswith("    ")):
            continue
        skipping = False
        kept.append(line)
    return "\n".join(kept)


def resolve(dotted: str) -> Any:
    """Import the longest importable prefix of ``dotted`` and look the rest up on it."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[split:]:
            obj = getattr(obj, attribute)
        return obj
    raise ModuleNotFoundError(dotted)


def test_settings_page_documents_exactly_the_defaults() -> None:
    documented = set(documented_settings())
    missing = sorted(set(DEFAULTS) - documented)
    unknown = sorted(documented - set(DEFAULTS))
    assert missing == [], f"settings in DEFAULTS but not on docs/pages/settings.md: {missing}"
    assert unknown == [], f"settings on docs/pages/settings.md that do not exist: {unknown}"


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_documented_default_is_the_code_default(name: str) -> None:
    text = documented_settings()[name]
    namespace = {"__builtins__": {}, "timedelta": timedelta, "settings": django_settings}
    documented = eval(text, namespace)  # the page's own expressions, e.g. timedelta(days=1)
    actual = DEFAULTS[name]
    # SIGNING_KEY's default is a lazy SECRET_KEY: compare what it stands for.
    assert documented == actual, f"{name}: the page says {text}, the code has {actual!r}"
    assert type(documented) is type(actual) or name == "SIGNING_KEY", name


def test_removed_settings_are_listed_as_removed() -> None:
    removed = section(page("settings.md"), "Removed settings")
    documented = documented_settings()
    for name in REMOVED_SETTINGS:
        assert f"| `{name}` |" in removed, f"{name} is missing from the Removed settings table"
        assert name not in documented, f"{name} is removed but documented as a setting"


def test_api_page_names_every_public_name_of_ferrojwt_jwt() -> None:
    text = page("jwt-api.md")
    missing = [name for name in ferrojwt.jwt.__all__ if not re.search(rf"\b{name}\b", text)]
    assert missing == [], f"public names of ferrojwt.jwt not on docs/pages/jwt-api.md: {missing}"


def test_every_check_id_in_the_pages_is_defined() -> None:
    import ferrojwt.checks

    mentioned = {
        found for path in PAGES.glob("*.md") for found in CHECK_ID.findall(path.read_text("utf-8"))
    }
    assert "W001" in mentioned  # the settings page names REVOKE_ON_PASSWORD_CHANGE's check
    undefined = [m for m in mentioned if getattr(ferrojwt.checks, m, None) != f"ferrojwt.{m}"]
    assert undefined == [], f"check ids on the docs pages that ferrojwt.checks lacks: {undefined}"


def test_every_dotted_path_in_the_pages_exists() -> None:
    mentioned: dict[str, str] = {}
    for path in sorted(PAGES.glob("*.md")):
        for dotted in DOTTED_PATH.findall(without_in_progress_notes(path.read_text("utf-8"))):
            mentioned.setdefault(dotted, path.name)
    assert "ferrojwt.authentication.JWTAuthentication" in mentioned  # the scan finds paths
    broken = []
    for dotted, where in sorted(mentioned.items()):
        try:
            resolve(dotted)
        except (ImportError, AttributeError) as error:
            broken.append(f"{dotted} ({where}): {error}")
    assert broken == [], "paths on the docs pages that do not exist:\n" + "\n".join(broken)


def test_deployment_page_lists_every_variable_of_the_example() -> None:
    # The example documents its variables in the docstring of its settings module.
    docstring = (ROOT / "examples" / "demo" / "demo" / "settings.py").read_text("utf-8")
    variables = re.findall(r"^  ([A-Z][A-Z0-9_]+) ", docstring.split('"""')[1], re.M)
    assert "DJANGO_SECRET_KEY" in variables  # the docstring is read as expected
    table = section(page("deployment.md"), "The example project's variables")
    missing = [name for name in variables if f"| `{name}` |" not in table]
    listed = re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", table, re.M)
    unknown = [name for name in listed if name not in variables]
    assert missing == [], f"variables of examples/demo not on docs/pages/deployment.md: {missing}"
    assert unknown == [], f"variables on docs/pages/deployment.md the example lacks: {unknown}"


def test_in_progress_notes_are_left_out_of_the_path_check() -> None:
    text = (
        'Before.\n\n!!! note "Thing (being added)"\n    `ferrojwt.not_there`\n\n'
        "After `ferrojwt.jwt`.\n"
    )
    kept = without_in_progress_notes(text)
    assert DOTTED_PATH.findall(kept) == ["ferrojwt.jwt"]
    assert "Before." in kept and "After" in kept
