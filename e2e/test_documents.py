"""Issue 24 end to end: the 公文 (评议结果通报, 个人评议结果反馈意见书) of a counted demo round, read back with
python-docx against the results API, then converted to PDF by LibreOffice (one soffice call) and rasterized: A4, the
text block's top and left edges at 37 mm and 28 mm, the page numbers “— n —” on the right of odd and the left of even
pages."""
import os
import re
import shutil
import subprocess
import time

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


def ink_box(png, region=None, per_mm=None):
    """(top, left, bottom, right) in mm of the ink (any pixel darker than light grey, red included) of a page image,
    within `region` (pixels: x0, y0, x1, y1); None when the region is blank."""
    image = Image.open(png).convert("L")
    per_mm = per_mm or image.size[0] / 210.0
    x0, y0, x1, y1 = [int(v) for v in (region or (0, 0, image.size[0], image.size[1]))]
    mask = image.crop((x0, y0, x1, y1)).point(lambda v: 255 if v < 160 else 0)
    box = mask.getbbox()
    if box is None:
        return None
    left, top, right, bottom = box
    return (top + y0) / per_mm, (left + x0) / per_mm, (bottom + y0) / per_mm, (right + x0) / per_mm


# The text block of a 公文 page in mm: portrait per GB/T 9704 (top 37, left 28, 156 × 225); a landscape table page is
# the portrait block turned a quarter clockwise (the 28 mm binding edge on top, the 37 mm head edge on the right).
PORTRAIT = {"size": (210, 297), "top": 37, "left": 28, "width": 156, "height": 225}
LANDSCAPE = {"size": (297, 210), "top": 28, "left": 35, "width": 225, "height": 156}


def convert(tmp_path, names):
    """All the documents to PDF in one LibreOffice call (CI time)."""
    subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path)] + [str(tmp_path / f"{n}.docx") for n in names], check=True, timeout=300,
                   capture_output=True)


