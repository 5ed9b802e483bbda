"""Issue 9: `pingyi backup` while ballots are being cast, more ballots after it, `pingyi restore` with the server
stopped: the restored database is the snapshot — same campaign, same ballots, same count, an intact audit chain —
and the codes used after the backup are unused again. On SQLite and on PostgreSQL."""
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import Server, api_call as call, ballot_for, fresh_postgres_database, run_pingyi

PASSWORD = "backup-test-1"


def vote(server, code):
    r = requests.post(server.url + "/api/v1/vote", json={"code": code, "submissionID": uuid.uuid4().hex,
                                                         "ballot": ballot_for(server, code, 2)}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["receipt"]


def snapshot(server, token, cid):
    """What the restore must bring back: the campaign, its rounds, its participants' check-ins."""
    base = f"/api/v1/campaigns/{cid}"
    detail = call(server, token, "GET", base)
    rounds = call(server, token, "GET", base + "/rounds")
    people = sorted((p["id"], p.get("checkedIn")) for p in call(server, token, "GET", base + "/participants"))
    return detail, [(r["id"], r["receivedElectronic"], r["state"]) for r in rounds], people


def open_round(server, present):
    """The demo in its meeting, `present` attendees checked in and a round opened: (admin token, campaign id, codes)."""
    token = requests.post(server.url + "/api/v1/session", json={"username": "admin", "password": PASSWORD}, timeout=10).json()["token"]
    cid = call(server, token, "GET", "/api/v1/campaigns")[0]["id"]
    base = f"/api/v1/campaigns/{cid}"
    call(server, token, "POST", base + "/status", {"status": "meeting"})
    for person in [p for p in call(server, token, "GET", base + "/participants") if p["role"] == "attendee"][:present]:
        call(server, token, "POST", base + "/check-in", {"participantID": person["id"]})
    return token, cid, [c["code"] for c in call(server, token, "POST", base + "/rounds", {})["codes"]]


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_backup_while_voting_then_restore(tmp_path, database):
    env = {"PINGYI_ADMIN_PASSWORD": PASSWORD}
    drop = None
    if database == "postgres":
        fresh = fresh_postgres_database()
        if not fresh:
            return
        env["PINGYI_DATABASE_URL"], drop = fresh
    server = None
    try:
        # Setup: a meeting with an open box and ten codes; three ballots in.
        server = Server(str(tmp_path), env=env)
        token, cid, codes = open_round(server, present=10)
        base = f"/api/v1/campaigns/{cid}"
        for code in codes[:3]:
            vote(server, code)

        # Call: the backup runs while four more ballots arrive; then two more after it.
        with ThreadPoolExecutor(5) as pool:
            backup = pool.submit(run_pingyi, ["backup", str(tmp_path / "snapshot.bak")], str(tmp_path), env)
            list(pool.map(lambda code: vote(server, code), codes[3:7]))
            backup = backup.result()
        assert backup.returncode == 0 and "已备份" in backup.stdout, backup.stdout + backup.stderr
        # The snapshot holds 3 to 7 ballots, whatever had committed; read it back from a copy to know how many.
        again = run_pingyi(["backup", str(tmp_path / "snapshot.bak")], str(tmp_path), env)
        assert again.returncode != 0 and "已存在" in again.stderr
        for code in codes[7:9]:
            vote(server, code)
        after = snapshot(server, token, cid)
        assert after[1][0][1] == 9
        server.stop()
        server = None

        restored = run_pingyi(["restore", str(tmp_path / "snapshot.bak")], str(tmp_path), env)
        assert restored.returncode == 0 and "已恢复" in restored.stdout, restored.stdout + restored.stderr

        # Check: the restored box holds between 3 and 7 ballots, each counted once; every code not in it votes again.
        server = Server(str(tmp_path), env=env)
        token = requests.post(server.url + "/api/v1/session", json={"username": "admin", "password": PASSWORD}, timeout=10).json()["token"]
        detail, rounds, people = snapshot(server, token, cid)
        assert detail["campaign"]["title"] == after[0]["campaign"]["title"] and people == after[2]
        kept = rounds[0][1]
        assert 3 <= kept <= 7, rounds
        reopened = 0
        for code in codes[:9]:
            r = requests.post(server.url + "/api/v1/vote", json={"code": code, "submissionID": uuid.uuid4().hex,
                                                                 "ballot": ballot_for(server, code, 3)}, timeout=30)
            assert r.status_code in (200, 409), r.text
            reopened += r.status_code == 200
        assert reopened == 9 - kept, "every code the snapshot had not counted is unused again, and only those"
        assert call(server, token, "GET", base + "/rounds")[0]["receivedElectronic"] == 9
        server.stop()
        server = None
        audit = run_pingyi(["audit", "verify"], str(tmp_path), env)
        assert audit.returncode == 0 and "完整" in audit.stdout, audit.stdout + audit.stderr

        # A file that is not a backup is refused and changes nothing.
        (tmp_path / "junk.bak").write_bytes(b"not a backup at all")
        junk = run_pingyi(["restore", str(tmp_path / "junk.bak")], str(tmp_path), env)
        assert junk.returncode != 0 and "备份" in junk.stderr and len(junk.stderr.strip().splitlines()) == 1
    finally:
        if server:
            server.stop()
        if drop:
            drop()


def test_a_postgres_restore_failing_midway_changes_nothing(tmp_path):
    """The restore runs in one transaction: when it fails after the partitions are dropped (here: a view an operator
    added on the ballots keeps pg_restore's DROP TABLE from running), every ballot and code is as before."""
    fresh = fresh_postgres_database()
    if not fresh:
        return
    env = {"PINGYI_ADMIN_PASSWORD": PASSWORD}
    env["PINGYI_DATABASE_URL"], drop = fresh
    server = None
    try:
        server = Server(str(tmp_path), env=env)
        token, cid, codes = open_round(server, present=4)
        vote(server, codes[0])
        backup = run_pingyi(["backup", str(tmp_path / "one.bak")], str(tmp_path), env)
        assert backup.returncode == 0, backup.stdout + backup.stderr
        vote(server, codes[1])
        before = snapshot(server, token, cid)
        assert before[1][0][1] == 2
        server.stop()
        server = None

        subprocess.run(["psql", "-X", "-q", env["PINGYI_DATABASE_URL"], "-c", "CREATE VIEW operator_view AS SELECT * FROM ballots"], check=True)
        failed = run_pingyi(["restore", str(tmp_path / "one.bak")], str(tmp_path), env)
        assert failed.returncode != 0 and "psql" in failed.stderr, failed.stdout + failed.stderr

        server = Server(str(tmp_path), env=env)
        token = requests.post(server.url + "/api/v1/session", json={"username": "admin", "password": PASSWORD}, timeout=10).json()["token"]
        assert snapshot(server, token, cid) == before
        r = requests.post(server.url + "/api/v1/vote", json={"code": codes[1], "submissionID": uuid.uuid4().hex,
                                                             "ballot": ballot_for(server, codes[1], 3)}, timeout=30)
        assert r.status_code == 409, "the code used after the backup is still used: the failed restore rolled back"
    finally:
        if server:
            server.stop()
        if drop:
            drop()
