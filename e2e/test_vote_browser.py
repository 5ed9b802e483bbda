"""Issue 5 in a real browser: the chair opens the box and prints slips; phones (360 px) vote with their codes, one
keeps a half-filled ballot through a reload; two tellers key a paper sheet; the round is sealed and counted; the
receipts are public."""
import hashlib
import json
import re
import time

import requests

from browser import Page, make_driver
from conftest import Server


def admin_password(server):
    return re.search(r"first admin: admin\s+密码 / password: (\S+)", server.output()).group(1)


def api(server, token, method, path, body=None, expect=None):
    r = requests.request(method, server.url + path, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    if expect is not None:
        assert r.status_code == expect, f"{method} {path}: {r.status_code} {r.text}"
    else:
        assert r.status_code < 300, f"{method} {path}: {r.status_code} {r.text}"
    return r.json() if r.text else None


def login(server, username, password):
    return requests.post(server.url + "/api/v1/session", json={"username": username, "password": password}, timeout=10).json()["token"]


def vote_on_phone(page, url, grade_label, stop_after=None):
    """Opens the slip's link, marks every column of every reportee with one grade, submits; returns the receipt.
    One tap per form: its 总体评价; the 单项评价 follow it (checked here, folded as the voter sees them)."""
    page.open(url.split("/v#")[0].replace(url.split("/v#")[0], "") + "/v#" + url.split("#")[1])
    page.visible("#step-vote")
    total = int(page.el("#who-index").text.split("/")[1])
    for n in range(total):
        for fieldset in page.all("#forms fieldset.overall"):
            fieldset.find_element("xpath", f".//label[normalize-space()='{grade_label}']").click()
        summaries = [s.text for s in page.all("#forms details.items summary")]
        assert all(f"与总体评价相同（{grade_label}）" in s for s in summaries), summaries
        if stop_after is not None and n + 1 == stop_after:
            return None
        page.click("#next")
    page.visible("#step-review")
    page.click("#submit")
    page.visible("#step-done")
    return page.el("#receipt").text


def test_phones_vote_paper_is_keyed_and_the_round_is_counted(tmp_path):
    # Trace logging: the most the server can log, and still no code or ballot may appear in it.
    server = Server(str(tmp_path), env={"LOG_LEVEL": "trace"})
    drivers = []
    try:
        admin = login(server, "admin", admin_password(server))
        cid = api(server, admin, "GET", "/api/v1/campaigns")[0]["id"]
        base = f"/api/v1/campaigns/{cid}"
        detail = api(server, admin, "GET", base)
        district = detail["campaign"]["orgUnitID"]
        for name, role in [("chair", "chair"), ("teller1", "teller"), ("teller2", "teller"), ("scrutineer", "scrutineer")]:
            api(server, admin, "POST", "/api/v1/users", {"username": name, "displayName": name, "role": role,
                                                          "orgUnitID": district, "password": "pass-" + name})
        chair = login(server, "chair", "pass-chair")
        api(server, admin, "POST", base + "/status", {"status": "meeting"})
        people = api(server, chair, "GET", base + "/participants")
        for person in [p for p in people if p["role"] == "attendee"][:25]:
            api(server, chair, "POST", base + "/check-in", {"participantID": person["id"]})

        # The chair opens the box from the console: codes for the checked-in attendees, and two paper sheets.
        d = make_driver(1280, 900)
        drivers.append(d)
        console = Page(d, server.url)
        console.open("/")
        console.fill("#username", "chair")
        console.fill("#password", "pass-chair")
        console.click("#login-form button")
        console.visible("#campaign-panel")
        console.open(f"/campaigns/{cid}/console")
        console.visible("#open-form")
        console.el("#issue-table input[data-sheets]")
        sheets_inputs = console.all("#issue-table input[data-sheets]")
        sheets_inputs[0].clear()
        sheets_inputs[0].send_keys("2")
        console.click("#open-form button")
        console.confirm_dialog("不能撤销")
        console.flash("投票码 25 个，纸质票 2 份")
        # The slip window (and the paper forms window) opened; the slips carry QR codes and codes.
        from selenium.webdriver.support import expected_conditions as EC
        console.wait.until(EC.number_of_windows_to_be(3), "the slip and paper windows")
        main_window = d.current_window_handle
        slips = Page(d, server.url)
        paper_window = None
        for handle in [h for h in d.window_handles if h != main_window]:
            d.switch_to.window(handle)
            slips.wait.until(lambda drv: drv.find_elements("css selector", ".slip-qr svg, img.omr-page, #paper-status"), "a pop-up's content")
            if d.find_elements("css selector", ".slip-qr svg"):
                slip_window = handle
            else:
                paper_window = handle
        d.switch_to.window(paper_window)
        slips.text_appears("#paper-status", "共 2 套、6 页评议表")
        # identical forms: one sheet per form, the same page for every set of a group (forms lie on named desks)
        forms = [i.get_attribute("src") for i in slips.all("img.omr-page")]
        assert len(forms) == 2 * 3 and forms[0:3] == forms[3:6] and len(set(forms)) == 3, "the two sets differ"
        slips.screenshot("paper-forms")
        d.switch_to.window(slip_window)
        codes = [e.text for e in slips.all(".slip-code")]
        assert len(codes) == 25 and all(re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", c) for c in codes)
        slips.screenshot("code-slips")
        d.switch_to.window(main_window)
        rounds = api(server, chair, "GET", base + "/rounds")
        round_id = rounds[0]["id"]

        # Phones at 360 px.
        phone_driver = make_driver(360, 740)
        drivers.append(phone_driver)
        phone = Page(phone_driver, server.url)
        receipts = []
        for i, code in enumerate(codes[:4]):
            receipts.append(vote_on_phone(phone, server.url + "/v#" + code, ["好", "较好", "一般", "差"][i]))
            assert phone.overflowing() == [], "the voting page scrolls sideways"
            if i == 0:
                phone.screenshot("vote-done-phone")
        # After voting the phone keeps the receipts and nothing else: no code (in a key or a value), no marks, no
        # code in the address.
        stored = phone_driver.execute_script(
            "var o = {}; for (var i = 0; i < localStorage.length; i++) { var k = localStorage.key(i); o[k] = localStorage.getItem(k); } return o;")
        plain = [c.replace("-", "") for c in codes[:4]]
        dump = json.dumps(stored)
        assert not any(c in dump or c in dump.replace("-", "") for c in plain), "a used code is still on the phone"
        assert not [k for k in stored if k.startswith("pingyi.vote.")], "a draft ballot is still on the phone"
        assert "good" not in dump and "fairly_good" not in dump, "marks are still on the phone"
        assert [r["receipt"] for r in json.loads(stored["pingyi.receipts"])] == receipts
        assert phone_driver.execute_script("return location.hash") == ""
        assert phone_driver.execute_script("return document.getElementById('code').value") == ""
        # A used code says so.
        phone.open("/v#" + codes[1])
        phone.text_appears("#code-error", "已经投过票")
        phone.open("/v")
        phone.fill("#code", codes[1])
        phone.click("#code-form button")
        phone.text_appears("#code-error", "已经投过票")

        # A half-filled ballot survives a reload, kept on the phone only.
        vote_on_phone(phone, server.url + "/v#" + codes[4], "较好", stop_after=2)
        phone.screenshot("vote-phone")
        phone_driver.refresh()
        phone.open("/v#" + codes[4])
        phone.visible("#step-vote")
        assert "已完成 2 / 11" in phone.el("#progress-text").text
        # Walk: 继续投票 goes on at the first secretary not yet rated (it restarted at secretary 1 of 9).
        phone.text_appears("#who-index", "3 / 11")
        phone.screenshot("vote-resumed-at-third-phone")
        phone.click("#to-review")
        phone.visible("#step-review")
        assert "栏未选，将按弃权计" in phone.el("#summary").text
        phone.click("#submit")
        phone.visible("#step-done")
        receipts.append(phone.el("#receipt").text)
        # Walk: the receipts page linked right after voting said "该轮次不存在或尚未封箱"; before the seal it says when
        # the receipts will show.
        phone.click("#receipts-link")
        phone.text_appears("#r-title", "回执码尚未公示")
        assert "封箱后" in phone.visible("#r-pending").text and "不存在" not in phone.el("body").text
        phone.screenshot("receipts-before-seal-phone")

        # The projector sees counts only.
        meeting = api(server, chair, "GET", base + "/meeting")
        live = requests.get(server.url + "/api/v1/live/" + meeting["projectorPath"].split("/")[-1]).json()
        assert live["round"]["received"] == 5 and live["round"]["issued"] == 27

        # Seal; two tellers key paper sheet 1 alike and sheet 2 differently; the scrutineer decides sheet 2.
        console.click("#box-actions [data-action=seal]")
        # Walk: the seal dialog describes scanning as the main path (it described keying).
        console.dialog("不再接收手机选票", "扫描（主要方式）")
        console.screenshot("seal-dialog-scanning-desktop")
        console.confirm_dialog("不再接收手机选票")
        console.flash("已封箱")
        layout_len = 11 * 18
        t1, t2, sc = login(server, "teller1", "pass-teller1"), login(server, "teller2", "pass-teller2"), login(server, "scrutineer", "pass-scrutineer")
        tally = Page(console.driver, server.url)
        console.click("#logout")
        console.visible("#login-panel")
        console.fill("#username", "teller1")
        console.fill("#password", "pass-teller1")
        console.click("#login-form button")
        console.visible("#campaign-panel")
        tally.open(f"/campaigns/{cid}/tally")
        tally.text_appears("#t-round", "已封箱")
        # the teller takes a sheet out of the box and numbers it; the number fills the entry form
        tally.click("#number-submit")
        tally.flash("已编为第 1 号")
        assert tally.el("#serial").get_attribute("value") == "1"
        for box in tally.all("#entry-grid input.marks"):
            box.send_keys("1" * int(box.get_attribute("data-length")))
        tally.click("#entry-submit")
        tally.flash("第 1 号：已录入一次")
        tally.screenshot("tally-desktop")
        # the sheet out of the box is one form's (the first), so its keying is that form's cells only
        api(server, t2, "POST", base + f"/rounds/{round_id}/sheets/1/entry", {"marks": "1" * layout_len}, expect=422)
        api(server, t2, "POST", base + f"/rounds/{round_id}/sheets/1/entry", {"marks": "1" * (layout_len // 3)})
        group_id = api(server, chair, "GET", base)["raterGroups"][0]["id"]
        assert api(server, t1, "POST", base + f"/rounds/{round_id}/sheets", {"raterGroupID": group_id})["serial"] == 2
        api(server, t1, "POST", base + f"/rounds/{round_id}/sheets/2/entry", {"marks": "2" * layout_len})
        api(server, t2, "POST", base + f"/rounds/{round_id}/sheets/2/entry", {"marks": "3" + "2" * (layout_len - 1)})
        api(server, chair, "POST", base + f"/rounds/{round_id}/count", expect=409)
        api(server, sc, "POST", base + f"/rounds/{round_id}/sheets/2/decision", {"marks": "2" * layout_len})
        # 清点票数 before the count: sheet 1 is one sheet of the first form, sheet 2 a whole set (as old rounds had), which
        # counts once in every form's box count
        api(server, chair, "POST", base + f"/rounds/{round_id}/count", expect=409)
        api(server, t1, "PUT", base + f"/rounds/{round_id}/box-counts", {"counts": [2, 1, 1]})
        counted = api(server, chair, "POST", base + f"/rounds/{round_id}/count")
        assert counted["state"] == "counted"
        assert counted["reconciliation"] == {"issued": 27, "returned": 7, "valid": 7, "void": 0, "unreturned": 20,
                                             "codes": {"issued": 25, "returned": 5}, "sheets": {"issued": 2, "returned": 2},
                                             "forms": [{"formID": f["id"], "formName": f["name"], "issued": 2, "returned": r, "void": 0}
                                                       for f, r in zip(api(server, chair, "GET", base)["forms"], [2, 1, 1])],
                                             "verdict": "valid", "verdictLabel": "有效", "summary": "发出 27 张，收回 7 张（有效 7，无效 0）"}

        # The receipts are public, and each phone finds its own.
        page = Page(phone_driver, server.url)
        page.open(f"/receipts/{round_id}")
        page.text_appears("#r-title", "共 5 张")
        page.fill("#find", receipts[0])
        page.text_appears("#found", "已计入")
        listed = [li.text for li in page.all("#list li")]
        assert sorted(listed) == listed and set(receipts) <= set(listed)
        page.screenshot("receipts-phone")

        # The server's log holds no voting code and no ballot.
        log = server.output()
        assert "POST /api/v1/vote" in log or "/api/v1/vote" in log
        for code in codes:
            assert code not in log and code.replace("-", "") not in log, "a voting code reached the log"
            # nor its stored hash (finding 10: Fluent logged the code rows it inserted, hashes and all)
            digest = hashlib.sha256(("pingyi-code:" + code.replace("-", "")).encode()).hexdigest()
            assert digest not in log and digest.upper() not in log, "a voting code's hash reached the log"
        assert "1" * 40 not in log and "2" * 40 not in log, "a ballot body reached the log"
    finally:
        for d in drivers:
            d.quit()
        server.stop()
