"""Issue 23: every page that shows live data redraws by key. A change made elsewhere while someone is reaching for a
button or typing (another desk's check-in, another clerk's score, another teller's sheet, the department's edit) shows
on the page, and the button under the finger is the same button and the typed text stays as typed — the console's
test (test_day_without_traps) for the results, tally, check-in and ledger pages. No sleeps: each step waits for the
page to show the change."""
import uuid
from contextlib import contextmanager

from selenium.webdriver.common.by import By

from browser import Page, make_driver
from conftest import Server
from omr_pages import open_paper_round
from test_day_without_traps import admin_in_browser, browser_login
from test_results_browser import count_demo_round
from test_vote_browser import admin_password, api, login


def row(page, table, row_id):
    return page.el(f"#{table} tbody tr[data-id='{row_id}']")


@contextmanager
def fresh(tmp_path, width=1280, height=900):
    """A fresh server with the demo and a browser of the given size, nobody signed in there: (server, driver,
    admin password, admin token)."""
    server = Server(str(tmp_path))
    driver = make_driver(width, height)
    try:
        password = admin_password(server)
        yield server, driver, password, login(server, "admin", password)
    finally:
        driver.quit()
        server.stop()


def test_check_in_keeps_the_button_and_the_typed_code_while_another_desk_checks_in(tmp_path):
    with admin_in_browser(tmp_path) as (server, driver, page, password, token, cid, base):
        api(server, token, "POST", base + "/status", {"status": "meeting"})
        people = [p for p in api(server, token, "GET", base + "/participants") if p["role"] == "attendee"]
        first, other = people[0], people[1]
        page.open(f"/campaigns/{cid}/check-in")
        page.el("#conn[data-status=open]")
        button = page.visible(f"[data-check-in='{first['id']}']")
        page.fill("#code", "AB12")
        # Another desk checks someone else in: this page hears it and shows it.
        api(server, token, "POST", base + "/check-in", {"participantID": other["id"]})
        page.text_appears("#summary", "实到 1 人")
        page.el(f"[data-undo='{other['id']}']")
        assert button.is_displayed(), "the 签到 button under the teller's finger was redrawn by another desk's check-in"
        assert page.el("#code").get_attribute("value") == "AB12", "a live change wiped the typed code"
        button.click()
        page.text_appears("#summary", "实到 2 人")
        page.el(f"[data-undo='{first['id']}']")
        page.screenshot("live-check-in-desktop")


def test_check_in_on_a_phone_puts_the_code_field_first(tmp_path):
    """Walk: the teller's check-in page on a phone put the code field below five attendance cards; 撤销签到 was the
    browser's native confirm() box and its answer showed at the top of a long page."""
    with fresh(tmp_path, 360, 740) as (server, driver, password, token):
        cid = api(server, token, "GET", "/api/v1/campaigns")[0]["id"]
        api(server, token, "POST", f"/api/v1/campaigns/{cid}/status", {"status": "meeting"})
        people = [p for p in api(server, token, "GET", f"/api/v1/campaigns/{cid}/participants") if p["role"] == "attendee"]
        late = people[-1]
        api(server, token, "POST", f"/api/v1/campaigns/{cid}/check-in", {"participantID": late["id"]})
        page = Page(driver, server.url)
        browser_login(page, password)
        page.open(f"/campaigns/{cid}/check-in")
        page.text_appears("#summary", "应到")
        code = page.visible("#code")
        assert code.location["y"] < page.el("#summary").location["y"], "the code field is below the attendance"
        assert code.location["y"] + code.size["height"] < 740, "the code field is not on the first screen"
        page.screenshot("check-in-code-first-phone")
        # 撤销 far down the list: the shared dialog says what it does; the answer shows on the screen.
        undo = page.el(f"[data-undo='{late['id']}']")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", undo)
        undo.click()
        page.dialog("撤销 " + late["name"] + " 的签到", "计为未到")
        page.screenshot("check-in-undo-dialog-phone")
        page.confirm_dialog("撤销签到")
        page.flash("已撤销 " + late["name"] + " 的签到")
        assert driver.execute_script("var r = document.getElementById('flash').getBoundingClientRect(); "
                                     "return r.top >= 0 && r.bottom <= innerHeight;"), "the answer is out of view"
        page.text_appears("#summary", "实到 0 人")
        assert not [p for p in api(server, token, "GET", f"/api/v1/campaigns/{cid}/participants") if p.get("checkedInAt")]


def test_results_keep_the_typed_score_and_the_save_button_while_another_clerk_saves(tmp_path):
    with admin_in_browser(tmp_path) as (server, driver, page, password, token, cid, base):
        count_demo_round(server, token)
        reportees = api(server, token, "GET", base + "/results")["reportees"]
        mine, theirs = reportees[0], reportees[1]
        page.open(f"/campaigns/{cid}/results")
        mine_row = row(page, "assessment-table", mine["reporteeID"])
        daily = mine_row.find_element(By.CSS_SELECTOR, "input[type=number]")
        daily.clear()
        daily.send_keys("88")
        save = mine_row.find_element(By.XPATH, ".//button[normalize-space()='保存']")
        pick = row(page, "summary", mine["reporteeID"]).find_element(By.CSS_SELECTOR, "input.pick")
        pick.click()
        # Another clerk saves a score for someone else: the page shows it.
        api(server, token, "PUT", base + f"/assessments/{theirs['reporteeID']}", {"scores": {"daily": 77}, "veto": None})
        page.wait.until(lambda d: row(page, "assessment-table", theirs["reporteeID"])
                        .find_element(By.CSS_SELECTOR, "input[type=number]").get_attribute("value") == "77",
                        "the page shows the other clerk's score")
        assert daily.get_attribute("value") == "88", "a refresh wiped the typed score"
        assert save.is_displayed() and pick.is_selected(), "a refresh redrew the row under the clerk's finger"
        save.click()
        page.flash(f"已保存 {mine['name']} 的考核录入")
        saved = next(r for r in api(server, token, "GET", base + "/results")["reportees"] if r["reporteeID"] == mine["reporteeID"])
        assert [p["score"] for p in saved["assessment"]["parts"] if p["component"] == "daily"] == [88]
        page.screenshot("live-results-desktop")


