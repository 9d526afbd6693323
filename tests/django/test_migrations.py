"""The token_blacklist migrations: a fresh schema, and a database migrated by the real simplejwt.

simplejwt's migrations (0001-0013) and tables are reproduced exactly; ferrojwt's own
migrations come after them (OURS: the token families' table, and one index on simplejwt's
outstanding-token table, its only difference from simplejwt's schema: no column or
constraint of simplejwt's changes).

Databases are SQLite files driven by subprocess workers (testproject.worker): one
runs the real simplejwt 5.5.1 (``rest_framework_simplejwt.token_blacklist``
installed), the other ferrojwt, both under the app label ``token_blacklist``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import rest_framework_simplejwt.token_blacklist.migrations as reference_migrations
from django.core.management import call_command
from django.db.migrations.loader import MigrationLoader
from testproject.testing import FERRO_SETTINGS, PASSWORD, SIMPLEJWT_SETTINGS, run_worker

TABLES = ("token_blacklist_outstandingtoken", "token_blacklist_blacklistedtoken")
#: ferrojwt's own migrations, after simplejwt's, and the table they create.
OURS = ["0014_tokenfamily", "0015_outstandingtoken_expires_index"]
OUR_TABLE = "token_blacklist_tokenfamily"
#: The index ferrojwt adds to simplejwt's table (expiry, for flushexpiredtokens, logout-all).
OUR_INDEX = ("tb_outstanding_expires", 0, ["expires_at"])

# simplejwt's final schema on SQLite (its migrations 0001-0013 applied).
EXPECTED_DDL = {
    "token_blacklist_outstandingtoken": (
        'CREATE TABLE "token_blacklist_outstandingtoken" ("token" text NOT NULL, '
        '"created_at" datetime NULL, "expires_at" datetime NOT NULL, '
        '"user_id" integer NULL REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED, '
        '"jti" varchar(255) NOT NULL UNIQUE, "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT)'
    ),
    "token_blacklist_blacklistedtoken": (
        'CREATE TABLE "token_blacklist_blacklistedtoken" ("blacklisted_at" datetime NOT NULL, '
        '"token_id" bigint NOT NULL UNIQUE REFERENCES "token_blacklist_outstandingtoken" ("id") '
        'DEFERRABLE INITIALLY DEFERRED, "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT)'
    ),
}
EXPECTED_INDEXES = {
    "token_blacklist_outstandingtoken": [
        ("sqlite_autoindex_token_blacklist_outstandingtoken_1", 1, ["jti"]),
        ("token_blacklist_outstandingtoken_user_id_83bc629a", 0, ["user_id"]),
    ],
    "token_blacklist_blacklistedtoken": [
        ("sqlite_autoindex_token_blacklist_blacklistedtoken_1", 1, ["token_id"]),
    ],
}

SIMPLEJWT_NAMES = sorted(
    p.stem
    for p in Path(reference_migrations.__file__).parent.glob("0*.py")
    # 0009 existed in simplejwt 4.7.0 only; 5.x no longer ships it
    if not p.stem.startswith("0009")
)


def without_our_index(got: dict[str, Any]) -> dict[str, Any]:
    """``got`` with ferrojwt's one index on simplejwt's table taken out (checked present)."""
    table = got["token_blacklist_outstandingtoken"]
    assert OUR_INDEX in table["indexes"]
    indexes = [index for index in table["indexes"] if index != OUR_INDEX]
    return {**got, "token_blacklist_outstandingtoken": {**table, "indexes": indexes}}


def schema(db: Path) -> dict[str, Any]:
    con = sqlite3.connect(db)
    try:
        result: dict[str, Any] = {}
        for table in TABLES:
            ddl = con.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()
            indexes = sorted(
                (name, unique, [c[2] for c in con.execute(f"PRAGMA index_info('{name}')")])
                for _seq, name, unique, *_ in con.execute(f"PRAGMA index_list('{table}')")
            )
            columns = con.execute(f"PRAGMA table_info('{table}')").fetchall()
            result[table] = {"ddl": ddl[0], "indexes": indexes, "columns": columns}
        return result
    finally:
        con.close()


def applied(db: Path) -> list[str]:
    con = sqlite3.connect(db)
    try:
        rows = con.execute(
            "SELECT name FROM django_migrations WHERE app = 'token_blacklist' ORDER BY id"
        )
        return [name for (name,) in rows]
    finally:
        con.close()


def migrate_fresh(db: Path, settings_module: str) -> None:
    [result] = run_worker(settings_module, db, [{"op": "call", "args": ["migrate"]}])
    assert result["code"] == 0, result


# -- in process -----


def test_same_migration_names_as_simplejwt() -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    ours = sorted(name for app, name in loader.disk_migrations if app == "token_blacklist")
    assert ours == SIMPLEJWT_NAMES + OURS
    assert loader.graph.leaf_nodes("token_blacklist") == [("token_blacklist", OURS[-1])]
    # Ours come strictly after simplejwt's last one.
    first_of_ours = loader.disk_migrations[("token_blacklist", OURS[0])]
    assert ("token_blacklist", SIMPLEJWT_NAMES[-1]) in first_of_ours.dependencies


@pytest.mark.django_db
def test_models_match_the_migrations(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("makemigrations", "token_blacklist", "--check", "--dry-run")
    assert "No changes detected" in capsys.readouterr().out


# -- a fresh database -----


def test_fresh_database_has_simplejwts_schema(tmp_path: Path) -> None:
    db = tmp_path / "fresh.sqlite3"
    migrate_fresh(db, FERRO_SETTINGS)
    got = without_our_index(schema(db))
    for table in TABLES:
        assert got[table]["ddl"] == EXPECTED_DDL[table]
        assert got[table]["indexes"] == EXPECTED_INDEXES[table]
    assert applied(db) == SIMPLEJWT_NAMES + OURS


def test_fresh_database_is_identical_to_a_simplejwt_one(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "ours.sqlite3", tmp_path / "theirs.sqlite3"
    migrate_fresh(ours, FERRO_SETTINGS)
    migrate_fresh(theirs, SIMPLEJWT_SETTINGS)
    assert without_our_index(schema(ours)) == schema(theirs)
    assert applied(ours) == applied(theirs) + OURS


def test_migrations_reverse_to_zero(tmp_path: Path) -> None:
    db = tmp_path / "reverse.sqlite3"
    results = run_worker(
        FERRO_SETTINGS,
        db,
        [
            {"op": "call", "args": ["migrate"]},
            {"op": "call", "args": ["migrate", "token_blacklist", "zero"]},
            {"op": "call", "args": ["migrate"]},
        ],
    )
    assert [r["code"] for r in results] == [0, 0, 0]
    assert schema(db)["token_blacklist_outstandingtoken"]["ddl"] == EXPECTED_DDL[TABLES[0]]


# -- a database created and used by simplejwt -----


@pytest.fixture
def simplejwt_db(db_file: Path) -> dict[str, Any]:
    """A database migrated by simplejwt, with two live pairs; the first refresh blacklisted."""
    results = run_worker(
        SIMPLEJWT_SETTINGS,
        db_file,
        [
            {"op": "call", "args": ["migrate"]},
            {"op": "create_user", "username": "alice", "password": PASSWORD},
            {
                "op": "post",
                "path": "/api/token/",
                "data": {"username": "alice", "password": PASSWORD},
            },
            {
                "op": "post",
                "path": "/api/token/",
                "data": {"username": "alice", "password": PASSWORD},
            },
        ],
    )
    first, second = results[2]["json"], results[3]["json"]
    [blacklisted] = run_worker(
        SIMPLEJWT_SETTINGS,
        db_file,
        [{"op": "post", "path": "/api/token/blacklist/", "data": {"refresh": first["refresh"]}}],
    )
    assert blacklisted == {"status": 200, "json": {}}
    return {"path": db_file, "first": first, "second": second, "user_id": results[1]["id"]}


def test_simplejwt_database_needs_only_our_own_migration(simplejwt_db: dict[str, Any]) -> None:
    """ferrojwt on simplejwt's database: only its own migrations apply (a new table, one
    index); simplejwt's columns, constraints and history stay exactly as they were."""
    db = simplejwt_db["path"]
    before_schema, before_applied = schema(db), applied(db)
    check, migrate, makemigrations, show = run_worker(
        FERRO_SETTINGS,
        db,
        [
            {"op": "call", "args": ["migrate", "--check"]},
            {"op": "call", "args": ["migrate"]},
            {"op": "call", "args": ["makemigrations", "--check", "--dry-run"]},
            {"op": "call", "args": ["showmigrations", "token_blacklist"]},
        ],
    )
    assert check["code"] == 1  # unapplied: ours
    assert migrate["code"] == 0
    applying = [line for line in migrate["stdout"].splitlines() if "Applying" in line]
    assert applying == [f"  Applying token_blacklist.{name}... OK" for name in OURS]
    assert makemigrations["code"] == 0
    assert "No changes detected" in makemigrations["stdout"]
    assert show["stdout"].count("[X]") == len(SIMPLEJWT_NAMES) + len(OURS)
    assert "[ ]" not in show["stdout"]
    assert without_our_index(schema(db)) == before_schema
    assert applied(db) == before_applied + OURS


