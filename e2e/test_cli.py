"""The README's first command, as a person would run it: `pingyi serve` in an empty folder, and the CLI's errors."""
import re
import sqlite3

import requests

from conftest import Server, first_admin_token, fresh_postgres_database, run_pingyi


def run(args, cwd, env=None, timeout=60):
    return run_pingyi(args, cwd, env, timeout)


def test_serve_in_an_empty_folder_prints_url_and_first_login(server, tmp_path):
    out = server.output()
    assert f"running at {server.url}" in out
    match = re.search(r"first admin: admin\s+密码 / password: (\S+)", out)
    assert match, out
    password = match.group(1)
    assert "演示" in out
    # The printed login works and shows the demo campaign.
    session = requests.post(server.url + "/api/v1/session", json={"username": "admin", "password": password}, timeout=10)
    assert session.status_code == 200, session.text
    token = session.json()["token"]
    campaigns = requests.get(server.url + "/api/v1/campaigns", headers={"Authorization": f"Bearer {token}"}, timeout=10).json()
    assert [c["title"] for c in campaigns] == ["2022年度**区基层党组织书记落实主体责任述职评议"]
    assert campaigns[0]["isDemo"] is True
    # The database file is where the README says, in WAL mode.
    db = tmp_path / "pingyi.sqlite"
    assert db.exists()
    assert sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_healthz_and_openapi_answer(server):
    health = requests.get(server.url + "/healthz", timeout=10)
    assert health.json() == {"status": "ok", "database": "sqlite", "version": health.json()["version"]}
    doc = requests.get(server.url + "/api/v1/openapi.json", timeout=10)
    assert doc.status_code == 200
    assert doc.json()["openapi"].startswith("3.")
    assert "/api/v1/session" in doc.json()["paths"]


def test_the_home_page_and_its_assets_are_served(server):
    home = requests.get(server.url + "/", timeout=10)
    assert home.status_code == 200 and "评议" in home.text
    for asset in ["/css/pingyi.css", "/js/pingyi.js", "/js/index.js", "/js/live.js"]:
        assert requests.get(server.url + asset, timeout=10).status_code == 200, asset


def test_a_second_start_keeps_the_data_and_prints_no_password(tmp_path):
    first = Server(str(tmp_path))
    first.stop()
    second = Server(str(tmp_path))
    try:
        out = second.output()
        assert "already exists" in out
        assert "password:" not in out.split("running at")[1]
    finally:
        second.stop()


def test_admin_password_from_the_environment(tmp_path):
    s = Server(str(tmp_path), env={"PINGYI_ADMIN_PASSWORD": "pingyi-test-pass"})
    try:
        assert "PINGYI_ADMIN_PASSWORD" in s.output()
        assert "pingyi-test-pass" not in s.output()
        r = requests.post(s.url + "/api/v1/session", json={"username": "admin", "password": "pingyi-test-pass"}, timeout=10)
        assert r.status_code == 200
    finally:
        s.stop()


def test_help_lists_the_commands(tmp_path):
    result = run(["--help"], cwd=tmp_path)
    assert result.returncode == 0
    for command in ["serve", "migrate", "demo"]:
        assert command in result.stdout


def one_line_error(result):
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode != 0
    assert len(lines) == 1, result.stderr
    assert "错误" in lines[0] and "Error" in lines[0]
    assert "Traceback" not in result.stderr and "Fatal error" not in result.stderr


def test_a_bad_flag_is_one_bilingual_line(tmp_path):
    one_line_error(run(["serve", "--no-such-flag"], cwd=tmp_path))


def test_an_unknown_command_is_one_bilingual_line(tmp_path):
    one_line_error(run(["frobnicate"], cwd=tmp_path))


def test_a_bad_database_url_is_one_bilingual_line(tmp_path):
    one_line_error(run(["migrate"], cwd=tmp_path, env={"PINGYI_DATABASE_URL": "mysql://nowhere"}))


def test_an_unreachable_database_is_one_bilingual_line(tmp_path):
    result = run(["migrate"], cwd=tmp_path, env={"PINGYI_DATABASE_URL": "postgres://pingyi:x@127.0.0.1:1/pingyi"})
    one_line_error(result)
    assert "无法连接数据库" in result.stderr