def check_pdf_layout(tmp_path, name, first_size_pt, page=PORTRAIT, header=None, first_ink=1 / 3):
    """The PDF of `name`: A4 in the page's orientation; page 1's ink inside the block (its top edge within a third of the
    first line's size under the block's top, its left edge at the block's left ± 1.5 mm) but the page number under it;
    “— 1 —” right of the middle on page 1 and “— 2 —” left of it on page 2; with `header`, page 2 starts with the table's
    header row repeated at the block's top. Returns the page count and the whole text."""
    width, height = page["size"]
    block_top, block_left = page["top"], page["left"]
    block_bottom, block_right = block_top + page["height"], block_left + page["width"]
    pdf = tmp_path / f"{name}.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    size = [float(v) for v in re.findall(r"[\d.]+", info.split("Page size:")[1].split("\n")[0])[:2]]
    assert abs(size[0] - width * 72 / 25.4) < 1 and abs(size[1] - height * 72 / 25.4) < 1, (name, info)
    pages = int(info.split("Pages:")[1].split()[0])
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-f", "1", "-l", str(min(pages, 2)), str(pdf), str(tmp_path / name)], check=True)
    first = next(tmp_path.glob(f"{name}-*1.png"))
    per_mm = Image.open(first).size[0] / width
    # The first line's ink sits under the block's top by its font's ascent (≈ 4 mm for the 36 pt 发文机关标志), so page 1
    # is held to the top + a third of that line's size (`first_ink`: a half for a line that opens with digits, whose
    # ink starts lower than a Chinese character's); a page that starts with a repeated table header shows the edge.
    top, left, bottom, right = ink_box(first, (0, 0, width * per_mm, block_bottom * per_mm + 1), per_mm)
    first_size_mm = first_size_pt * 25.4 / 72
    assert block_top - 1.5 <= top <= block_top + first_size_mm * first_ink, (name, top)
    assert abs(left - block_left) <= 1.5, (name, left)
    assert bottom <= block_bottom + 1.5, (name, bottom)
    if right > block_right + 1.5:
        # LibreOffice hangs a full-width stop past the margin (it reads w:overflowPunct="0", which tells Word not to,
        # the other way round): only such a mark may pass the block's right edge.
        for word in re.finditer(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', bbox(pdf, 1)):
            if float(word.group(1)) * 25.4 / 72 > block_right + 1.5:
                assert word.group(2)[-1] in "，。、；：？！）》”", (name, word.group(2))
    # Odd pages: the number right of the middle; even pages left of it.
    number = ink_box(first, (0, (block_bottom + 1) * per_mm, width * per_mm, height * per_mm), per_mm)
    assert number is not None and number[1] > width / 2, (name, number)
    page1 = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True).stdout
    assert re.search(PAGE_NUMBER.replace(r"(\d+)", "1"), page1), page1[-200:]
    if pages > 1:
        second = next(tmp_path.glob(f"{name}-*2.png"))
        number = ink_box(second, (0, (block_bottom + 1) * per_mm, width * per_mm, height * per_mm), per_mm)
        assert number is not None and number[3] < width / 2, (name, number)
        page2 = subprocess.run(["pdftotext", "-f", "2", "-l", "2", str(pdf), "-"], capture_output=True, text=True).stdout
        assert re.search(PAGE_NUMBER.replace(r"(\d+)", "2"), page2), page2[-200:]
        if header:
            # The table runs over onto page 2: its header row again at the block's top.
            assert re.sub(r"\s", "", page2).startswith(header), (name, page2[:200])
            top2 = ink_box(second, (0, 0, width * per_mm, block_bottom * per_mm), per_mm)[0]
            assert abs(top2 - block_top) <= 1.5, (name, top2)
    else:
        assert header is None, (name, "one page: the header's repetition was not shown")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    return pages, text


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
        convert(tmp_path, files)
        for name in files:
            pages, text = check_pdf_layout(tmp_path, name, 36 if name == "notice" else 22,
                                           header=None if name == "notice" else "评议表")
            # The page count: every letter numbers its pages from 1, so “— 1 —” opens each one.
            numbers = re.findall(PAGE_NUMBER, text)
            assert len(numbers) == pages, (name, numbers)
            assert numbers.count("1") == {"notice": 1, "feedback": len(people), "single": 1}[name], (name, numbers)
    finally:
        server.stop()


def cn_day(iso):
    y, m, d = (int(v) for v in iso.split("-"))
    return f"{y}年{m}月{d}日"


def add_ledger_items(server, token, cid, count, units):
    """`count` ledger items of the campaign, their 责任单位 taken in turn from `units`; long enough text to fill pages."""
    org = api(server, token, "GET", "/api/v1/org-units")[0]["id"]
    for n in range(count):
        api(server, token, "POST", "/api/v1/rectification", {
            "orgUnitID": org, "campaignID": cid, "source": "evaluation_result", "category": "党建工作",
            "problem": f"第{n + 1}项：基层党组织“三会一课”落实不够规范，部分支部<记录>不全&不及时。",
            "plan": f"第{n + 1}项：逐支部检查2026年会议记录，建立月度提醒和季度通报制度，年底前全部规范到位。",
            "linkedLeader": "张副书记", "responsibleUnit": units[n % len(units)], "responsiblePerson": f"责任人{n + 1}",
            "deadline": f"2099-{n % 12 + 1:02d}-15"})


