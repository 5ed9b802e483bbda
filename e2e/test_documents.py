"""Issue 24 end to end: the 公文 (评议结果通报, 个人评议结果反馈意见书) of a counted demo round, read back with
python-docx against the results API, then converted to PDF by LibreOffice (one soffice call) and rasterized: A4, the
text block's top and left edges at 37 mm and 28 mm, the page numbers “— n —” on the right of odd and the left of even
pages."""
import re
import shutil
import subprocess

import pytest
import requests
from docx import Document
from docx.shared import Mm
from PIL import Image

from conftest import Server
from test_results_browser import count_demo_round
from test_vote_browser import admin_password, api, login

GRADES = {"good": "好", "fairly_good": "较好", "average": "一般", "poor": "差", None: "—"}
# “— 1 —” as pdftotext gives it: the spaces inside are half-width in the document but may come out as none or others.
PAGE_NUMBER = r"—[ \u2002\u3000]*(\d+)[ \u2002\u3000]*—"
ISSUER = "中共A&B<示范>区委\"组织部\"😀"


def pct(x):
    return "—" if x is None else f"{x * 100:.1f}%"


def score(x):
    return "—" if x is None else f"{x:.2f}"


def rows(table):
    return [[cell.text for cell in row.cells] for row in table.rows]


def download(server, token, path, params=None):
    r = requests.get(server.url + path, params=params, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    return r.content


def check_layout(document):
    for section in document.sections:
        assert abs(section.page_width - Mm(210)) < Mm(0.5) and abs(section.page_height - Mm(297)) < Mm(0.5)
        assert abs(section.top_margin - Mm(37)) < Mm(0.2) and abs(section.left_margin - Mm(28)) < Mm(0.2)
        assert abs(section.page_width - section.left_margin - section.right_margin - Mm(156)) < Mm(0.3)
        assert abs(section.page_height - section.top_margin - section.bottom_margin - Mm(225)) < Mm(0.3)


def bbox(pdf, page):
    return subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def ink_box(png, region=None):
    """(top, left, bottom, right) in mm of the ink (any pixel darker than light grey, red included) of a page image,
    within `region` (pixels: x0, y0, x1, y1); None when the region is blank."""
    image = Image.open(png).convert("L")
    per_mm = image.size[0] / 210.0
    x0, y0, x1, y1 = [int(v) for v in (region or (0, 0, image.size[0], image.size[1]))]
    mask = image.crop((x0, y0, x1, y1)).point(lambda v: 255 if v < 160 else 0)
    box = mask.getbbox()
    if box is None:
        return None
    left, top, right, bottom = box
    return (top + y0) / per_mm, (left + x0) / per_mm, (bottom + y0) / per_mm, (right + x0) / per_mm


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_documents_carry_the_api_figures_and_the_layout(tmp_path):
    server = Server(str(tmp_path))
    try:
        token = login(server, "admin", admin_password(server))
        base = count_demo_round(server, token)
        results = api(server, token, "GET", base + "/results")
        people = results["reportees"]
        heading = {"issuer": ISSUER, "number": "组通〔2026〕7号", "recipients": "各镇（街道）党（工）委", "copyTo": "区纪委监委",
                   "date": "2026-12-04"}
        files = {
            "notice": download(server, token, base + "/documents/results-notice.docx", heading),
            "feedback": download(server, token, base + "/documents/feedback.docx", heading),
            "single": download(server, token, base + f"/documents/feedback/{people[1]['reporteeID']}", heading),
        }
        for name, data in files.items():
            (tmp_path / f"{name}.docx").write_bytes(data)

        # 评议结果通报: 版头, the ranking table row by row against the API, 落款 and 成文日期.
        notice = Document(str(tmp_path / "notice.docx"))
        check_layout(notice)
        texts = [p.text for p in notice.paragraphs]
        assert texts[0] == ISSUER + "文件" and texts[1] == "组通〔2026〕7号"
        assert notice.paragraphs[0].runs[0].font.color.rgb is not None and str(notice.paragraphs[0].runs[0].font.color.rgb) == "FF0000"
        assert "各镇（街道）党（工）委：" in texts and "2026年12月4日" in texts and texts.count(ISSUER) == 1
        table = rows(notice.tables[0])
        assert table[0] == ["名次", "姓名", "单位", "民主评议得分", "好评率", "评议等次", "综合评定等次"]
        assert len(table) == 1 + len(people)
        for row, person in zip(table[1:], people):
            assert row == [str(person["rank"]) if person["rank"] else "不排名", person["name"], person["unitName"],
                           score(person["composite"]), pct(person["goodRate"]), GRADES[person["grade"]],
                           (person.get("assessment") or {}).get("gradeLabel") or "待定"], row
        record = rows(notice.tables[-1])
        assert record[0][0] == "抄送：区纪委监委。" and record[1][0].startswith(ISSUER) and record[1][0].endswith("2026年12月4日印发")

        # 反馈意见书: one section per secretary; each form's overall counts and each shown group's.
        feedback = Document(str(tmp_path / "feedback.docx"))
        check_layout(feedback)
        assert len(feedback.sections) == len(people)
        letters = [p.text for p in feedback.paragraphs]
        assert [t for t in letters if t.endswith("同志：")] == [p["name"] + "同志：" for p in people]
        single = Document(str(tmp_path / "single.docx"))
        person = people[1]
        assert person["name"] + "同志：" in [p.text for p in single.paragraphs]
        forms_table, groups_table = rows(single.tables[0]), rows(single.tables[1])
        for form, row in zip(person["forms"], forms_table[1:]):
            k = next(c for c in form["columns"] if c["kind"] == "overall")["counts"]
            assert row == [form["name"], str(k["good"]), str(k["fairlyGood"]), str(k["average"]), str(k["poor"]),
                           str(k["abstentions"]), str(k["valid"]), pct(form["goodRate"]), score(form["score"])], row
        expected_groups = []
        for form in person["forms"]:
            overall = next(c for c in form["columns"] if c["kind"] == "overall")
            for g in overall["byGroup"]:
                k = g["counts"]
                expected_groups.append([form["name"], g["raterGroup"], str(k["good"]), str(k["fairlyGood"]), str(k["average"]),
                                        str(k["poor"]), str(k["abstentions"]), str(k["valid"]),
                                        pct(g["goodRate"]) if k["valid"] else "—"])
        # The groups as the API shows them (pooled below the minimum group size): never a smaller group's figure.
        assert groups_table[1:] == expected_groups

        # LibreOffice: all three in one call; then pages, edges and page numbers.
        subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                        "--outdir", str(tmp_path)] + [str(tmp_path / f"{n}.docx") for n in files], check=True, timeout=240,
                       capture_output=True)
        for name in files:
            pdf = tmp_path / f"{name}.pdf"
            info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
            assert "595.3" in info.split("Page size:")[1].split("\n")[0] and "841.8" in info.split("Page size:")[1].split("\n")[0], info
            pages = int(info.split("Pages:")[1].split()[0])
            subprocess.run(["pdftoppm", "-r", "100", "-png", "-f", "1", "-l", str(min(pages, 2)), str(pdf), str(tmp_path / name)], check=True)
            first = next(tmp_path.glob(f"{name}-*1.png"))
            per_mm = Image.open(first).size[0] / 210.0
            # The block: 28 mm in (± 1.5 mm), nothing above 37 mm or outside 28..184 × 37..262 mm but the page number.
            # The first line's ink sits under the block's top by its font's ascent (≈ 4 mm for the 36 pt 发文机关标志),
            # so page 1 is held to 37 mm + a third of that line's size; page 2, which starts with a table continued
            # (its header repeated), shows the top edge itself: its border at 37 mm (± 1.5 mm).
            top, left, bottom, right = ink_box(first, (0, 0, 210 * per_mm, 297 * per_mm - 35 * per_mm + 1))
            first_size_mm = (36 if name == "notice" else 22) * 25.4 / 72
            assert 37 - 1.5 <= top <= 37 + first_size_mm / 3, (name, top)
            assert abs(left - 28) <= 1.5, (name, left)
            assert bottom <= 262 + 1.5, (name, bottom)
            if right > 184 + 1.5:
                # LibreOffice hangs a full-width stop past the margin (it reads w:overflowPunct="0", which tells Word
                # not to, the other way round): only such a mark may pass the block's right edge.
                for word in re.finditer(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
                                        bbox(pdf, 1)):
                    if float(word.group(1)) * 25.4 / 72 > 184 + 1.5:
                        assert word.group(2)[-1] in "，。、；：？！）》”", (name, word.group(2))
            # Page 1 is odd: its number right of the middle; page 2 (even) left of it.
            number = ink_box(first, (0, 263 * per_mm, 210 * per_mm, 297 * per_mm))
            assert number is not None and number[1] > 105, (name, number)
            text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True).stdout
            assert re.search(PAGE_NUMBER.replace(r"(\d+)", "1"), text), text[-200:]
            if pages > 1:
                second = next(tmp_path.glob(f"{name}-*2.png"))
                number = ink_box(second, (0, 263 * per_mm, 210 * per_mm, 297 * per_mm))
                assert number is not None and number[3] < 105, (name, number)
                page2 = subprocess.run(["pdftotext", "-f", "2", "-l", "2", str(pdf), "-"], capture_output=True, text=True).stdout
                assert re.search(PAGE_NUMBER.replace(r"(\d+)", "2"), page2), page2[-200:]
                if name != "notice":
                    # The rater-group table runs over onto page 2: its header row again at the block's top.
                    assert page2.lstrip().startswith("评议表"), page2[:200]
                    top2 = ink_box(second, (0, 0, 210 * per_mm, 262 * per_mm))[0]
                    assert abs(top2 - 37) <= 1.5, (name, top2)
            # The page count: every letter numbers its pages from 1, so “— 1 —” opens each one.
            numbers = re.findall(PAGE_NUMBER, subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout)
            assert len(numbers) == pages, (name, numbers)
            assert numbers.count("1") == {"notice": 1, "feedback": len(people), "single": 1}[name], (name, numbers)
    finally:
        server.stop()


