"""Issue 16, done when: a round of the demo campaign on paper — the forms printed, marked (synthetic pen marks on the
rasterized print), uploaded from the tally page as JPEG files and as a scanner's PDF, unsure boxes resolved by two
tellers, a second scan of one sheet dropped, the scrutineer's sample passed, counted — and the results equal a hand
count of the marks drawn. Bad files in the same stack get a Chinese reason and the rest go on."""
import os
import random

from selenium.webdriver.support.ui import Select
from browser import Page, make_driver
from conftest import Server
from omr_pages import as_phone, as_scanner, fill_page, hesitant_mark, open_paper_round, rasterize, scanner_pdf
from printing import check_print, print_to_pdf
from test_day_without_traps import browser_login
from test_vote_browser import admin_password, api, login

SETS = 3
GRADE_KEYS = {"1": "good", "2": "fairlyGood", "3": "average", "4": "poor", "0": "abstentions", "X": "voids"}


def test_a_paper_round_printed_scanned_checked_and_counted(tmp_path):
    server = Server(str(tmp_path))
    driver = make_driver()
    try:
        # Setup: the meeting, tellers and a scrutineer, a round of paper only (three sets for the first group), sealed.
        password = admin_password(server)
        token = login(server, "admin", password)
        base, detail, rid = open_paper_round(api, server, token, lambda i: SETS if i == 0 else 0)
        cid = base.split("/")[-1]
        for name, role in [("teller1", "teller"), ("teller2", "teller"), ("scrutineer", "scrutineer")]:
            api(server, token, "POST", "/api/v1/users", {"username": name, "displayName": name, "role": role,
                                                          "orgUnitID": detail["campaign"]["orgUnitID"], "password": "pass-" + name})
        forms, reportees = detail["forms"], detail["reportees"]

        # Print: the forms page, A4 landscape, one page per form and set, nothing clipped, every corner mark whole.
        page = Page(driver, server.url)
        browser_login(page, password)
        page.open(f"/campaigns/{cid}/rounds/{rid}/paper")
        page.text_appears("#paper-status", f"共 {SETS} 套、{SETS * len(forms)} 页评议表")
        page.wait.until(lambda d: d.execute_script("return Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)"), "the pages")
        check_print(driver, "paper-forms", landscape=True, pages=SETS * len(forms))
        pdf = print_to_pdf(driver, "paper-forms")
        with open(pdf, "rb") as f:
            printed = rasterize(f.read(), str(tmp_path), "printed")
        assert len(printed) == SETS * len(forms)
        for image in printed:
            scale = image.size[0] / 297
            for cx, cy in [(14, 14), (283, 14), (283, 196), (14, 196)]:
                box = [int((cx - 3) * scale), int((cy - 3) * scale), int((cx + 3) * scale), int((cy + 3) * scale)]
                inner = image.crop(box).tobytes()
                assert sum(1 for v in inner if v < 100) > 0.95 * len(inner), f"corner mark at {cx},{cy} not whole"
        api(server, token, "POST", base + f"/rounds/{rid}/seal")

        # Mark: each printed page filled by a voter; a few hesitant marks so that people have something to decide.
        rng = random.Random(1616)
        truths, pictures = [], []
        for n, image in enumerate(printed):
            form = n % len(forms)
            columns = len(forms[form]["columns"])
            marked, truth = fill_page(image, len(reportees), columns, rng)
            if n in (1, 6):
                # In the first blank column: a started circle under 较好, which counts as a mark.
                cell = truth.index("0")
                hesitant_mark(marked, columns, cell // columns, cell % columns, 1)
                truth = truth[:cell] + "2" + truth[cell + 1:]
            truths.append((form, truth))
            pictures.append(marked)
        folder = tmp_path / "stack"
        folder.mkdir()
        files = []
        for n, image in enumerate(pictures[:5]):
            path = folder / f"scan-{n}.jpg"
            path.write_bytes((as_phone if n == 4 else as_scanner)(image, rng))
            files.append(str(path))
        pdf_path = folder / "scanner.pdf"
        pdf_path.write_bytes(scanner_pdf([as_scanner(image, rng) for image in pictures[5:]]))
        files.append(str(pdf_path))
        # A second scan of sheet 0, a blank sheet, a PDF that is not a scan, a 60 MB file.
        again = folder / "scan-0-again.jpg"
        again.write_bytes(as_scanner(pictures[0], rng))
        blank = folder / "blank.jpg"
        blank.write_bytes(as_scanner(printed[0].point(lambda v: 240), rng))
        huge = folder / "huge.jpg"
        with open(huge, "wb") as f:
            f.truncate(60 * 1024 * 1024)
        stack = files + [str(again), str(blank), pdf, str(huge)]

        # Call: teller 1 records the box counts and uploads the stack on the tally page.
        page.open("/")
        page.click("#logout")
        browser_login(page, "pass-teller1", user="teller1")
        page.open(f"/campaigns/{cid}/tally")
        page.text_appears("#t-round", "已封箱")
        for n in range(len(forms)):
            page.fill(f"#box-count-{n}", str(SETS))
        page.click("#count-submit")
        page.flash("已登记清点数")
        page.el("#scan-files").send_keys("\n".join(stack))
        done = f"已处理 {len(pictures) + 2} 页"
        from selenium.webdriver.support.ui import WebDriverWait
        try:
            WebDriverWait(driver, 180).until(lambda d: done in d.find_element("css selector", "#scan-status").text)
        except Exception:
            raise AssertionError(f"{page.el('#scan-status').text}; log: {page.el('#scan-log').text}; console: {driver.get_log('browser')}")
        log = page.el("#scan-log").text
        assert "文件太大" in log and "不是扫描件" in log and "定位方块" in log, log
        page.screenshot("scan-uploaded")
        overview = api(server, token, "GET", base + f"/rounds/{rid}/scans")
        states = sorted(s["state"] for s in overview["scans"])
        assert len(states) == len(pictures) + 1 and states.count("possible_duplicate") == 1, states

        # Two tellers decide the unsure columns (teller 1 on the page, teller 2 through the API), from the marks drawn.
        t2 = login(server, "teller2", "pass-teller2")
        sha_to_truth = {}
        unsure_pages = [s for s in overview["scans"] if s["state"] == "unsure"]
        assert unsure_pages, "the hesitant marks left nothing for people to decide"
        for summary in overview["scans"]:
            scan = api(server, token, "GET", base + f"/rounds/{rid}/scans/{summary['id']}")
            sha_to_truth[summary["id"]] = match_truth(scan, truths)
        for summary in unsure_pages:
            truth = sha_to_truth[summary["id"]]
            scan = api(server, token, "GET", base + f"/rounds/{rid}/scans/{summary['id']}")
            page.open(f"/campaigns/{cid}/tally")
            page.el("#scan-table tbody")
            # The row's action (确认), not 剔除 beside it on every row.
            page.wait.until(lambda d: d.find_elements("css selector", "#scan-table button.primary"), "a page to check")
            page.driver.execute_script("arguments[0].click()", [b for b in page.all("#scan-table tbody tr") if b.find_elements("css selector", "button.primary")][0]
                                       .find_element("css selector", "button.primary"))
            page.visible("#scan-check")
            if summary is unsure_pages[0]:
                page.screenshot("scan-check")
                assert page.overflowing() == []
            for question in page.all("#scan-check .scan-question"):
                cell = int(question.get_attribute("data-cell"))
                question.find_element("css selector", f"input[value='{truth[cell]}']").click()
            page.click("#scan-check button.primary")
            page.flash("这一页")
            decided = "".join(truth[i] if c == "?" else c for i, c in enumerate(scan["reading"]))
            assert api(server, t2, "POST", base + f"/rounds/{rid}/scans/{summary['id']}/decision", {"marks": decided})["state"] == "confirmed"

        # The scrutineer drops the second scan, draws the sample and checks each page against the paper.
        page.open("/")
        page.click("#logout")
        browser_login(page, "pass-scrutineer", user="scrutineer")
        page.open(f"/campaigns/{cid}/tally")
        page.wait.until(lambda d: d.find_elements("css selector", "#scan-table button"), "the second scan")
        page.click_text("核对")
        page.click_text("是重复扫描，剔除")
        page.flash("重复扫描")
        page.visible("#sample-draw").click()
        page.flash("已随机抽取样本")
        sampled = [x for x in api(server, token, "GET", base + f"/rounds/{rid}/scans")["scans"] if x["sampled"]]
        assert len(sampled) == 3
        for n in range(len(sampled)):
            page.wait.until(lambda d: len(page.all("#sample-work > button")) == len(sampled) - n, "the pages left to check")
            page.all("#sample-work > button")[0].click()
            page.visible("#sample-check")
            # The group and form printed on the sheet in words, as the scrutineer reads them off the paper: these
            # sheets were printed for the group and form their code squares say (nobody redrew them).
            recognized = page.driver.find_element(
                "xpath", "//*[@id='sample-check']//span[contains(., '识别为')]").text
            group_name, form_name = recognized.split("：", 1)[1].rstrip("）").split(" · ")
            Select(page.el("#sample-group")).select_by_visible_text(group_name)
            Select(page.el("#sample-form")).select_by_visible_text(form_name)
            if n == 0:
                page.screenshot("scan-sample")
            page.click("#sample-check button.primary")
            page.flash("与纸质票一致")
        page.wait.until(lambda d: "核对 3 页" in page.el("#sample-summary").text, "the sample's outcome")

        # On a 360-pixel phone the tally page fits, and the camera button is there to take photos with.
        phone_driver = make_driver(360, 740)
        try:
            phone = Page(phone_driver, server.url)
            browser_login(phone, "pass-teller1", user="teller1")
            phone.open(f"/campaigns/{cid}/tally")
            phone.text_appears("#t-round", "已封箱")
            phone.visible("label[for=scan-camera]")
            assert phone.el("#scan-camera").get_attribute("capture") == "environment"
            assert phone.overflowing() == []
            phone.screenshot("scan-phone")
        finally:
            phone_driver.quit()

        # Count, and compare with a hand count of the marks drawn.
        counted = api(server, token, "POST", base + f"/rounds/{rid}/count")
        assert counted["state"] == "counted", counted
        rec = counted["reconciliation"]
        assert [f["returned"] for f in rec["forms"]] == [SETS] * len(forms), rec
        assert rec["scanSample"]["drawn"] == 3 and rec["scanSample"]["corrected"] == 0, rec
        results = api(server, token, "GET", base + "/results")
        by_id = {r["reporteeID"]: r for r in results["reportees"]}
        compared = 0
        for row, reportee in enumerate(reportees):
            shown = by_id[reportee["id"]]
            for f, form in enumerate(forms):
                for c, column in enumerate(form["columns"]):
                    expected = {key: 0 for key in GRADE_KEYS.values()}
                    for form_index, truth in truths:
                        if form_index == f:
                            expected[GRADE_KEYS[truth[row * len(form["columns"]) + c]]] += 1
                    got = next(x for x in shown["forms"][f]["columns"] if x["columnID"] == column["id"])["counts"]
                    assert {k: got[k] for k in expected} == expected, (reportee["name"], form["name"], column["name"], got, expected)
                    compared += 1
        assert compared == len(reportees) * sum(len(f["columns"]) for f in forms)
    finally:
        driver.quit()
        server.stop()


def match_truth(scan, truths):
    """The truth of the page this scan is: same form, and the reading agrees wherever the machine was sure."""
    candidates = [t for f, t in truths if f == scan["formIndex"] and all(r in ("?", x) for r, x in zip(scan["reading"], t))]
    assert candidates, scan["reading"]
    return candidates[0]
