"""Finding 14 of the attack review: idle and half-sent connections were never closed, and 1,100 idle sockets under
the common 1,024 open-file limit stopped a vote. The server now closes connections idle for
PINGYI_IDLE_TIMEOUT_SECONDS and raises its open-file limit at start."""
import os
import resource
import socket
import time

import requests

from conftest import Server, api_call, ballot_for, first_admin_token


def wait_closed(sock, limit):
    """Seconds until the server closed `sock` (recv answers nothing), or None if it was still open after `limit`."""
    sock.settimeout(limit)
    start = time.time()
    try:
        while True:
            data = sock.recv(4096)
            if not data:
                return time.time() - start
    except (socket.timeout, TimeoutError):
        return None
    except ConnectionResetError:
        return time.time() - start


def test_half_sent_and_idle_connections_are_closed_and_many_sockets_do_not_stop_a_vote(tmp_path):
    # The server inherits a soft limit of 1,024 open files, as on a stock system; it must raise it itself.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(1024, hard), hard))
    try:
        server = Server(str(tmp_path), env={"PINGYI_IDLE_TIMEOUT_SECONDS": "2"})
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    sockets = []
    try:
        with open(f"/proc/{server.proc.pid}/limits") as f:
            line = next(l for l in f if l.startswith("Max open files"))
        assert int(line.split()[3]) > 1024 or hard <= 1024, line

        half = socket.create_connection(("127.0.0.1", server.port))
        half.sendall(b"POST /api/v1/vote HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"code\":")
        idle = socket.create_connection(("127.0.0.1", server.port))
        closed_half, closed_idle = wait_closed(half, 10), wait_closed(idle, 10)
        assert closed_half is not None, "a half-sent request was still open after 10 s"
        assert closed_idle is not None, "an idle connection was still open after 10 s"

        # 1,100 idle sockets at once (more than the usual soft limit); a voter still gets through.
        if hard > 2300:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
            for _ in range(1100):
                sockets.append(socket.create_connection(("127.0.0.1", server.port)))
        token = first_admin_token(server)
        campaigns = api_call(server, token, "GET", "/api/v1/campaigns")
        cid = campaigns[0]["id"]
        base = f"/api/v1/campaigns/{cid}"
        api_call(server, token, "POST", base + "/status", {"status": "meeting"})
        people = [p for p in api_call(server, token, "GET", base + "/participants") if p["role"] == "attendee"][:3]
        for person in people:
            api_call(server, token, "POST", base + "/check-in", {"participantID": person["id"]})
        opened = api_call(server, token, "POST", base + "/rounds", {})
        code = opened["codes"][0]["code"]
        r = requests.post(server.url + "/api/v1/vote", json={"code": code, "submissionID": "conn-test-1", "ballot": ballot_for(server, code, 1)},
                          timeout=20)
        assert r.status_code == 200, r.text
    finally:
        for s in sockets:
            s.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        server.stop()