def test_each_document_downloads_from_its_button(tmp_path):
    """The results page: 评议结果通报 and 反馈意见书 from the buttons over the table, one letter from its row's link."""
    import time

    from browser import Page, make_driver
    from test_day_without_traps import browser_login
    server = Server(str(tmp_path))
    driver = make_driver()
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    try:
        password = admin_password(server)
        token = login(server, "admin", password)
        base = count_demo_round(server, token)
        cid = base.split("/")[-1]
        first = api(server, token, "GET", base + "/results")["reportees"][0]
        driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
        page = Page(driver, server.url)
        browser_login(page, password)
        page.open(f"/campaigns/{cid}/results")
        page.text_appears("#summary tbody", first["name"])

        def fetched(click, expected_end):
            before = set(downloads.iterdir())
            click()
            for _ in range(100):
                new = [p for p in set(downloads.iterdir()) - before if not p.name.endswith(".crdownload")]
                if new:
                    assert new[0].name.endswith(expected_end), new[0].name
                    return Document(str(new[0]))
                time.sleep(0.2)
            raise AssertionError(f"nothing downloaded for {expected_end}")

        notice = fetched(lambda: page.click("#doc-notice"), "评议结果通报.docx")
        assert first["name"] in [c.text for c in notice.tables[0].rows[1].cells]
        feedback = fetched(lambda: page.click("#doc-feedback"), "个人评议结果反馈意见书.docx")
        assert first["name"] + "同志：" in [p.text for p in feedback.paragraphs]
        one = fetched(lambda: page.all("#summary tbody a.doc-feedback-one")[0].click(), first["name"] + "个人评议结果反馈意见书.docx")
        assert len(one.sections) == 1 and first["name"] + "同志：" in [p.text for p in one.paragraphs]
    finally:
        driver.quit()
        server.stop()