def test_migrate_then_demo_remove(tmp_path):
    assert run(["migrate"], cwd=tmp_path).returncode == 0
    loaded = run(["demo", "load"], cwd=tmp_path)
    assert loaded.returncode == 0 and "已载入演示活动" in loaded.stdout
    removed = run(["demo", "remove"], cwd=tmp_path)
    assert removed.returncode == 0 and "1 个活动" in removed.stdout
    count = sqlite3.connect(tmp_path / "pingyi.sqlite").execute("SELECT count(*) FROM campaigns").fetchone()[0]
    assert count == 0


def test_audit_verify_finds_an_edited_entry(tmp_path):
    server = Server(str(tmp_path))
    try:
        token = first_admin_token(server)
        auth = {"Authorization": f"Bearer {token}"}
        campaign = requests.get(server.url + "/api/v1/campaigns", headers=auth).json()[0]["id"]
        for title in ("改名一", "改名二"):
            assert requests.patch(f"{server.url}/api/v1/campaigns/{campaign}", headers=auth, json={"title": title}).status_code == 200
    finally:
        server.stop()
    intact = run(["audit", "verify"], cwd=tmp_path)
    assert intact.returncode == 0 and "操作日志哈希链完整" in intact.stdout, intact.stdout + intact.stderr
    db = sqlite3.connect(tmp_path / "pingyi.sqlite")
    entries = db.execute("SELECT count(*) FROM audit_entries").fetchone()[0]
    assert entries >= 2 and f"{entries} 条" in intact.stdout
    db.execute("UPDATE audit_entries SET summary = 'nothing' WHERE seq = 1")
    db.commit()
    db.close()
    broken = run(["audit", "verify"], cwd=tmp_path)
    assert broken.returncode != 0 and "已被破坏" in broken.stdout and "第 1 条日志内容与其摘要不符" in broken.stdout, broken.stdout


def test_serve_on_postgres_when_available(tmp_path):
    # Its own database so the schema starts empty.
    database = fresh_postgres_database()
    if not database:
        return
    url, drop = database
    try:
        s = Server(str(tmp_path), env={"PINGYI_DATABASE_URL": url})
        try:
            assert requests.get(s.url + "/healthz", timeout=10).json()["database"] == "postgres"
            assert "PostgreSQL" in s.output() and "演示" in s.output()
        finally:
            s.stop()
    finally:
        drop()


def test_serve_on_every_interface_prints_an_address_phones_reach(tmp_path):
    """Issue 22: `serve --hostname 0.0.0.0` printed http://127.0.0.1:PORT, the one address phones cannot reach. It now
    prints this machine's LAN address (and 127.0.0.1 as 本机); on loopback only it warns."""
    import socket
    lan = [a for a in socket.gethostbyname_ex(socket.gethostname())[2] if not a.startswith("127.")]
    (tmp_path / "all").mkdir()
    (tmp_path / "local").mkdir()
    server = Server(str(tmp_path / "all"), hostname="0.0.0.0")
    try:
        out = server.output()
        printed = re.search(r"running at (http://\S+)", out).group(1)
        assert f"本机 / this machine: http://127.0.0.1:{server.port}" in out, out
        if lan:
            assert not printed.startswith("http://127.") and printed.endswith(f":{server.port}"), out
            assert requests.get(printed + "/healthz", timeout=5).status_code == 200
    finally:
        server.stop()
    local = Server(str(tmp_path / "local"))
    try:
        assert "手机无法访问" in local.output() and "PINGYI_PUBLIC_URL" in local.output()
    finally:
        local.stop()


def test_version_names_the_release_and_the_schema(tmp_path):
    result = run(["--version"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    health_version = re.search(r"pingyi (\d+\.\d+\.\d+)", result.stdout)
    assert health_version, result.stdout
    # The schema: how many migrations this binary knows and the last one's name (what `migrate` brings a database to).
    schema = re.search(r"schema (\d+): (\w+)", result.stdout)
    assert schema and int(schema.group(1)) > 20, result.stdout
    assert not (tmp_path / "pingyi.sqlite").exists()
    # The same as the running server says.
    s = Server(str(tmp_path))
    try:
        assert requests.get(s.url + "/healthz", timeout=10).json()["version"] == health_version.group(1)
    finally:
        s.stop()
    migrated = sqlite3.connect(tmp_path / "pingyi.sqlite").execute("SELECT count(*) FROM _fluent_migrations").fetchone()
    assert migrated[0] == int(schema.group(1))
    last = sqlite3.connect(tmp_path / "pingyi.sqlite").execute("SELECT name FROM _fluent_migrations ORDER BY rowid DESC LIMIT 1").fetchone()[0]
    assert last.endswith(schema.group(2)), last
