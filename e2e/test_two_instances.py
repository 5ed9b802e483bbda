"""Issue 9: two `pingyi serve` on one PostgreSQL. A projector connected to one instance follows what is done on the
other (NOTIFY/LISTEN), and a code raced on both instances is counted once."""
import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests
import websocket

from conftest import Server, api_call as call, ballot_for, fresh_postgres_database

PASSWORD = "two-instances-1"


class Screen:
    """A projector's WebSocket; `until` reads state messages until one satisfies the predicate."""

    def __init__(self, server, token):
        self.ws = websocket.create_connection(server.url.replace("http", "ws") + "/live/" + token, timeout=10)

    def until(self, predicate, seconds=5):
        deadline = time.time() + seconds
        while time.time() < deadline:
            self.ws.settimeout(max(0.1, deadline - time.time()))
            try:
                message = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                break
            if message.get("type") == "state" and predicate(message):
                return message
        raise AssertionError("the screen did not show the change within %s s" % seconds)


def test_two_instances_share_screens_and_count_each_code_once(tmp_path):
    database = fresh_postgres_database()
    if not database:
        return
    url, drop = database
    env = {"PINGYI_DATABASE_URL": url, "PINGYI_ADMIN_PASSWORD": PASSWORD}
    servers = []
    try:
        # Setup: A creates the schema and the demo; B starts on the same database.
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        a = Server(str(tmp_path / "a"), env=env)
        servers.append(a)
        b = Server(str(tmp_path / "b"), env=env)
        servers.append(b)
        token = requests.post(a.url + "/api/v1/session", json={"username": "admin", "password": PASSWORD}, timeout=10).json()["token"]
        cid = call(b, token, "GET", "/api/v1/campaigns")[0]["id"]
        base = f"/api/v1/campaigns/{cid}"
        call(b, token, "POST", base + "/status", {"status": "meeting"})
        meeting = call(a, token, "GET", base + "/meeting")
        screen = Screen(b, meeting["projectorPath"].rsplit("/", 1)[1])
        screen.until(lambda s: s.get("currentReporteeID") is None)

        # A chair's action on A reaches B's screen.
        speaker = meeting["live"]["speakers"][0]["reporteeID"]
        call(a, token, "POST", f"{base}/speeches/{speaker}/start")
        shown = screen.until(lambda s: s.get("currentReporteeID") == speaker)
        assert shown["speakers"][0]["clock"]["phase"] == "running"

        # Check-ins on A, the box opened on B; ballots on A show on B's screen.
        people = [p for p in call(a, token, "GET", base + "/participants") if p["role"] == "attendee"][:12]
        for person in people:
            call(a, token, "POST", base + "/check-in", {"participantID": person["id"]})
        screen.until(lambda s: s["attendance"]["attendeesPresent"] >= 12)
        codes = [c["code"] for c in call(b, token, "POST", base + "/rounds", {})["codes"]]
        assert len(codes) == 12
        first = requests.post(a.url + "/api/v1/vote", json={"code": codes[0], "submissionID": uuid.uuid4().hex, "ballot": ballot_for(a, codes[0], 1)}, timeout=10)
        assert first.status_code == 200, first.text
        screen.until(lambda s: (s.get("round") or {}).get("received") == 1)

        # Each remaining code sent at once to both instances, as two different submissions: one wins, one is told "used".
        def race(code):
            ballot = ballot_for(a, code, 2)
            with ThreadPoolExecutor(2) as pool:
                answers = list(pool.map(lambda server: requests.post(server.url + "/api/v1/vote", json={
                    "code": code, "submissionID": uuid.uuid4().hex, "ballot": ballot}, timeout=30), [a, b]))
            return sorted(r.status_code for r in answers), [r.json() for r in answers]
        with ThreadPoolExecutor(11) as pool:
            outcomes = list(pool.map(race, codes[1:]))
        for statuses, bodies in outcomes:
            assert statuses == [200, 409], bodies
            assert sum(body.get("code") == "code_used" for body in bodies) == 1, bodies

        # Both instances agree: 12 ballots, 12 receipts, and B's screen says so.
        screen.until(lambda s: (s.get("round") or {}).get("received") == 12)
        for server in (a, b):
            rounds = call(server, token, "GET", base + "/rounds")
            assert rounds[0]["receivedElectronic"] == 12
        call(b, token, "POST", f"{base}/rounds/{rounds[0]['id']}/seal")
        receipts = requests.get(f"{a.url}/api/v1/rounds/{rounds[0]['id']}/receipts", timeout=10).json()["receipts"]
        assert len(receipts) == 12 and len(set(receipts)) == 12
        screen.ws.close()
    finally:
        for server in servers:
            server.stop()
        drop()