def test_database_migrated_by_ferrojwt_still_serves_simplejwt(db_file: Path) -> None:
    """A rolling deploy: ferrojwt migrated the database (its own table included), and a
    simplejwt process on it logs in, refreshes, blacklists and checks its migrations."""
    [migrate] = run_worker(FERRO_SETTINGS, db_file, [{"op": "call", "args": ["migrate"]}])
    assert migrate["code"] == 0
    login = {"username": "bob", "password": PASSWORD}
    results = run_worker(
        SIMPLEJWT_SETTINGS,
        db_file,
        [
            {"op": "call", "args": ["migrate", "--check"]},
            {"op": "create_user", "username": "bob", "password": PASSWORD},
            {"op": "post", "path": "/api/token/", "data": login},
        ],
    )
    assert results[0]["code"] == 0
    pair = results[2]["json"]
    refreshed, blacklisted, again = run_worker(
        SIMPLEJWT_SETTINGS,
        db_file,
        [
            {"op": "post", "path": "/api/token/refresh/", "data": {"refresh": pair["refresh"]}},
            {"op": "post", "path": "/api/token/blacklist/", "data": {"refresh": pair["refresh"]}},
            {"op": "post", "path": "/api/token/refresh/", "data": {"refresh": pair["refresh"]}},
        ],
    )
    assert refreshed["status"] == 200 and "access" in refreshed["json"]
    assert blacklisted == {"status": 200, "json": {}}
    assert again == {
        "status": 401,
        "json": {"detail": "Token is blacklisted", "code": "token_not_valid"},
    }
    assert applied(db_file) == SIMPLEJWT_NAMES + OURS


