"""Issue 17: a clerk's, a chair's and a voter's day without traps — each point checked in a real browser (or printed
to PDF), each check one that failed on the main branch before the fix."""
import os
import re

import requests
from selenium.webdriver.common.by import By

from browser import ROOT_JS, Page, make_driver
from conftest import Server
from test_results_browser import count_demo_round
from test_vote_browser import admin_password, api, login


def browser_login(page, password, user="admin"):
    page.open("/")
    page.fill("#username", user)
    page.fill("#password", password)
    page.click("#login-form button")
    page.visible("#campaign-panel")


def campaign_of(server, token):
    campaign = api(server, token, "GET", "/api/v1/campaigns")[0]
    return campaign["id"], f"/api/v1/campaigns/{campaign['id']}"


def test_the_lifecycle_asks_before_each_step_and_a_count_belongs_to_its_round(tmp_path):
    """Point 3 (and 10: no second round offered after a count). The campaign page shows where the campaign stands and
    keeps its steps in a quiet place; each step says what it does and can be cancelled; 计票 is a round's, never the
    campaign's; sealing and counting a round are confirmed with their consequences."""
    server = Server(str(tmp_path))
    driver = make_driver()
    try:
        password = admin_password(server)
        token = login(server, "admin", password)
        cid, base = campaign_of(server, token)
        page = Page(driver, server.url)
        browser_login(page, password)
        page.open(f"/campaigns/{cid}")
        page.text_appears("#lifecycle-steps", "会议中")
        assert page.el("#lifecycle-steps").text.split() == ["筹备", "会议中", "已发布", "归档"]
        assert not page.all("#lifecycle button.primary"), "a lifecycle step is never the page's big button"
        # Begin the meeting: the dialog says what locks; cancelling changes nothing.
        page.click("#lifecycle [data-status=meeting]")
        page.dialog("评议表、评议规则、评议人类别和述职对象将锁定", "签到码")
        page.cancel_dialog()
        assert api(server, token, "GET", base)["campaign"]["status"] == "preparing"
        page.click("#lifecycle [data-status=meeting]")
        page.confirm_dialog("锁定")
        page.text_appears("#c-status", "会议中")
        # In the meeting there is no way into a campaign-wide 计票: the page points to the round and the results.
        assert not page.all("#lifecycle [data-status=counting]") and not page.all("#lifecycle [data-status=published]")
        assert "计票" not in page.el("#lifecycle-steps").text
        api(server, token, "POST", base + "/status", {"status": "counting"}, expect=409)
        page.screenshot("traps-lifecycle-desktop")
        # A round: sealing and counting are each asked, with what they do; cancelling leaves the round as it was.
        people = [p for p in api(server, token, "GET", base + "/participants") if p["role"] == "attendee"]
        for person in people[:4]:
            api(server, token, "POST", base + "/check-in", {"participantID": person["id"]})
        opened = api(server, token, "POST", base + "/rounds", {})
        rounds = base + "/rounds"
        page.open(f"/campaigns/{cid}/console")
        page.click("#box-actions [data-action=seal]")
        page.dialog("不再接收手机选票", "不能撤销")
        page.cancel_dialog()
        assert api(server, token, "GET", rounds)[0]["state"] == "open"
        page.click("#box-actions [data-action=seal]")
        page.confirm_dialog()
        page.flash("已封箱")
        page.click("#box-actions [data-action=count]")
        page.dialog("本轮无效", "不能撤销")
        page.screenshot("traps-count-dialog-desktop")
        page.cancel_dialog()
        assert api(server, token, "GET", rounds)[0]["state"] == "sealed"
        page.click("#box-actions [data-action=count]")
        page.confirm_dialog()
        page.flash("计票完成")
        assert api(server, token, "GET", rounds)[0]["id"] == opened["round"]["id"]
        # Counted: no second round offered, the results are one click away.
        page.visible("#box-done")
        assert not page.el("#open-form").is_displayed()
        assert page.el("#box-results").get_attribute("href").endswith(f"/campaigns/{cid}/results")
    finally:
        driver.quit()
        server.stop()


