"""Issue 6 end to end: a counted demo round, the XLSX export read back with openpyxl against the results API, the CSV
with its BOM, a secretary's sheet printed to PDF in Chromium (one A4 page), the results page with assessment entry, and
the public notice at desktop and phone width."""
import base64
import csv
import io
import os
import random
import re
import subprocess

import openpyxl
import requests
from selenium.webdriver.common.print_page_options import PrintOptions

from browser import ARTIFACTS, Page, make_driver
from conftest import Server
from test_vote_browser import admin_password, api, login


def count_demo_round(server, token, voters=12, seed=6):
    """Meeting (unless the caller started it), `voters` checked in, each phone ballot random but reproducible; sealed and counted."""
    campaign = api(server, token, "GET", "/api/v1/campaigns")[0]
    base = f"/api/v1/campaigns/{campaign['id']}"
    if campaign["status"] != "meeting":
        api(server, token, "POST", base + "/status", {"status": "meeting"})
    people = [p for p in api(server, token, "GET", base + "/participants") if p["role"] == "attendee"]
    for person in people[:voters]:
        api(server, token, "POST", base + "/check-in", {"participantID": person["id"]})
    opened = api(server, token, "POST", base + "/rounds", {})
    rng = random.Random(seed)
    for n, issued in enumerate(opened["codes"]):
        ballot = requests.post(server.url + "/api/v1/vote/check", json={"code": issued["code"]}, timeout=10).json()
        compact = {r["id"]: {f["id"]: "".join(rng.choice("011112234") for _ in f["columns"]) for f in ballot["forms"]}
                   for r in ballot["reportees"]}
        r = requests.post(server.url + "/api/v1/vote", json={"code": issued["code"], "submissionID": f"results-e2e-{n:04d}", "ballot": compact}, timeout=10)
        assert r.status_code == 200, r.text
    round_id = opened["round"]["id"]
    api(server, token, "POST", base + f"/rounds/{round_id}/seal")
    api(server, token, "POST", base + f"/rounds/{round_id}/count")
    return base


def test_exports_match_the_results(tmp_path):
    server = Server(str(tmp_path))
    try:
        token = login(server, "admin", admin_password(server))
        base = count_demo_round(server, token)
        results = api(server, token, "GET", base + "/results")
        headers = {"Authorization": f"Bearer {token}"}
        # XLSX: the summary sheet row by row, and one sheet per secretary.
        r = requests.get(server.url + base + "/results.xlsx", headers=headers, timeout=30)
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
        path = tmp_path / "results.xlsx"
        path.write_bytes(r.content)
        book = openpyxl.load_workbook(path)
        assert book.sheetnames[0] == "汇总" and len(book.sheetnames) == 1 + len(results["reportees"])
        summary = book["汇总"]
        header = [c.value for c in summary[1]]
        assert header[:8] == ["名次", "姓名", "单位", "职务", "民主评议得分", "好评率", "差评率", "评议等次"]
        grade_labels = {"good": "好", "fairly_good": "较好", "average": "一般", "poor": "差", None: None}
        for row, expected in zip(summary.iter_rows(min_row=2, values_only=True), results["reportees"]):
            assert row[0] == expected["rank"] and row[1] == expected["name"] and row[2] == expected["unitName"]
            assert row[4] == (None if expected["composite"] is None else approx(expected["composite"]))
            assert row[5] == (None if expected["goodRate"] is None else approx(expected["goodRate"]))
            assert row[7] == grade_labels[expected["grade"]]
            # Each form: 好 较好 一般 差 弃权 废票 of the overall column, then 好评率 and 得分.
            for i, form in enumerate(expected["forms"]):
                counts = form["columns"][0]["counts"]
                cells = row[8 + i * 8: 8 + i * 8 + 6]
                assert list(cells) == [counts[k] for k in ["good", "fairlyGood", "average", "poor", "abstentions", "voids"]], (expected["name"], form["name"])
                assert all(isinstance(c, int) for c in cells), "counts are numbers, not text"
        assert summary.cell(row=2, column=6).number_format == "0.0%"
        first = results["reportees"][0]
        sheet = book[book.sheetnames[1]]
        assert first["name"] in book.sheetnames[1]
        rows = list(sheet.iter_rows(values_only=True))
        table = next(i for i, r in enumerate(rows) if r[0] == "评议表" and r[1] == "评议项目")
        for offset, column in enumerate(c for f in first["forms"] for c in f["columns"]):
            line = rows[table + 1 + offset]
            assert line[1] == column["name"]
            assert list(line[2:9]) == [column["counts"][k] for k in ["good", "fairlyGood", "average", "poor", "abstentions", "voids", "valid"]]
        # CSV: BOM first, Excel-readable, the same names in the same order.
        r = requests.get(server.url + base + "/results.csv", headers=headers, timeout=30)
        assert r.content.startswith(b"\xef\xbb\xbf")
        records = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        assert [rec[1] for rec in records[1:]] == [p["name"] for p in results["reportees"]]
    finally:
        server.stop()