DOC_IMAGES = "PINGYI_DOC_IMAGES"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_meeting_and_ledger_documents(tmp_path):
    """会议通知 (from 筹备), 会议纪要, 整改通知书 per 责任单位 and the landscape 整改台账: read back with python-docx against
    the participants, minutes and ledger APIs, converted in one soffice call, the layout checked; the 台账's header row
    repeats on page 2 of a long ledger. With PINGYI_DOC_IMAGES=<folder> the first page of each of the six documents is
    written there as a 60 dpi PNG (the README's pictures: PINGYI_DOC_IMAGES=docs/images)."""
    server = Server(str(tmp_path))
    try:
        token = login(server, "admin", admin_password(server))
        campaign = api(server, token, "GET", "/api/v1/campaigns")[0]
        cid, base = campaign["id"], f"/api/v1/campaigns/{campaign['id']}"
        heading = {"issuer": ISSUER, "number": "组通〔2026〕8号", "date": "2026-12-04"}
        details = {"time": "2026年12月10日（星期四）上午9:00", "place": "区委\"第一\"会议室<3楼>&", "bring": "签到卡、笔",
                   "contact": "区委组织部组织科，联系电话：0571-12345678"}
        # 筹备: the notice; the minutes wait for the meeting.
        files = {"meeting-notice": download(server, token, base + "/documents/meeting-notice.docx", {**heading, **details})}
        r = requests.get(server.url + base + "/documents/minutes.docx", headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert r.status_code == 409 and "会议尚未开始" in r.json()["reason"], r.text
        participants = api(server, token, "GET", base + "/participants")
        groups = {g["id"]: g["name"] for g in api(server, token, "GET", base)["raterGroups"]}

        # The meeting: two on-site reports with real durations and comments, then the counted round.
        api(server, token, "POST", base + "/status", {"status": "meeting"})
        api(server, token, "GET", base + "/meeting")
        detail = api(server, token, "GET", base)
        onsite = [r for r in detail["reportees"] if r["mode"] == "onsite"][:2]
        for n, reportee in enumerate(onsite):
            api(server, token, "POST", base + f"/speeches/{reportee['id']}/start")
            time.sleep(1.2)
            api(server, token, "POST", base + f"/speeches/{reportee['id']}/end")
            api(server, token, "POST", base + f"/speeches/{reportee['id']}/comment", {"text": f"点评{n + 1}：抓党建责任落实<较好>&仍需加力。"})
        count_demo_round(server, token)
        minutes = api(server, token, "GET", base + "/minutes")
        r = requests.get(server.url + base + "/documents/ledger.docx", headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert r.status_code == 409 and "整改事项" in r.json()["reason"], r.text
        units = ["区委办公室", "**镇党委", "区委\"宣传部\"<&>"]
        add_ledger_items(server, token, cid, 30, units)
        items = api(server, token, "GET", f"/api/v1/rectification?campaign={cid}")
        files["minutes"] = download(server, token, base + "/documents/minutes.docx")
        files["rectification"] = download(server, token, base + "/documents/rectification-notices.docx")
        files["ledger"] = download(server, token, base + "/documents/ledger.docx")
        files["results-notice"] = download(server, token, base + "/documents/results-notice.docx")
        files["feedback"] = download(server, token, base + f"/documents/feedback/{api(server, token, 'GET', base + '/results')['reportees'][0]['reporteeID']}")
        for name, data in files.items():
            (tmp_path / f"{name}.docx").write_bytes(data)

        # 会议通知: time, place, agenda, 出席/列席 by unit, what to bring, contact; every participant in the 附件.
        notice = Document(str(tmp_path / "meeting-notice.docx"))
        check_layout(notice)
        texts = [p.text for p in notice.paragraphs]
        assert texts[0] == ISSUER + "文件" and texts[1] == "组通〔2026〕8号"
        for value in (details["time"], details["place"], details["contact"]):
            assert value in texts, value
        assert any(details["bring"] in t for t in texts)
        for role, label in (("attendee", "（一）出席人员"), ("observer", "（二）列席人员")):
            people = [p for p in participants if p["role"] == role]
            assert f"{label}（{len(people)}人）" in texts, label
            for unit in {p["unitName"] for p in people}:
                names = [p["name"] for p in people if p["unitName"] == unit]
                assert f"{unit}（{len(names)}人）：{'、'.join(names)}" in texts, unit
        ordered = [p for role in ("attendee", "observer", "guest") for p in participants if p["role"] == role]
        table = rows(notice.tables[0])
        assert table[0] == ["序号", "姓名", "单位", "参会身份", "评议人类别"]
        assert table[1:] == [[str(n + 1), p["name"], p["unitName"], p["roleLabel"], groups.get(p.get("raterGroupID"), "—")]
                             for n, p in enumerate(ordered)]
        assert "附件" in texts and "参会人员名单" in texts and "2026年12月4日" in texts

        # 会议纪要: the minutes API, figure by figure.
        doc = Document(str(tmp_path / "minutes.docx"))
        check_layout(doc)
        texts = [p.text for p in doc.paragraphs]
        a = minutes["attendance"]
        assert any(f"应到评议人{a['attendeesExpected']}人，实到{a['attendeesPresent']}人" in t for t in texts)
        assert rows(doc.tables[0])[1:] == [[g["name"], str(g["expected"]), str(g["present"])] for g in a["attendance"]["groups"]]
        speakers = rows(doc.tables[1])
        assert speakers[1:] == [[str(s["position"]), s["name"], f"{s['unitName']} {s['title']}", s["limitText"],
                                 s["durationText"] + ("（超时）" if s["overtime"] else ""),
                                 "（未点评）" if s["commentSkipped"] else (s.get("comment") or "—")] for s in minutes["speakers"]]
        spoken = [s for s in minutes["speakers"] if s.get("durationSeconds") is not None]
        assert len(spoken) == 2 and all(s["comment"].startswith("点评") for s in spoken)
        assert rows(doc.tables[2])[1:] == [[f"第{r['number']}轮", r["stateLabel"], str(r["issued"]), str(r["returned"]),
                                            str(r.get("valid", "—")), str(r.get("void", "—")), r.get("verdictLabel", "—")] for r in minutes["rounds"]]
        for name in minutes["writtenReportees"]:
            assert any(name in t for t in texts), name
        assert "五、会议决定" in texts and any("以第1轮计票结果作为本次民主评议结果" in t for t in texts)

        # 整改通知书: a section per 责任单位 with its items' six parts; the 台账: a row per item, landscape.
        rect = Document(str(tmp_path / "rectification.docx"))
        check_layout(rect)
        texts = [p.text for p in rect.paragraphs]
        assert len(rect.sections) == len(units) and [t[:-1] for t in texts if t.endswith("：") and t[:-1] in units] == units
        for item in items:
            for line in (f"问题表现：{item['problem']}", f"整改目标与措施：{item['plan']}", f"挂钩领导：{item['linkedLeader']}",
                         f"责任单位和责任人：{item['responsibleUnit']}，{item['responsiblePerson']}", f"完成时限：{cn_day(item['deadline'])}"):
                assert line in texts, line
        ledger = Document(str(tmp_path / "ledger.docx"))
        section = ledger.sections[0]
        assert section.orientation == 1 and abs(section.page_width - Mm(297)) < Mm(0.5) and abs(section.page_height - Mm(210)) < Mm(0.5)
        assert abs(section.top_margin - Mm(28)) < Mm(0.2) and abs(section.left_margin - Mm(35)) < Mm(0.2)
        table = rows(ledger.tables[0])
        assert table[0] == ["序号", "问题来源", "问题表现", "整改目标与措施", "挂钩领导", "责任单位", "责任人", "完成时限", "整改进展", "销号状态"]
        assert table[1:] == [[str(n + 1), i["sourceLabel"], i["problem"], i["plan"], i["linkedLeader"], i["responsibleUnit"],
                              i["responsiblePerson"], cn_day(i["deadline"]), i.get("latestProgress") or "",
                              i["stateLabel"] + ("（已逾期）" if i["overdue"] else "")]
                             for n, i in enumerate(items)]
        assert any(f"共{len(items)}项" in p.text for p in ledger.paragraphs)

        # LibreOffice: the six in one call; the layout of the four new ones (the other two: the test above).
        convert(tmp_path, files)
        # The 台账's title opens with the year (digits): its page 2 shows the block's top edge itself (the header row).
        for name, first_size, page, header, first_ink in (("meeting-notice", 36, PORTRAIT, None, 1 / 3), ("minutes", 36, PORTRAIT, None, 1 / 3),
                                                          ("rectification", 36, PORTRAIT, None, 1 / 3), ("ledger", 22, LANDSCAPE, "序号", 1 / 2)):
            pages, text = check_pdf_layout(tmp_path, name, first_size, page, header, first_ink)
            numbers = re.findall(PAGE_NUMBER, text)
            assert len(numbers) == pages, (name, numbers)
            if name == "rectification":
                # Each unit's notice numbers its pages from 1.
                assert numbers.count("1") == len(units), numbers
            if name == "ledger":
                assert pages >= 2, "the ledger of 30 items fills more than a page"
        if os.environ.get(DOC_IMAGES):
            # The README's pictures: the same six with an ordinary 版头 (not the hostile one above).
            folder, pictures = os.environ[DOC_IMAGES], tmp_path / "pictures"
            os.makedirs(folder, exist_ok=True)
            pictures.mkdir()
            plain = {"issuer": "中共**区委组织部", "number": "组通〔2026〕8号", "recipients": "各镇（街道）党（工）委，区直各单位党组织",
                     "copyTo": "区纪委监委", "date": "2026-12-04"}
            paths = {"meeting-notice": "/documents/meeting-notice.docx", "minutes": "/documents/minutes.docx",
                     "rectification": "/documents/rectification-notices.docx", "ledger": "/documents/ledger.docx",
                     "results-notice": "/documents/results-notice.docx", "feedback": "/documents/feedback.docx"}
            for name, path in paths.items():
                params = {**plain, **({"time": "2026年12月10日（星期四）上午9:00", "place": "区委第一会议室"} if name == "meeting-notice" else {})}
                (pictures / f"{name}.docx").write_bytes(download(server, token, base + path, params))
            convert(pictures, paths)
            for name in paths:
                subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", "-f", "1", "-l", "1", str(pictures / f"{name}.pdf"),
                                os.path.join(folder, f"document-{name}")], check=True)
    finally:
        server.stop()