def test_simplejwt_rows_are_honoured(simplejwt_db: dict[str, Any]) -> None:
    db = simplejwt_db["path"]
    first, second = simplejwt_db["first"], simplejwt_db["second"]
    results = run_worker(
        FERRO_SETTINGS,
        db,
        [
            {"op": "post", "path": "/api/token/refresh/", "data": {"refresh": first["refresh"]}},
            {"op": "post", "path": "/api/token/refresh/", "data": {"refresh": second["refresh"]}},
            {"op": "post", "path": "/api/token/blacklist/", "data": {"refresh": second["refresh"]}},
            {"op": "post", "path": "/api/token/refresh/", "data": {"refresh": second["refresh"]}},
            {"op": "get", "path": "/api/whoami/", "token": second["access"]},
            {
                "op": "sql",
                "query": "SELECT o.user_id, COUNT(b.id) FROM token_blacklist_outstandingtoken o "
                "LEFT JOIN token_blacklist_blacklistedtoken b ON b.token_id = o.id "
                "GROUP BY o.id ORDER BY o.id",
            },
        ],
    )
    blacklisted = {"detail": "Token is blacklisted", "code": "token_not_valid"}
    assert results[0] == {"status": 401, "json": blacklisted}
    assert results[1]["status"] == 200
    assert results[2] == {"status": 200, "json": {}}
    assert results[3] == {"status": 401, "json": blacklisted}
    assert results[4]["status"] == 200
    # ferrojwt reused the two outstanding rows simplejwt recorded at login
    uid = simplejwt_db["user_id"]
    assert results[5] == [[uid, 1], [uid, 1]]


@pytest.mark.parametrize(
    "stop_at",
    ["0002_outstandingtoken_jti_hex", "0007_auto_20171017_2214", "0011_linearizes_history"],
)
def test_partially_migrated_simplejwt_database_is_completed(db_file: Path, stop_at: str) -> None:
    """An old simplejwt install (history stopped part-way) is migrated forward by ferrojwt."""
    jti = "0123456789abcdef0123456789abcdef"
    run_worker(
        SIMPLEJWT_SETTINGS,
        db_file,
        [
            {"op": "call", "args": ["migrate", "auth"]},
            {"op": "call", "args": ["migrate", "token_blacklist", stop_at]},
            {"op": "create_user", "username": "alice", "password": PASSWORD},
            {
                "op": "sql",
                "query": "INSERT INTO token_blacklist_outstandingtoken "
                "(jti, token, created_at, expires_at, user_id) "
                "VALUES (%s, 'x.y.z', '2030-01-01 00:00:00', '2030-01-02 00:00:00', 1)",
                "params": [jti],
            },
        ],
    )
    migrate, rows = run_worker(
        FERRO_SETTINGS,
        db_file,
        [
            {"op": "call", "args": ["migrate"]},
            {"op": "sql", "query": "SELECT jti, user_id FROM token_blacklist_outstandingtoken"},
        ],
    )
    assert migrate["code"] == 0
    assert (
        "Applying token_blacklist.0013_alter_blacklistedtoken_options_and_more... OK"
        in (migrate["stdout"])
    )
    assert rows == [[jti, 1]]
    got = schema(db_file)
    for table in TABLES:
        assert got[table]["ddl"] == EXPECTED_DDL[table]
    assert applied(db_file)[-1] == OURS[-1]


