"""Every figure an upgrade must keep, read through the HTTP API (issue 26): per campaign its detail, rounds (with
their reconciliation), results and every secretary's sheet, the paper scans, publications and the audit log; the
public notices; the ledger (list, each item with its events and evidence, dashboard, public 整改成果); and
`pingyi audit verify`. Shared by scripts/make-upgrade-fixture (the old binary writes them) and e2e/test_upgrade.py
(the new binary must answer the same)."""
import subprocess

import requests


def get(server, token, path):
    r = requests.get(server.url + path, headers={"Authorization": f"Bearer {token}"} if token else {}, timeout=30)
    assert r.status_code == 200, f"GET {path}: {r.status_code} {r.text[:300]}"
    return r.json()


def figures(server, token):
    out = {"campaigns": {}}
    for campaign in sorted(get(server, token, "/api/v1/campaigns"), key=lambda c: c["id"]):
        base = f"/api/v1/campaigns/{campaign['id']}"
        rounds = get(server, token, base + "/rounds")
        results = get(server, token, base + "/results")
        entry = {
            "detail": get(server, token, base),
            "rounds": rounds,
            "results": results,
            "sheets": {r["reporteeID"]: get(server, token, base + f"/results/{r['reporteeID']}") for r in results["reportees"]},
            "publications": get(server, token, base + "/publications"),
            "audit": get(server, token, base + "/audit"),
            "scans": {},
        }
        for round_ in rounds if isinstance(rounds, list) else rounds.get("rounds", []):
            scans = requests.get(server.url + base + f"/rounds/{round_['id']}/scans", headers={"Authorization": f"Bearer {token}"}, timeout=30)
            if scans.status_code == 200 and scans.json().get("scans"):
                overview = scans.json()
                entry["scans"][round_["id"]] = {
                    "overview": overview,
                    "pages": {s["id"]: get(server, token, base + f"/rounds/{round_['id']}/scans/{s['id']}") for s in overview["scans"]},
                }
        out["campaigns"][campaign["id"]] = entry
    notices = get(server, None, "/api/v1/notices")
    out["notices"] = notices
    out["noticePages"] = {n["id"]: get(server, None, f"/api/v1/notices/{n['id']}") for n in notices}
    ledger = get(server, token, "/api/v1/rectification")
    out["ledger"] = ledger
    out["ledgerItems"] = {i["id"]: get(server, token, f"/api/v1/rectification/{i['id']}") for i in ledger}
    out["ledgerDashboard"] = get(server, token, "/api/v1/rectification/dashboard")
    out["ledgerPublic"] = get(server, None, "/api/v1/notices/rectification")
    return out


def audit_verify(binary, folder, env):
    """`pingyi audit verify` on the folder's database: (exit status, its output)."""
    done = subprocess.run([binary, "audit", "verify"], cwd=folder, env=env, capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout.strip()
