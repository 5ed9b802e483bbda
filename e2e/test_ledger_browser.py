"""Issue 7 as a new user would try it: the chair's comment on 王建华 becomes a ledger item from the minutes page in one
click; the secretary (on a 360 px phone) signs it, reports progress, uploads evidence and asks to close; the
department closes it, the public notice shows it, 回头看 reopens it; the XLSX export shows the item and its history."""
import os
import re

import openpyxl
import requests

from browser import Page, make_driver
from conftest import Server
from test_setup_browser import login
from test_vote_browser import admin_password, api
from test_vote_browser import login as api_login

COMMENT = "抓党建责任落实到位，但村级集体经济发展仍需加力。"


def test_a_comment_becomes_an_item_that_is_closed_and_reopened(tmp_path):
    server = Server(str(tmp_path))
    desktop = make_driver()
    phone = make_driver(360, 740)
    try:
        password = admin_password(server)
        token = api_login(server, "admin", password)
        campaign = api(server, token, "GET", "/api/v1/campaigns")[0]
        cid = campaign["id"]
        base = f"/api/v1/campaigns/{cid}"
        detail = api(server, token, "GET", base)
        wang = next(r for r in detail["reportees"] if r["name"] == "王建华")
        units = api(server, token, "GET", "/api/v1/org-units")
        account = api(server, token, "POST", "/api/v1/users", {"username": "wangjh", "displayName": "王建华", "role": "reportee",
                                                              "orgUnitID": units[0]["id"], "password": "wangjh-pass-2026"})
        api(server, token, "PATCH", base + f"/reportees/{wang['id']}", {"userID": account["id"]})
        api(server, token, "POST", base + "/status", {"status": "meeting"})
        api(server, token, "GET", base + "/meeting")
        api(server, token, "POST", base + f"/speeches/{wang['id']}/start")
        api(server, token, "POST", base + f"/speeches/{wang['id']}/end")
        api(server, token, "POST", base + f"/speeches/{wang['id']}/comment", {"text": COMMENT})

        # The department: from the minutes, one click to a pre-filled item.
        admin = Page(desktop, server.url)
        login(admin, "admin", password)
        admin.open(f"/campaigns/{cid}/minutes")
        admin.text_appears("#n-speakers tbody", COMMENT)
        admin.click_text("列入整改", tag="a")
        admin.wait.until(lambda d: admin.el("#f-problem").get_attribute("value") == COMMENT, "the draft carries the comment")
        assert admin.el("#f-person").get_attribute("value") == "王建华"
        assert admin.el("#f-source").get_attribute("value") == "chair_comment"
        admin.fill("#f-plan", "制定村级集体经济发展三年计划，年底前每村落实一个增收项目。")
        admin.fill("#f-leader", "区委副书记 张某")
        # 责任单位 picked from the org tree (issue 23's walk): the name follows the pick, the dashboard counts under it.
        from selenium.webdriver.support.ui import Select
        admin.wait.until(lambda d: len(admin.all("#f-units option")) > 1, "the org tree in the picker")
        picker = Select(admin.el("#f-units"))
        # A unit that is neither the campaign's (the item is filed under it) nor 王建华's, so the dashboard's row can
        # only come from the pick.
        filed = {u["id"]: u["name"] for u in units}[campaign["orgUnitID"]]
        names = [o.text.strip("\u3000 ") for o in picker.options]
        picked = next(n for n in names[1:] if n not in (filed, wang["unitName"]))
        picker.select_by_index(names.index(picked))
        admin.wait.until(lambda d: admin.el("#f-unit-name").get_attribute("value") == picked, "the picked unit names the item")
        admin.screenshot("ledger-new-item-desktop")
        admin.click("#save")
        admin.text_appears("#i-state", "已下发")
        item_url = admin.driver.current_url
        item_id = item_url.rstrip("/").split("/")[-1]

        # The secretary on a phone: signs, reports, uploads evidence, asks to close.
        owner = Page(phone, server.url)
        login(owner, "wangjh", "wangjh-pass-2026")
        owner.open("/rectification")
        owner.text_appears("#ledger tbody", COMMENT)
        assert owner.no_horizontal_scroll(), owner.overflowing()
        owner.screenshot("ledger-phone")
        owner.open(f"/rectification/{item_id}")
        owner.click("button[data-action=acknowledge]")
        owner.text_appears("#i-state", "已签收")
        owner.fill("#a-note", "已制定三年计划，召开专题会议部署。")
        owner.click("button[data-action=progress]")
        owner.text_appears("#i-state", "整改中")
        evidence = tmp_path / "会议纪要.txt"
        evidence.write_text("专题会议纪要：落实增收项目 12 个。", encoding="utf-8")
        owner.el("#e-file").send_keys(str(evidence))
        owner.click("#e-upload")
        owner.text_appears("#i-files tbody", "会议纪要.txt")
        owner.fill("#a-note", "增收项目已全部落实。")
        owner.click("button[data-action=request_close]")
        owner.text_appears("#i-state", "申请销号")
        assert not owner.all("button[data-action=approve_close]"), "the responsible person cannot close their own item"
        assert owner.no_horizontal_scroll(), owner.overflowing()
        owner.screenshot("ledger-item-phone")

        # The department closes it; the public sees it; 回头看 reopens it.
        admin.open(f"/rectification/{item_id}")
        admin.text_appears("#i-state", "申请销号")
        admin.click("button[data-action=approve_close]")
        admin.dialog("同意销号", "销号后事项关闭")
        admin.screenshot("ledger-approve-close-dialog-desktop")
        admin.confirm_dialog("销号后事项关闭")
        admin.text_appears("#i-state", "已销号")
        notices = requests.get(server.url + "/api/v1/notices/rectification", timeout=10).json()
        assert [n["problem"] for n in notices] == [COMMENT]
        owner.open("/gongshi")
        owner.text_appears("#c-rows tbody", "村级集体经济")
        owner.screenshot("notices-closed-items-phone")
        # 回头看 that finds the fix holding (issue 23's walk): recorded, the item stays closed, and the public 整改成果
        # column shows what was done and confirmed, not the feedback mechanism text.
        admin.fill("#a-note", "回访 5 个村，增收项目均已见效。")
        admin.click("button[data-action=confirm]")
        admin.confirm_dialog("保持“已销号”")
        admin.text_appears("#i-history tbody", "回头看确认整改到位")
        assert "已销号" in admin.el("#i-state").text
        admin.screenshot("ledger-item-confirmed-desktop")
        owner.open("/gongshi")
        owner.text_appears("#c-rows tbody", "回头看确认：回访 5 个村")
        assert "增收项目已全部落实；回头看确认" in owner.el("#c-rows tbody").text  # no "。；"
        assert owner.no_horizontal_scroll(), owner.overflowing()
        owner.screenshot("notices-result-after-look-back-phone")
        admin.fill("#a-note", "回头看：部分项目进度滞后。")
        admin.click("button[data-action=reopen]")
        admin.confirm_dialog("回到“整改中”")
        admin.text_appears("#i-state", "整改中")
        admin.text_appears("#i-history tbody", "回头看重新整改")
        admin.screenshot("ledger-item-desktop")
        admin.open("/rectification")
        admin.text_appears("#ledger tbody", COMMENT)
        admin.text_appears("#dashboard tbody", "1")
        rows = [r.text for r in admin.all("#dashboard tbody tr")]
        assert len(rows) == 1 and rows[0].startswith(picked) and not rows[0].startswith(filed), (rows, filed)
        admin.screenshot("ledger-desktop")

        # The XLSX: the ledger row and the item's whole history.
        r = requests.get(server.url + "/api/v1/rectification.xlsx", headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert r.status_code == 200
        path = tmp_path / "ledger.xlsx"
        path.write_bytes(r.content)
        book = openpyxl.load_workbook(path)
        assert book.sheetnames == ["整改台账", "整改过程"]
        ledger = list(book["整改台账"].iter_rows(values_only=True))
        assert list(ledger[0]) == ["序号", "问题来源", "问题表现", "整改目标与措施", "挂钩领导", "责任单位/责任人", "完成时限", "整改进展",
                                   "佐证材料", "销号状态", "备注"]
        row = ledger[1]
        assert row[0] == 1 and row[1] == "述职点评" and row[2] == COMMENT and row[4] == "区委副书记 张某"
        assert "已制定三年计划" in row[7] and "会议纪要.txt" in row[8] and row[9] == "整改中" and "回头看重新整改 1 次" in row[10]
        history = list(book["整改过程"].iter_rows(values_only=True))
        actions = [h[3] for h in history[1:]]
        assert actions == ["下发", "签收", "报送进展", "上传佐证", "申请销号", "同意销号", "回头看确认整改到位", "回头看重新整改"], actions
        actors = {h[3]: h[2] for h in history[1:]}
        assert actors["签收"] == "王建华" and actors["同意销号"] == "系统管理员"
        assert any(h[4] == "申请销号 → 已销号" for h in history[1:])
        assert re.match(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", history[1][1])
    finally:
        desktop.quit()
        phone.quit()
        server.stop()
