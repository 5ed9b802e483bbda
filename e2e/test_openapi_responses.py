"""Every answer the API gives while a meeting is set up and run matches the OpenAPI document's schema for it."""
import re

import requests
from openapi_schema_validator import OAS30Validator

from conftest import Server


def admin_password(server):
    return re.search(r"first admin: admin\s+密码 / password: (\S+)", server.output()).group(1)


def null_paths(value, path=()):
    if value is None:
        yield "/".join(map(str, path))
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from null_paths(inner, path + (key,))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from null_paths(inner, path + (index,))


class Checker:
    def __init__(self, server):
        self.server = server
        self.doc = requests.get(server.url + "/api/v1/openapi.json", timeout=10).json()
        self.checked = set()
        self.token = None

    def operation(self, method, path):
        path = path.split("?")[0]
        for template, item in self.doc["paths"].items():
            pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
            if re.match(pattern, path) and method.lower() in item:
                # Prefer the template with the fewest parameters (constants win, as in the router).
                candidates = [t for t, i in self.doc["paths"].items()
                              if re.match("^" + re.sub(r"\{[^}]+\}", "[^/]+", t) + "$", path) and method.lower() in i]
                best = min(candidates, key=lambda t: t.count("{"))
                return best, self.doc["paths"][best][method.lower()]
        raise AssertionError(f"{method} {path} is not in the OpenAPI document")

    def call(self, method, path, body=None, expect=None, data=None):
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if data is not None:
            headers["Content-Type"] = "application/octet-stream"
        r = requests.request(method, self.server.url + path, json=body, data=data, headers=headers, timeout=10)
        template, op = self.operation(method, path)
        status = str(r.status_code)
        assert status in op["responses"], f"{method} {template} answered {status}, not documented: {r.text[:300]}"
        if expect is not None:
            assert r.status_code == expect, f"{method} {path}: {r.status_code} {r.text[:300]}"
        content = op["responses"][status].get("content", {})
        if "application/json" in content:
            schema = dict(content["application/json"]["schema"])
            schema["components"] = self.doc["components"]
            errors = sorted(OAS30Validator(schema).iter_errors(r.json()), key=str)
            assert not errors, f"{method} {template} {status}: {errors[0].message} at {list(errors[0].absolute_path)}"
            # One rule for missing values (README, API): the key is absent, never null.
            nulls = list(null_paths(r.json()))
            assert not nulls, f"{method} {template} {status}: null at {nulls[:5]}"
        self.checked.add((method, template, status))
        return r.json() if r.text and "application/json" in r.headers.get("content-type", "") else None


