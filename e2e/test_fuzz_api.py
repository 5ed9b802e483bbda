"""Schemathesis against the OpenAPI document, as the admin, with real ids, over every endpoint (deletions, the
password and the session included): no 5xx, every answer in the schema. Bounded (a few examples per operation)."""
import os
import re
import subprocess
import sys

import requests

from conftest import Server, first_admin_token


def test_no_server_errors_and_answers_match_the_schema(tmp_path):
    server = Server(str(tmp_path))
    try:
        token = first_admin_token(server)
        auth = {"Authorization": f"Bearer {token}"}
        campaign = requests.get(server.url + "/api/v1/campaigns", headers=auth).json()[0]["id"]
        detail = requests.get(f"{server.url}/api/v1/campaigns/{campaign}", headers=auth).json()
        unit = requests.get(server.url + "/api/v1/org-units", headers=auth).json()[0]["id"]
        item = requests.post(server.url + "/api/v1/rectification", headers=auth, json={
            "orgUnitID": unit, "source": "inspection", "problem": "问题", "plan": "措施", "linkedLeader": "领导", "responsibleUnit": "单位",
            "responsiblePerson": "责任人", "deadline": "2099-12-31"}).json()["item"]["id"]
        (tmp_path / "schemathesis.toml").write_text(
            "[parameters]\n"
            f'"path.campaignID" = "{campaign}"\n'
            f'"path.reporteeID" = "{detail["reportees"][0]["id"]}"\n'
            f'"path.groupID" = "{detail["raterGroups"][0]["id"]}"\n'
            f'"path.itemID" = "{item}"\n', encoding="utf-8")
        def schemathesis(*selection, examples=8):
            result = subprocess.run(
                [sys.executable, "-m", "schemathesis.cli", "run", server.url + "/api/v1/openapi.json", "--url", server.url,
                 "-H", f"Authorization: Bearer {token}", "--checks", "not_a_server_error,response_schema_conformance",
                 "--max-examples", str(examples), "--seed", "20261125", *selection],
                cwd=tmp_path, capture_output=True, text=True, timeout=600)
            tail = (result.stdout + result.stderr)[-4000:]
            assert result.returncode == 0, tail
            assert re.search(r"\d+ generated, \d+ passed", tail), tail

        # Every endpoint, in an order that keeps the admin's data and session for as long as they are needed: reading
        # and changing first, then removing, then the session itself (log-out last).
        schemathesis("--exclude-path-regex", "demo|session|password", "--exclude-method", "DELETE")
        assert requests.get(server.url + "/api/v1/me", headers=auth).status_code == 200
        schemathesis("--include-method", "DELETE", "--exclude-path-regex", "demo|session", examples=4)
        schemathesis("--include-path-regex", "password|demo", examples=4)
        schemathesis("--include-path-regex", "session", examples=4)
    finally:
        server.stop()
