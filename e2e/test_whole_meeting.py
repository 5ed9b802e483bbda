"""Issue 8: the seed's meeting end to end in real browsers against a fresh `pingyi serve` on an empty SQLite file.

The admin checks the demo and opens the meeting; a teller checks 30 attendees in by card code; the chair runs the
four on-site reports (10-second limits) with comments while the projector shows the clock; the chair opens the box;
30 phone-sized browsers (360×740) vote with their codes; two paper sheets are keyed twice; the chair seals and counts;
the results page, the XLSX export and the published notice carry the counted numbers; a comment becomes a ledger
item. Then every main page is photographed at desktop and phone width (e2e/artifacts/), checked for Chinese, for
sideways scrolling on the phone, for unlabeled controls, and for its print styles. Each failure names its step."""
import contextlib
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor

import openpyxl
import requests
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC

from browser import Page, make_driver
from conftest import Server
from test_setup_browser import login
from test_vote_browser import admin_password, api, login as api_login, vote_on_phone

GRADES = ["好", "较好", "一般", "差"]
#: What voter i marks everywhere: 12 好, 9 较好, 6 一般, 3 差.
VOTER_GRADES = ["好"] * 12 + ["较好"] * 9 + ["一般"] * 6 + ["差"] * 3


@contextlib.contextmanager
def step(name):
    try:
        yield
    except Exception as error:  # the failure names the step, then the cause
        raise AssertionError(f"步骤“{name}”失败 / step failed: {name}: {error}") from error


def unlabeled_controls(driver):
    """Visible form controls with no accessible name (label, aria-label, wrapping label, or a button's text)."""
    return driver.execute_script("""
        var out = [];
        document.querySelectorAll('input, select, textarea, button').forEach(function (e) {
          if (e.type === 'hidden' || !(e.offsetWidth || e.offsetHeight)) return;
          var named = e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || e.getAttribute('title') ||
            (e.id && document.querySelector('label[for="' + e.id + '"]')) || e.closest('label') ||
            ((e.tagName === 'BUTTON') && e.textContent.trim());
          if (!named) out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.name ? '[name=' + e.name + ']' : ''));
        });
        return out;""")


def print_view_hides_the_chrome(driver):
    """Under print media the top bar, the footer and every button are hidden."""
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        return driver.execute_script("""
            var shown = [];
            document.querySelectorAll('.topbar, .footer, button').forEach(function (e) {
              if (getComputedStyle(e).display !== 'none' && (e.offsetWidth || e.offsetHeight)) shown.push(e.tagName + (e.id ? '#' + e.id : ''));
            });
            return shown;""")
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def contrast_of(driver, css):
    """WCAG contrast ratio of an element's text against its background (walking up to the first opaque one)."""
    return driver.execute_script("""
        function rgb(s) { var m = s.match(/[\\d.]+/g).map(Number); return m; }
        function lum(c) { var a = c.slice(0, 3).map(function (v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
          return 0.2126 * a[0] + 0.7152 * a[1] + 0.0722 * a[2]; }
        var e = document.querySelector(arguments[0]), fg = rgb(getComputedStyle(e).color), n = e, bg = null;
        while (n) { var b = rgb(getComputedStyle(n).backgroundColor); if (b.length < 4 || b[3] > 0) { bg = b; break; } n = n.parentElement; }
        bg = bg || [255, 255, 255];
        var l1 = lum(fg), l2 = lum(bg);
        return (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);""", css)