def test_responses_match_the_document(tmp_path):
    server = Server(str(tmp_path))
    try:
        api = Checker(server)
        api.call("POST", "/api/v1/session", {"username": "admin", "password": "wrong"}, expect=401)
        api.token = api.call("POST", "/api/v1/session", {"username": "admin", "password": admin_password(server)}, expect=200)["token"]
        api.call("GET", "/api/v1/me", expect=200)
        campaigns = api.call("GET", "/api/v1/campaigns", expect=200)
        cid = campaigns[0]["id"]
        base = f"/api/v1/campaigns/{cid}"
        detail = api.call("GET", base, expect=200)
        api.call("GET", base + "/participants", expect=200)
        api.call("GET", base + "/audit", expect=200)
        units = api.call("GET", "/api/v1/org-units", expect=200)
        api.call("GET", "/api/v1/users", expect=200)
        api.call("POST", "/api/v1/users", {"username": "chair1", "displayName": "主持人", "role": "chair",
                                           "orgUnitID": units[0]["id"], "password": "chair-pass-1"}, expect=201)
        api.call("POST", "/api/v1/org-units", {"parentID": units[0]["id"], "name": "新组织", "kind": "党支部", "domain": "rural"}, expect=201)
        api.call("POST", "/api/v1/org-units/import", {"not": "a file"}, expect=422)
        group = detail["raterGroups"][0]["id"]
        api.call("POST", base + "/participants", {"name": "新人", "role": "attendee", "raterGroupID": group}, expect=201)
        api.call("POST", base + "/participants", {"name": "新人", "role": "attendee"}, expect=422)
        api.call("POST", base + "/reportees", {"name": "甲", "unitName": "乙", "mode": "written"}, expect=201)
        api.call("PUT", base + "/rules", detail["rules"], expect=200)
        api.call("PATCH", base, {"materialsPublic": True}, expect=200)
        api.call("GET", base + "/meeting", expect=200)
        api.call("POST", base + "/status", {"status": "published"}, expect=409)
        api.call("POST", base + "/status", {"status": "meeting"}, expect=200)
        meeting = api.call("GET", base + "/meeting", expect=200)
        people = api.call("GET", base + "/participants", expect=200)
        api.call("POST", base + "/check-in", {"code": people[0]["checkInCode"]}, expect=200)
        api.call("POST", base + "/check-in", {"code": "NOPE1234"}, expect=404)
        api.call("GET", base + "/attendance", expect=200)
        api.call("DELETE", base + f"/check-in/{people[0]['id']}", expect=200)
        first = meeting["live"]["speakers"][0]["reporteeID"]
        api.call("POST", base + f"/speeches/{first}/start", expect=200)
        api.call("POST", base + f"/speeches/{first}/start", expect=409)
        api.call("POST", base + f"/speeches/{first}/end", expect=200)
        api.call("POST", base + f"/speeches/{first}/comment", {"text": "点评"}, expect=200)
        api.call("PUT", base + "/meeting/agenda", [{"title": "会上述职", "kind": "reports"}], expect=200)
        api.call("POST", base + "/meeting/current", {"index": 0}, expect=200)
        api.call("POST", base + "/meeting/message", {"text": "欢迎"}, expect=200)
        api.call("GET", base + "/minutes", expect=200)
        # The ballot box.
        for person in people[:3]:
            api.call("POST", base + "/check-in", {"participantID": person["id"]}, expect=200)
        opened = api.call("POST", base + "/rounds", {"paperSheets": {group: 1}}, expect=201)
        round_id = opened["round"]["id"]
        api.call("GET", base + "/rounds", expect=200)
        api.call("POST", base + "/rounds", {}, expect=409)
        api.call("POST", base + f"/rounds/{round_id}/codes", {"raterGroupID": group, "count": 1}, expect=200)
        saved_token, api.token = api.token, None
        code = opened["codes"][0]["code"]
        ballot = api.call("POST", "/api/v1/vote/check", {"code": code}, expect=200)
        compact = {r["id"]: {f["id"]: "1" * len(f["columns"]) for f in ballot["forms"]} for r in ballot["reportees"]}
        api.call("POST", "/api/v1/vote", {"code": code, "submissionID": "openapi-check-1", "ballot": compact}, expect=200)
        api.call("POST", "/api/v1/vote", {"code": code, "submissionID": "openapi-check-2", "ballot": compact}, expect=409)
        api.call("POST", "/api/v1/vote", {"code": "ZZZZ-ZZZZ-ZZZZ-ZZZZ", "submissionID": "openapi-check-3", "ballot": compact}, expect=404)
        api.call("POST", "/api/v1/vote", {"code": code, "submissionID": "x"}, expect=400)
        api.call("GET", f"/api/v1/rounds/{round_id}/receipts", expect=404)
        api.token = saved_token
        api.call("POST", base + f"/rounds/{round_id}/seal", expect=200)
        api.call("GET", base + f"/rounds/{round_id}/sheets", expect=200)
        api.call("POST", base + f"/rounds/{round_id}/sheets", {"raterGroupID": "00000000-0000-0000-0000-000000000000"}, expect=404)
        api.call("GET", base + f"/rounds/{round_id}/sheets/1", expect=404)
        api.call("POST", base + f"/rounds/{round_id}/extra-sheets", {"count": 0}, expect=200)
        api.call("GET", base + "/results", expect=409)
        api.call("POST", base + f"/rounds/{round_id}/count", expect=200)
        results = api.call("GET", base + "/results", expect=200)
        # Assessment, sheets, charts, exports and publication.
        rid = results["reportees"][0]["reporteeID"]
        api.call("PUT", base + "/assessment-weights", {"weights": {"evaluation": 0.5, "daily": 0.5}}, expect=200)
        api.call("PUT", base + "/assessment-weights", {"weights": {"nope": 1}}, expect=422)
        api.call("PUT", base + f"/assessments/{rid}", {"scores": {"daily": 88}, "veto": None}, expect=200)
        api.call("PUT", base + f"/assessments/{rid}", {"scores": {"daily": 188}}, expect=422)
        api.call("GET", base + f"/results/{rid}", expect=200)
        api.call("GET", base + f"/results/{rid}/history", expect=200)
        api.call("GET", base + f"/results/{rid}/charts/grades", expect=200)
        api.call("GET", base + f"/results/{rid}/charts/pie", expect=404)
        api.call("GET", base + "/results.csv", expect=200)
        api.call("GET", base + "/results.xlsx", expect=200)
        api.call("GET", "/api/v1/overview", expect=200)
        api.call("GET", "/api/v1/me/results", expect=200)
        api.call("GET", base + "/publications", expect=200)
        api.call("POST", base + "/publications", {"reporteeIDs": [rid], "days": 0}, expect=422)
        notice = api.call("POST", base + "/publications", {"reporteeIDs": [rid], "days": 3}, expect=201)
        saved_admin, api.token = api.token, None
        api.call("GET", "/api/v1/notices", expect=200)
        api.call("GET", f"/api/v1/notices/{notice['id']}", expect=200)
        api.token = saved_admin
        api.call("POST", base + f"/publications/{notice['id']}/withdraw", expect=200)
        api.call("POST", base + f"/publications/{notice['id']}/withdraw", expect=409)
        api.token = None
        api.call("GET", f"/api/v1/notices/{notice['id']}", expect=404)
        api.token = saved_admin
        # The rectification ledger.
        draft = api.call("GET", f"/api/v1/rectification/draft?from=result&campaign={cid}&reportee={rid}", expect=200)
        api.call("GET", f"/api/v1/rectification/draft?from=comment&campaign={cid}&reportee={first}", expect=200)
        draft.update({"plan": "整改措施", "linkedLeader": "挂钩领导"})
        item = api.call("POST", "/api/v1/rectification", draft, expect=201)["item"]
        api.call("POST", "/api/v1/rectification", {"problem": "缺少其他部分"}, expect=422)
        api.call("GET", "/api/v1/rectification", expect=200)
        api.call("GET", "/api/v1/rectification?state=issued&overdue=false", expect=200)
        api.call("GET", "/api/v1/rectification?state=bogus", expect=400)
        api.call("GET", f"/api/v1/rectification/{item['id']}", expect=200)
        api.call("PATCH", f"/api/v1/rectification/{item['id']}", {"category": "民主评议"}, expect=200)
        api.call("POST", f"/api/v1/rectification/{item['id']}/actions", {"action": "acknowledge"}, expect=200)
        api.call("POST", f"/api/v1/rectification/{item['id']}/actions", {"action": "approve_close"}, expect=409)
        api.call("POST", f"/api/v1/rectification/{item['id']}/evidence", data="整改佐证".encode("utf-8"), expect=201)
        api.call("POST", f"/api/v1/rectification/{item['id']}/evidence", data=b"\x00\x01\xff", expect=415)
        api.call("GET", "/api/v1/rectification/dashboard", expect=200)
        api.call("GET", "/api/v1/rectification/reminders", expect=200)
        api.call("GET", "/api/v1/rectification.xlsx", expect=200)
        api.token = None
        api.call("GET", "/api/v1/notices/rectification", expect=200)
        api.call("GET", f"/api/v1/rounds/{round_id}/receipts", expect=200)
        api.token = saved_token
        token = meeting["projectorPath"].split("/")[-1]
        saved, api.token = api.token, None
        api.call("GET", f"/api/v1/live/{token}", expect=200)
        api.call("GET", "/api/v1/campaigns", expect=401)
        api.token = saved
        api.call("DELETE", "/api/v1/demo", expect=200)
        api.call("GET", base, expect=404)
        api.call("DELETE", "/api/v1/session", expect=204)
        assert len(api.checked) >= 50, sorted(api.checked)
    finally:
        server.stop()