def test_tally_keeps_the_typed_marks_while_another_teller_numbers_a_sheet(tmp_path):
    with fresh(tmp_path) as (server, driver, password, token):
        base, detail, rid = open_paper_round(api, server, token, lambda i: 3 if i == 0 else 0)
        cid = base.split("/")[-1]
        for name in ["teller1", "teller2"]:
            api(server, token, "POST", "/api/v1/users", {"username": name, "displayName": name, "role": "teller",
                                                          "orgUnitID": detail["campaign"]["orgUnitID"], "password": "pass-" + name})
        api(server, token, "POST", base + f"/rounds/{rid}/seal")
        t2 = login(server, "teller2", "pass-teller2")
        group = detail["raterGroups"][0]["id"]
        second_form = detail["forms"][1]

        def number(form_index):
            return api(server, t2, "POST", base + f"/rounds/{rid}/sheets",
                       {"raterGroupID": group, "formIndex": form_index, "page": 0, "requestKey": uuid.uuid4().hex})["serial"]

        assert number(1) == 1
        page = Page(driver, server.url)
        browser_login(page, "pass-teller1", user="teller1")
        page.open(f"/campaigns/{cid}/tally")
        page.text_appears("#sheet-table tbody", second_form["name"])
        withdraw = row(page, "sheet-table", 1).find_element(By.XPATH, ".//button[normalize-space()='撤销编号']")
        # Walk: the grid follows the number as it is typed (it showed the first form until the field lost focus).
        page.el("#serial").send_keys("1")
        page.text_appears("#entry-grid thead", second_form["name"])
        boxes = page.all("#entry-grid input.marks")
        boxes[0].send_keys("12")
        # Another teller numbers a sheet: the list shows it.
        assert number(0) == 2
        row(page, "sheet-table", 2)
        assert page.el("#serial").get_attribute("value") == "1" and page.all("#entry-grid input.marks")[0].get_attribute("value") == "12", \
            "a refresh wiped what the teller keyed"
        assert withdraw.is_displayed(), "the row under the teller's finger was redrawn by another teller's sheet"
        boxes = page.all("#entry-grid input.marks")
        boxes[0].clear()
        for box in boxes:
            box.send_keys("1" * int(box.get_attribute("data-length")))
        page.click("#entry-submit")
        page.flash("第 1 号：已录入一次")
        page.screenshot("live-tally-desktop")


def test_a_ledger_item_keeps_the_typed_note_and_the_button_while_the_department_edits_it(tmp_path):
    with fresh(tmp_path, 360, 740) as (server, driver, password, token):
        units = api(server, token, "GET", "/api/v1/org-units")
        account = api(server, token, "POST", "/api/v1/users", {"username": "wangjh", "displayName": "王建华", "role": "reportee",
                                                              "orgUnitID": units[0]["id"], "password": "wangjh-pass-2026"})
        item = api(server, token, "POST", "/api/v1/rectification", {
            "orgUnitID": units[0]["id"], "source": "inspection", "problem": "村级集体经济薄弱", "plan": "制定三年计划",
            "linkedLeader": "区委副书记 张某", "responsibleUnit": units[0]["name"], "responsiblePerson": "王建华",
            "ownerUserID": account["id"], "deadline": "2099-12-31"})["item"]
        owner_token = login(server, "wangjh", "wangjh-pass-2026")
        api(server, owner_token, "POST", f"/api/v1/rectification/{item['id']}/actions", {"action": "acknowledge"})
        page = Page(driver, server.url)
        browser_login(page, "wangjh-pass-2026", user="wangjh")
        page.open(f"/rectification/{item['id']}")
        page.text_appears("#i-state", "已签收")
        progress = page.visible("button[data-action=progress]")
        page.fill("#a-note", "已召开专题会议部署。")
        # The department edits the plan meanwhile: the secretary's page shows it.
        api(server, token, "PATCH", f"/api/v1/rectification/{item['id']}", {"plan": "制定三年计划，年底前每村落实一个增收项目"})
        page.text_appears("#v-plan", "每村落实一个增收项目")
        assert page.el("#a-note").get_attribute("value") == "已召开专题会议部署。", "a refresh wiped the typed note"
        assert progress.is_displayed(), "the 报送进展 button was redrawn under the secretary's finger"
        progress.click()
        page.text_appears("#i-state", "整改中")
        page.text_appears("#i-history tbody", "已召开专题会议部署。")
        page.screenshot("live-ledger-item-phone")
        # Walk: on a phone 申请销号's refusal showed at the top of the page while the secretary was at 办理; it shows
        # beside the button, on the screen.
        request = page.visible("button[data-action=request_close]")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", request)
        request.click()
        note = page.visible("#a-buttons .near-error")
        assert "佐证材料" in note.text, note.text
        assert driver.execute_script("var r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight;", note), \
            "the refusal is out of view"
        page.screenshot("ledger-item-close-refused-beside-button-phone")