def test_the_seed_meeting_end_to_end(tmp_path):
    server = Server(str(tmp_path))
    drivers = []

    def driver(width=1280, height=900):
        d = make_driver(width, height)
        drivers.append(d)
        return d

    try:
        password = admin_password(server)
        token = api_login(server, "admin", password)
        cid = api(server, token, "GET", "/api/v1/campaigns")[0]["id"]
        base = f"/api/v1/campaigns/{cid}"
        detail = api(server, token, "GET", base)
        district = detail["campaign"]["orgUnitID"]
        onsite = [r for r in detail["reportees"] if r["mode"] == "onsite"]
        for name, role in [("chair", "chair"), ("teller1", "teller"), ("teller2", "teller"), ("scrutineer", "scrutineer")]:
            api(server, token, "POST", "/api/v1/users", {"username": name, "displayName": name, "role": role,
                                                          "orgUnitID": district, "password": "pass-" + name})
        for r in onsite:
            api(server, token, "PATCH", base + f"/reportees/{r['id']}", {"timeLimitSeconds": 10})

        admin = Page(driver(), server.url)
        with step("管理员用键盘登录并检查演示活动"):
            admin.open("/")
            admin.visible("#username")
            body = admin.driver.find_element("css selector", "body")
            body.click()
            ActionChains(admin.driver).send_keys(Keys.TAB).perform()
            for _ in range(12):
                if admin.driver.switch_to.active_element.get_attribute("id") == "username":
                    break
                ActionChains(admin.driver).send_keys(Keys.TAB).perform()
            assert admin.driver.switch_to.active_element.get_attribute("id") == "username", "Tab never reaches the user name"
            ActionChains(admin.driver).send_keys("admin", Keys.TAB, password, Keys.ENTER).perform()
            admin.visible("#campaign-table")
            admin.click("#campaign-table a")
            admin.text_appears("#c-status", "筹备")
            assert admin.el("#c-demo").is_displayed(), "the demo is marked 演示"
            admin.wait.until(lambda d: len(admin.all("#reportee-table tbody tr")) == 11, "11 reportees")
            assert len(onsite) == 4

        with step("进入会议"):
            admin.click("#lifecycle [data-status=meeting]")
            admin.confirm_dialog("锁定")
            admin.text_appears("#c-status", "会议中")
            meeting = api(server, token, "GET", base + "/meeting")

        people = [p for p in api(server, token, "GET", base + "/participants") if p["role"] == "attendee"]
        teller = Page(driver(), server.url)
        with step("计票人按签到卡签到 30 人"):
            login(teller, "teller1", "pass-teller1")
            teller.open(f"/campaigns/{cid}/check-in")
            teller.el("#conn[data-status=open]")
            for person in people[:30]:
                teller.fill("#code", person["checkInCode"])
                teller.el("#code").send_keys(Keys.ENTER)
                teller.text_appears("#last", "签到成功：" + person["name"])
            teller.text_appears("#summary", "实到 30 人")

        projector = Page(driver(1280, 720), server.url)
        chair = Page(driver(), server.url)
        comments = {}
        with step("主持人主持四位书记会上述职并点评，大屏显示计时"):
            projector.open(meeting["projectorPath"])
            projector.el("#conn[data-status=open]")
            login(chair, "chair", "pass-chair")
            chair.open(f"/campaigns/{cid}/console")
            chair.el("#conn[data-status=open]")
            for n, r in enumerate(onsite):
                chair.text_appears("#stage-name", r["name"])
                chair.click("#stage-buttons [data-action=start]")
                projector.text_appears("#p-speaker", r["name"])
                projector.wait.until(lambda d: projector.el("#p-clock").get_attribute("data-phase") in ("running", "warning"), "the clock runs")
                assert re.fullmatch(r"00:(0\d|10)", projector.el("#p-clock").text), projector.el("#p-clock").text
                if n == 0:
                    projector.screenshot("whole-projector-running")
                time.sleep(1)
                chair.click("#stage-buttons [data-action=end]")
                chair.confirm_dialog("结束述职")
                chair.visible("#comment-form")
                comments[r["id"]] = f"{r['name']}同志抓基层党建责任落实较好，第 {n + 1} 条整改建议：村级集体经济发展仍需加力。"
                chair.fill("#comment", comments[r["id"]])
                chair.click("#comment-form button.primary")
                chair.flash("已保存对 " + r["name"] + " 的点评")
            chair.text_appears("#stage-name", "会上述职已全部完成")

        with step("主持人开启投票：30 个投票码、2 份纸质票"):
            chair.visible("#open-form")
            chair.el("#issue-table input[data-sheets]")
            sheets = chair.all("#issue-table input[data-sheets]")
            sheets[0].clear()
            sheets[0].send_keys("2")
            chair.click("#open-form button")
            chair.confirm_dialog("不能撤销")
            chair.flash("投票码 30 个，纸质票 2 份")
            chair.wait.until(EC.number_of_windows_to_be(3), "the slip and paper windows")
            main = chair.driver.current_window_handle
            codes, group_of = [], {}
            for handle in [h for h in chair.driver.window_handles if h != main]:
                chair.driver.switch_to.window(handle)
                chair.wait.until(lambda d: d.find_elements("css selector", ".slip-qr svg, img.omr-page, #paper-status"), "a pop-up")
                for slip in chair.all(".slip"):
                    code = slip.find_element("css selector", ".slip-code").text
                    codes.append(code)
                    # "…\n第 1 轮 · 党代表·群众代表": the group follows the first " · ".
                    group_of[code] = slip.find_element("css selector", ".slip-head").text.split("\n")[-1].split(" · ", 1)[1].strip()
                chair.driver.close()
            chair.driver.switch_to.window(main)
            assert len(codes) == 30, len(codes)
            round_id = api(server, token, "GET", base + "/rounds")[0]["id"]

        with step("手机投票页轻、对比度足、按钮够大"):
            phone = Page(driver(360, 740), server.url)
            phone.open("/v#" + codes[0])
            phone.visible("#step-vote")
            weight = phone.driver.execute_script("""
                var nav = performance.getEntriesByType('navigation')[0];
                return performance.getEntriesByType('resource').reduce(function (s, r) { return s + (r.encodedBodySize || r.transferSize || 0); },
                  nav.encodedBodySize || nav.transferSize || 0);""")
            assert 0 < weight < 100 * 1024, f"the voting page weighs {weight} bytes"
            smallest = phone.driver.execute_script(
                "return Math.min.apply(null, Array.prototype.map.call(document.querySelectorAll('#forms label'), function (l) { return l.getBoundingClientRect().height; })"
                ".filter(function (h) { return h > 0; }))")
            assert smallest >= 40, f"a grade button is only {smallest}px tall"
            for css in ["#forms label", "#who", "#next"]:
                ratio = contrast_of(phone.driver, css)
                assert ratio >= 4.5, f"{css} contrast {ratio:.2f}"
            assert phone.overflowing() == []

        with step("30 部手机（360×740）用投票码投票"):
            receipts = [None] * 30

            def vote(i):
                d = make_driver(360, 740)
                try:
                    receipts[i] = vote_on_phone(Page(d, server.url), server.url + "/v#" + codes[i], VOTER_GRADES[i])
                    if i == 0:
                        Page(d, server.url).screenshot("whole-vote-done-phone")
                finally:
                    d.quit()

            with ThreadPoolExecutor(max_workers=3) as pool:
                list(pool.map(vote, range(30)))
            assert all(receipts) and len(set(receipts)) == 30
            live = requests.get(server.url + "/api/v1/live/" + meeting["projectorPath"].split("/")[-1], timeout=10).json()
            assert live["round"]["received"] == 30 and live["round"]["issued"] == 32, live["round"]

        with step("主持人封箱"):
            chair.open(f"/campaigns/{cid}/console")
            chair.click("#box-actions [data-action=seal]")
            chair.confirm_dialog("不能撤销")
            chair.flash("已封箱")

        with step("两名计票人分别录入纸质票（每种评议表一张）"):
            cells = 11 * 6
            t2 = api_login(server, "teller2", "pass-teller2")
            teller.open(f"/campaigns/{cid}/tally")
            teller.text_appears("#t-round", "已封箱")
            serial = 0
            for digit in ["1", "2"]:
                for form in detail["forms"]:
                    serial += 1
                    teller.select("#number-form-page", form["name"])
                    teller.click("#number-submit")
                    teller.flash(f"已编为第 {serial} 号")
                    boxes = teller.all("#entry-grid input.marks")
                    assert len(boxes) == 11, len(boxes)
                    for box in boxes:
                        box.send_keys(digit * int(box.get_attribute("data-length")))
                    teller.click("#entry-submit")
                    teller.flash(f"第 {serial} 号：已录入一次")
                    api(server, t2, "POST", base + f"/rounds/{round_id}/sheets/{serial}/entry", {"marks": digit * cells})
            # 清点票数: two sheets of each form came out of the box
            for n in range(len(detail["forms"])):
                teller.fill(f"#box-count-{n}", "2")
            teller.click("#count-submit")
            teller.flash("已登记清点数")

        with step("主持人计票"):
            chair.open(f"/campaigns/{cid}/console")
            chair.click("#box-actions [data-action=count]")
            chair.confirm_dialog("不能撤销")
            chair.flash("第 1 轮计票完成")
            # counted: the console no longer offers a new round, it points to the results
            chair.visible("#box-done")
            assert not chair.el("#open-form").is_displayed()
            counted = api(server, token, "GET", base + "/rounds")[0]
            assert counted["reconciliation"] == {
                "issued": 32, "returned": 32, "valid": 32, "void": 0, "unreturned": 0, "codes": {"issued": 30, "returned": 30},
                "sheets": {"issued": 2, "returned": 2}, "verdict": "valid", "verdictLabel": "有效",
                "forms": [{"formID": f["id"], "formName": f["name"], "issued": 2, "returned": 2, "void": 0} for f in detail["forms"]],
                "summary": "发出 32 张，收回 32 张（有效 32，无效 0）"}, counted

        expected = {"good": 12 + 1, "fairlyGood": 9 + 1, "average": 6, "poor": 3, "abstentions": 0, "voids": 0, "valid": 32}
        with step("评议结果与手工计数一致"):
            results = api(server, token, "GET", base + "/results")
            for r in results["reportees"]:
                for form in r["forms"]:
                    for column in form["columns"]:
                        assert column["counts"] == expected, (r["name"], form["name"], column["name"], column["counts"])
            # By hand: each rater group's mean points from what its phones (and, for the first group, the two paper
            # sheets: 好 and 较好) cast, then the demo's weights 区领导 0.3, 部门负责人 0.3, 党代表·群众代表 0.4.
            points = {"好": 100, "较好": 80, "一般": 60, "差": 40}
            cast = {}
            for i, code in enumerate(codes):
                cast.setdefault(group_of[code], []).append(points[VOTER_GRADES[i]])
            first_group = detail["raterGroups"][0]["name"]
            cast[first_group] += [100, 80]
            weights = {g["name"]: detail["rules"]["raterGroupWeights"][g["id"]] for g in detail["raterGroups"]}
            composite = sum(weights[g] * sum(v) / len(v) for g, v in cast.items()) / sum(weights[g] for g in cast)
            for r in results["reportees"]:
                assert abs(r["composite"] - composite) < 1e-9, (r["name"], r["composite"], composite)
                by_group = {g["raterGroup"]: g["counts"]["valid"] for g in r["forms"][0]["columns"][0]["byGroup"]}
                assert by_group == {g: len(v) for g, v in cast.items()}, by_group
            admin.open(f"/campaigns/{cid}/results")
            admin.text_appears("#summary tbody", results["reportees"][0]["name"])
            assert len(admin.all("#summary tbody tr")) == 11
            assert f"{composite:.2f}" in admin.el("#summary tbody").text

        with step("导出 Excel 与结果一致"):
            r = requests.get(server.url + base + "/results.xlsx", headers={"Authorization": f"Bearer {token}"}, timeout=30)
            path = tmp_path / "results.xlsx"
            path.write_bytes(r.content)
            book = openpyxl.load_workbook(path)
            rows = list(book["汇总"].iter_rows(values_only=True))
            assert [row[1] for row in rows[1:]] == [x["name"] for x in results["reportees"]]
            assert all(list(row[8:14]) == [13, 10, 6, 3, 0, 0] for row in rows[1:])

        with step("发布结果公示，公众在手机上查看"):
            admin.click("#pick-all")
            admin.click("#publish-form button.primary")
            admin.confirm_dialog("冻结")
            admin.flash("已发布公示")
            notice_url = admin.el("#publications tbody a").get_attribute("href")
            phone.driver.get(notice_url)
            phone.text_appears("#n-rows tbody", results["reportees"][0]["name"])
            assert len(phone.all("#n-rows tbody tr")) == 11
            assert re.search(r"系统操作记录第 \d+ 条的校验码为：\s*[0-9a-f]{64}", phone.el("#n-audit").text), phone.el("#n-audit").text
            assert phone.overflowing() == []

        with step("点评列入整改台账"):
            first = onsite[0]
            admin.open(f"/campaigns/{cid}/minutes")
            admin.text_appears("#n-speakers tbody", comments[first["id"]])
            admin.click_text("列入整改", tag="a")
            admin.wait.until(lambda d: admin.el("#f-problem").get_attribute("value") == comments[first["id"]], "the comment pre-filled")
            admin.fill("#f-plan", "制定村级集体经济发展计划。")
            admin.fill("#f-leader", "区委副书记")
            admin.click("#save")
            admin.text_appears("#i-state", "已下发")
            item_path = "/rectification/" + admin.driver.current_url.rstrip("/").split("/")[-1]

        rid = results["reportees"][0]["reporteeID"]
        pages = [
            ("/", "#campaign-table", "home"), (f"/campaigns/{cid}", "#reportee-table tbody tr", "campaign"),
            (f"/campaigns/{cid}/check-in", "#people tbody tr", "checkin"), (f"/campaigns/{cid}/console", "#speakers tbody tr", "console"),
            (f"/campaigns/{cid}/minutes", "#n-speakers tbody tr", "minutes"), (f"/campaigns/{cid}/tally", "#t-round", "tally"),
            (f"/campaigns/{cid}/results", "#summary tbody tr", "results"), (f"/campaigns/{cid}/results/{rid}", "#s-columns tbody tr", "sheet"),
            ("/overview", "#o-table tbody tr", "overview"), ("/rectification", "#ledger tbody tr", "ledger"),
            (item_path, "#i-history tbody tr", "ledger-item"), ("/orgs", "#org-table tbody tr", "orgs"), ("/users", "#user-table tbody tr", "users"),
            ("/account", "#password-form", "account"), (meeting["projectorPath"], "#p-speaker", "projector"),
            (f"/receipts/{round_id}", "#list li", "receipts"), ("/gongshi", "#n-list li", "notices"), ("/v", "#code", "vote-code"),
        ]
        printable = {"minutes", "results", "sheet", "overview", "ledger", "receipts", "notices"}
        wide = Page(admin.driver, server.url)
        narrow = Page(driver(360, 740), server.url)
        login(narrow, "admin", password)
        for path, marker, name in pages:
            with step(f"页面 {name}：桌面与手机截图、中文、无横向滚动、控件有标签、打印样式"):
                for page, suffix in [(wide, "desktop"), (narrow, "phone")]:
                    page.open(path)
                    page.el(marker)
                    time.sleep(0.2)
                    assert page.driver.find_element("css selector", "html").get_attribute("lang") == "zh-CN"
                    text = page.driver.find_element("css selector", "body").text
                    assert re.search(r"[\u4e00-\u9fff]", text), f"{path} shows no Chinese"
                    assert "undefined" not in text and "null" not in text.split(), f"{path} shows a raw value"
                    assert page.csp_violations() == [], f"{path} broke the Content-Security-Policy"
                    if suffix == "phone":
                        assert page.overflowing() == [], f"{path} scrolls sideways: {page.overflowing()}"
                    else:
                        assert unlabeled_controls(page.driver) == [], f"{path}: controls without a label"
                        if name in printable:
                            assert print_view_hides_the_chrome(page.driver) == [], f"{path} prints its buttons"
                    page.screenshot(f"whole-{name}-{suffix}")
    finally:
        for d in drivers:
            with contextlib.suppress(Exception):
                d.quit()
        server.stop()