# -- PostgreSQL: real column types and constraint names -----

PG_SCHEMA = """
SELECT 'column', table_name || '.' || column_name,
       data_type || coalesce('(' || character_maximum_length || ')', '') || ' ' || is_nullable
       || ' ' || coalesce(column_default, '')
  FROM information_schema.columns WHERE table_name LIKE 'token_blacklist_%%'
UNION ALL
SELECT 'constraint', conrelid::regclass::text || '.' || conname, pg_get_constraintdef(oid)
  FROM pg_constraint WHERE conrelid::regclass::text LIKE 'token_blacklist_%%'
UNION ALL
SELECT 'index', tablename || '.' || indexname, indexdef
  FROM pg_indexes WHERE tablename LIKE 'token_blacklist_%%'
ORDER BY 1, 2
"""
PG_APPLIED = "SELECT name FROM django_migrations WHERE app = 'token_blacklist' ORDER BY name"


@pytest.mark.e2e
def test_postgresql_schema_and_history_match_simplejwt(
    postgres: Callable[[str], str], tmp_path: Path
) -> None:
    ours = {"FERROJWT_TEST_PG": postgres("fresh_ferrojwt")}
    theirs = {"FERROJWT_TEST_PG": postgres("by_simplejwt")}
    unused = tmp_path / "unused.sqlite3"
    migrate = {"op": "call", "args": ["migrate"]}
    [m1, our_schema, our_applied] = run_worker(
        FERRO_SETTINGS,
        unused,
        [migrate, {"op": "sql", "query": PG_SCHEMA}, {"op": "sql", "query": PG_APPLIED}],
        ours,
    )
    [m2, _user, _login, their_schema] = run_worker(
        SIMPLEJWT_SETTINGS,
        unused,
        [
            migrate,
            {"op": "create_user", "username": "alice", "password": PASSWORD},
            {
                "op": "post",
                "path": "/api/token/",
                "data": {"username": "alice", "password": PASSWORD},
            },
            {"op": "sql", "query": PG_SCHEMA},
        ],
        theirs,
    )
    assert (m1["code"], m2["code"]) == (0, 0)
    # simplejwt's tables identical but for our one index; our table is the other addition.
    ours_only = (OUR_TABLE, f"token_blacklist_outstandingtoken.{OUR_INDEX[0]}")
    assert [row for row in our_schema if not row[1].startswith(ours_only)] == their_schema
    assert any(row[1] == ours_only[1] and "(expires_at)" in row[2] for row in our_schema)
    assert any(row[1] == f"{OUR_TABLE}.id" for row in our_schema)
    columns = {name: spec for kind, name, spec in our_schema if kind == "column"}
    for table in TABLES:
        assert columns[f"{table}.id"] == "bigint NO "  # an identity column
    assert columns["token_blacklist_outstandingtoken.jti"] == "character varying(255) NO "
    assert columns["token_blacklist_outstandingtoken.user_id"] == "integer YES "
    assert columns["token_blacklist_blacklistedtoken.token_id"] == "bigint NO "
    assert [name for (name,) in our_applied] == sorted(SIMPLEJWT_NAMES + OURS)
    check, again, makemigrations, count = run_worker(
        FERRO_SETTINGS,
        unused,
        [
            {"op": "call", "args": ["migrate", "--check"]},
            migrate,
            {"op": "call", "args": ["makemigrations", "--check", "--dry-run"]},
            {"op": "sql", "query": "SELECT COUNT(*) FROM token_blacklist_outstandingtoken"},
        ],
        theirs,
    )
    assert check["code"] == 1  # ours, not applied yet
    assert [line for line in again["stdout"].splitlines() if "Applying" in line] == [
        f"  Applying token_blacklist.{name}... OK" for name in OURS
    ]
    assert makemigrations["code"] == 0
    assert count == [[1]]