def approx(x):
    class Near:
        def __eq__(self, other):
            return other is not None and abs(other - x) < 1e-9

        def __repr__(self):
            return f"≈{x}"
    return Near()


def pdf_pages(data, tmp_path):
    path = tmp_path / "sheet.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1)), info


def test_result_pages_in_the_browser(tmp_path):
    server = Server(str(tmp_path))
    desktop = make_driver()
    phone = make_driver(360, 740)
    try:
        password = admin_password(server)
        token = login(server, "admin", password)
        base = count_demo_round(server, token)
        cid = base.split("/")[-1]
        results = api(server, token, "GET", base + "/results")
        page = Page(desktop, server.url)
        page.open("/")
        page.fill("#username", "admin")
        page.fill("#password", password)
        page.click("#login-form button")
        page.visible("#campaign-table")
        # The results page: enter an assessment for the first secretary through the form.
        page.open(f"/campaigns/{cid}/results")
        page.text_appears("#summary tbody", results["reportees"][0]["name"])
        first_row = page.all("#assessment-table tbody tr")[0]
        for field, value in zip(first_row.find_elements("css selector", "input[type=number]"), ["90", "85", "88"]):
            field.clear()
            field.send_keys(value)
        first_row.find_element("xpath", ".//button[normalize-space()='保存']").click()
        page.flash("已保存")
        first = api(server, token, "GET", base + "/results")["reportees"][0]
        assert [p["score"] for p in first["assessment"]["parts"]] == [first["composite"], 90, 85, 88]
        assert page.wait.until(lambda d: first["assessment"]["gradeLabel"] in page.all("#summary tbody tr")[0].text)
        page.screenshot("results-desktop")
        # Publish the first two through the form.
        for box in page.all("input.pick")[:2]:
            box.click()
        page.click("#publish-form button.primary")
        page.confirm_dialog("冻结")
        page.flash("已发布公示")
        page.visible("#publications")
        notice_url = page.el("#publications tbody a").get_attribute("href")
        # The sheet: numbers on screen, charts loaded, and it prints on one A4 page.
        rid = first["reporteeID"]
        page.open(f"/campaigns/{cid}/results/{rid}")
        page.text_appears("#s-name", first["name"])
        page.text_appears("#s-final", first["assessment"]["gradeLabel"])
        assert page.wait.until(lambda d: d.execute_script(
            "return ['chart-grades','chart-groups'].every(function (id) { var i = document.getElementById(id); return i.complete && i.naturalWidth > 0; })"))
        page.screenshot("sheet-desktop")
        a4 = PrintOptions()
        a4.page_width, a4.page_height = 21.0, 29.7
        pdf = base64.b64decode(desktop.print_page(a4))
        pages, info = pdf_pages(pdf, tmp_path)
        os.makedirs(ARTIFACTS, exist_ok=True)
        with open(os.path.join(ARTIFACTS, "sheet-a4.pdf"), "wb") as f:
            f.write(pdf)
        assert pages == 1, f"the sheet printed on {pages} pages:\n{info}"
        assert re.search(r"Page size:\s+59[45](\.\d+)? x 84[12](\.\d+)? pts", info), info  # A4 in points
        # The public notice on a phone: no login, no sideways scrolling.
        ph = Page(phone, server.url)
        ph.driver.get(notice_url)
        ph.text_appears("#n-rows tbody", results["reportees"][0]["name"])
        assert ph.no_horizontal_scroll(), ph.overflowing()
        ph.screenshot("notice-phone")
        ph.open("/gongshi")
        ph.visible("#n-list a")
        ph.screenshot("notices-phone")
        # The results page and the overview at phone width.
        ph.open("/")
        ph.fill("#username", "admin")
        ph.fill("#password", password)
        ph.click("#login-form button")
        ph.visible("#campaign-table")
        ph.open(f"/campaigns/{cid}/results")
        ph.text_appears("#summary tbody", results["reportees"][0]["name"])
        assert ph.no_horizontal_scroll(), ph.overflowing()
        ph.screenshot("results-phone")
        ph.open(f"/campaigns/{cid}/results/{rid}")
        ph.text_appears("#s-name", first["name"])
        assert ph.no_horizontal_scroll(), ph.overflowing()
        ph.screenshot("sheet-phone")
        page.open("/overview")
        page.text_appears("#o-table tbody", "已发布")
        page.screenshot("overview-desktop")
    finally:
        desktop.quit()
        phone.quit()
        server.stop()
