"""Issue 26, upgrades keep data: e2e/fixtures/upgrade-schema29/pingyi.sqlite was written by the release before this
change (main at 8f8bc5f, schema 29) through its API — a counted campaign, a paper round with scans, a published 公示,
a ledger with an item in each state — and figures.json holds every figure that release's API gave on it
(scripts/make-upgrade-fixture). Here the current binary migrates a copy (`pingyi migrate`, and `pingyi serve` alone)
and must answer every one of those figures unchanged, with the audit chain verifying and `--version` naming the
schema the file now has. A migration that fails leaves the file byte for byte as it was, exit 1, one line in Chinese
and English."""
import json
import os
import re
import shutil
import sqlite3
from datetime import datetime, timezone

import requests

from conftest import Server, free_port, pingyi_bin, run_pingyi
from upgrade_figures import audit_verify, figures

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "upgrade-schema29")
OLD = json.load(open(os.path.join(FIXTURE, "figures.json"), encoding="utf-8"))
# Figures relative to the day they are read, not stored: a 公示 shows for at most 30 days, then leaves the public
# list (its rows, seal and dates stay in the campaign's publications, compared in full).
NOW = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
NOTICES_SHOWING = all(n["endsAt"] > NOW for n in OLD["figures"]["notices"])


def fixture_copy(folder):
    shutil.copyfile(os.path.join(FIXTURE, "pingyi.sqlite"), os.path.join(folder, "pingyi.sqlite"))
    return os.path.join(folder, "pingyi.sqlite")


def same(old, new, where="figures"):
    """Every figure in `old` is in `new` with the same value (the new API may add fields, never change one)."""
    if isinstance(old, dict):
        assert isinstance(new, dict), f"{where}: {new!r}"
        for key, value in old.items():
            if key == "showing":
                continue
            assert key in new, f"{where}.{key} missing after the upgrade"
            same(value, new[key], f"{where}.{key}")
    elif isinstance(old, list):
        assert isinstance(new, list) and len(new) == len(old), f"{where}: {len(old)} items before, {new!r} after"
        for n, (a, b) in enumerate(zip(old, new)):
            same(a, b, f"{where}[{n}]")
    else:
        assert old == new, f"{where}: {old!r} before the upgrade, {new!r} after"


def check_figures(server):
    token = requests.post(server.url + "/api/v1/session", json={"username": "admin", "password": OLD["adminPassword"]},
                          timeout=10).json()["token"]
    new = figures(server, token)
    old = dict(OLD["figures"])
    if not NOTICES_SHOWING:
        old.pop("notices"), old.pop("noticePages")
    same(old, new)
    # Counted, on paper and on phones, published and in every ledger state: the fixture is what it says.
    campaigns = list(old["campaigns"].values())
    assert sum(1 for c in campaigns for r in c["rounds"] if r.get("countedAt")) == 2
    assert sum(len(c["scans"]) for c in campaigns) == 1 and sum(len(c["publications"]) for c in campaigns) == 1
    assert sorted(i["state"] for i in old["ledger"]) == ["acknowledged", "close_requested", "closed", "in_progress", "issued"]
    return new


def schema_of(path):
    with sqlite3.connect(path) as db:
        return [name for (name,) in db.execute("SELECT name FROM _fluent_migrations ORDER BY rowid")]


def current_schema():
    line = run_pingyi(["--version"], "/").stdout
    count, last = re.search(r"schema (\d+): (\w+)", line).groups()
    return int(count), last


def test_migrate_then_serve_keeps_every_figure(tmp_path):
    path = fixture_copy(tmp_path)
    assert len(schema_of(path)) == 29
    done = run_pingyi(["migrate"], str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "数据库已是最新结构" in done.stdout
    assert not os.path.exists(path + ".before-migration")
    count, last = current_schema()
    migrated = schema_of(path)
    assert count > 29 and len(migrated) == count and migrated[-1] == "App." + last, (count, last, migrated[-3:])
    status, output = audit_verify(pingyi_bin(), str(tmp_path), {})
    assert status == 0 and "audit chain intact" in output, output
    server = Server(str(tmp_path))
    try:
        check_figures(server)
    finally:
        server.stop()
    status, output = audit_verify(pingyi_bin(), str(tmp_path), {})
    assert status == 0, output


def test_serve_alone_migrates_and_keeps_every_figure(tmp_path):
    path = fixture_copy(tmp_path)
    server = Server(str(tmp_path))
    try:
        check_figures(server)
    finally:
        server.stop()
    assert len(schema_of(path)) == current_schema()[0]
    status, output = audit_verify(pingyi_bin(), str(tmp_path), {})
    assert status == 0, output


def test_a_failing_migration_leaves_the_file_byte_for_byte(tmp_path):
    """The one pending migration (a new table) meets a table of that name already there: it fails. The file is put
    back from the copy taken before migrating, and the old data is all there."""
    path = fixture_copy(tmp_path)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE document_headings (id TEXT)")
    db.close()
    before = open(path, "rb").read()
    for args in (["migrate"], ["serve", "--port", str(free_port())]):
        done = run_pingyi(args, str(tmp_path))
        assert done.returncode == 1, (args, done.stdout, done.stderr)
        line = done.stderr.strip().splitlines()[-1]
        assert "数据库迁移失败" in line and "migration failed" in line and "迁移前的副本" in line and "document_headings" in line, line
        assert open(path, "rb").read() == before, f"{args}: the file changed"
        assert not os.path.exists(path + ".before-migration")
        assert len(schema_of(path)) == 29