def test_no_prompt_dialogs(tmp_path):
    """Point 5: moving a unit uses a searchable picker, a reset password is masked and typed twice, a time limit is a
    number field — all in <dialog>, validated, cancellable; no page script calls prompt()."""
    for name in os.listdir(ROOT_JS):
        with open(os.path.join(ROOT_JS, name), encoding="utf-8") as f:
            assert not re.search(r"\bprompt\s*\(", f.read()), f"{name} still calls prompt()"
    server = Server(str(tmp_path))
    driver = make_driver()
    try:
        password = admin_password(server)
        token = login(server, "admin", password)
        page = Page(driver, server.url)
        browser_login(page, password)
        # Move an org unit: type part of a name to find the new parent.
        units = api(server, token, "GET", "/api/v1/org-units")
        moving = next(u for u in units if u["name"] == "区教育党工委")
        target = next(u for u in units if u["name"] == "**镇党委")
        page.open("/orgs")
        page.text_appears("#org-table", "区教育党工委")
        row = page.el(f"#org-table tr[data-unit='{moving['id']}']")
        row.find_element(By.CSS_SELECTOR, "[data-action=move]").click()
        box = page.dialog("移动", "下级组织随之移动")
        search = box.find_element(By.CSS_SELECTOR, "input.unit-filter")
        search.send_keys("镇党委")
        options = box.find_elements(By.CSS_SELECTOR, "select.unit-picker option")
        assert [o.text.strip() for o in options] == ["**镇党委"], [o.text for o in options]
        options[0].click()
        page.screenshot("traps-move-dialog-desktop")
        box.find_element(By.CSS_SELECTOR, "button[value=ok]").click()
        page.flash("已移动到 **镇党委 之下")
        assert next(u for u in api(server, token, "GET", "/api/v1/org-units") if u["id"] == moving["id"])["parentID"] == target["id"]
        # Reset a password: masked, twice, mismatch refused in the dialog.
        user = api(server, token, "POST", "/api/v1/users", {"username": "clerk", "displayName": "王文书", "role": "teller",
                                                             "orgUnitID": target["id"], "password": "first-password"})
        page.open("/users")
        page.text_appears("#user-table", "clerk")
        page.driver.find_element(By.XPATH, "//tr[td[normalize-space()='clerk']]//button[normalize-space()='重置密码']").click()
        box = page.dialog("重置")
        fields = box.find_elements(By.CSS_SELECTOR, "input")
        assert [f.get_attribute("type") for f in fields] == ["password", "password"]
        fields[0].send_keys("new-password-1")
        fields[1].send_keys("new-password-2")
        box.find_element(By.CSS_SELECTOR, "button[value=ok]").click()
        page.text_appears("dialog[open] .dialog-error", "不一致")
        fields[1].clear()
        fields[1].send_keys("new-password-1")
        box.find_element(By.CSS_SELECTOR, "button[value=ok]").click()
        page.flash("已重置 clerk 的密码")
        r = requests.post(server.url + "/api/v1/session", json={"username": "clerk", "password": "new-password-1"}, timeout=10)
        assert r.status_code == 200 and user["username"] == "clerk"
        # A time limit: a number field that refuses nonsense before anything is sent.
        cid, base = campaign_of(server, token)
        page.open(f"/campaigns/{cid}")
        page.click("#reportee-table [data-action=limit]")
        box = page.dialog("发言时限")
        field = box.find_element(By.CSS_SELECTOR, "input[type=number]")
        field.clear()
        field.send_keys("0")
        box.find_element(By.CSS_SELECTOR, "button[value=ok]").click()
        page.text_appears("dialog[open] .dialog-error", "时限")
        field.clear()
        field.send_keys("10")
        box.find_element(By.CSS_SELECTOR, "button[value=ok]").click()
        page.flash("发言时限")
        first_onsite = next(r for r in api(server, token, "GET", base)["reportees"] if r["mode"] == "onsite")
        assert first_onsite["timeLimitSeconds"] == 600
    finally:
        driver.quit()
        server.stop()


def test_phone_tables_say_what_each_cell_is(tmp_path):
    """Point 1: on a 360 px phone every table cell carries its column's name, long tokens wrap, and nothing — text
    included — sticks out of its box: the public notice, a secretary's own sheet, the results and the ledger."""
    server = Server(str(tmp_path))
    phone = make_driver(360, 740)
    try:
        password = admin_password(server)
        token = login(server, "admin", password)
        base = count_demo_round(server, token)
        cid = base.split("/")[-1]
        results = api(server, token, "GET", base + "/results")
        ids = [r["reporteeID"] for r in results["reportees"][:2]]
        notice = api(server, token, "POST", base + "/publications", {"reporteeIDs": ids, "days": 5})
        page = Page(phone, server.url)
        page.open(notice["url"])
        page.text_appears("#n-rows", results["reportees"][0]["name"])

        def labels(table):
            return phone.execute_script(
                "return Array.from(document.querySelectorAll(arguments[0] + ' tbody tr:first-child td')).map(function (td) {"
                " return getComputedStyle(td, '::before').content; });", table)
        first = labels("#n-rows")
        assert first == ['"序号"', '"姓名"', '"单位"', '"职务"', '"好评率"', '"评议等次"', '"综合评定"'], first
        assert page.overflowing() == [], page.overflowing()
        page.screenshot("traps-notice-phone")
        # The seal under the notice wraps inside the phone's width.
        audit = page.el("#n-audit")
        assert audit.is_displayed() and audit.size["width"] <= 360
        # The admin's results and a sheet on the phone.
        browser_login(page, password)
        page.open(f"/campaigns/{cid}/results/{ids[0]}")
        page.text_appears("#s-columns", "总体评价")
        assert all(label not in ("none", '""') for label in labels("#s-columns")), labels("#s-columns")
        assert page.overflowing() == [], page.overflowing()
        page.screenshot("traps-sheet-phone")
        page.open(f"/campaigns/{cid}/results")
        page.text_appears("#summary", results["reportees"][0]["name"])
        assert '"好评率"' in labels("#summary")
        assert page.overflowing() == [], page.overflowing()
        page.screenshot("traps-results-phone")
    finally:
        phone.quit()
        server.stop()