def test_each_document_downloads_from_its_button(tmp_path):
    """The results page: 评议结果通报, 反馈意见书, 整改通知书 and 整改台账 from the buttons over the table, one letter from
    its row's link; 会议纪要 from the minutes page; 会议通知 from the campaign page's meeting links."""
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
        add_ledger_items(server, token, cid, 2, ["区委办公室"])
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
        # 整改通知书 and 整改台账 over the same table (the ledger items of the campaign).
        rect = fetched(lambda: page.click("#doc-rectification"), "区委办公室整改通知书.docx")
        assert "区委办公室：" in [p.text for p in rect.paragraphs]
        ledger = fetched(lambda: page.click("#doc-ledger"), "整改台账.docx")
        assert len(ledger.tables[0].rows) == 1 + 2
        # 会议纪要 from the printed minutes, 会议通知 from the campaign's meeting links.
        page.open(f"/campaigns/{cid}/minutes")
        page.wait.until(lambda d: page.el("#doc-minutes").is_displayed(), "the minutes' Word button")
        minutes = fetched(lambda: page.click("#doc-minutes"), "会议纪要.docx")
        assert "五、会议决定" in [p.text for p in minutes.paragraphs]
        page.open(f"/campaigns/{cid}")
        page.wait.until(lambda d: page.el("#doc-meeting-notice").is_displayed(), "the notice's Word button")
        notice = fetched(lambda: page.click("#doc-meeting-notice"), "会议通知.docx")
        assert "参会人员名单" in [p.text for p in notice.paragraphs]
    finally:
        driver.quit()
        server.stop()
