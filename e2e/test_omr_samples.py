"""The outside test's regression pages (../shared/omr-samples/): pages that an earlier reader read wrongly and was sure
of. Each is normalized as the browser does (grayscale, 1,400 px on the long side) and read by the reader the upload
route uses (`pingyi-bench read-pages`: these pages carry another campaign's page code, so the route itself would
refuse them as not ours). Every column must read as a person reads it (what-a-person-reads.json) or be left to
people ('?'); a page refused counts as left to people. Never a column decided wrongly."""
import json
import os
import subprocess

import pytest
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.join(os.path.dirname(os.path.dirname(HERE)), "shared", "omr-samples")
BENCH = os.path.join(os.path.dirname(os.environ.get("PINGYI_BIN", os.path.join(os.path.dirname(HERE), ".build", "debug", "pingyi"))),
                     "pingyi-bench")
LABELS = {"好": "1", "较好": "2", "一般": "3", "差": "4"}


def symbol(label):
    if label.startswith("弃权"):
        return "0"
    if label.startswith("废"):
        return "X"
    if label.startswith("unclear"):
        return "?"
    return LABELS[label]


@pytest.mark.skipif(not os.path.exists(os.path.join(SAMPLES, "what-a-person-reads.json")), reason="no ../shared/omr-samples here")
def test_regression_pages_are_read_as_a_person_reads_them_or_left_to_people(tmp_path):
    truth = json.load(open(os.path.join(SAMPLES, "what-a-person-reads.json"), encoding="utf-8"))
    pages = []
    for item in truth:
        image = Image.open(os.path.join(SAMPLES, item["file"])).convert("L")
        scale = 1400 / max(image.size)
        w, h = round(image.size[0] * scale), round(image.size[1] * scale)
        path = tmp_path / (item["file"] + ".gray")
        path.write_bytes(image.resize((w, h), Image.BILINEAR).tobytes())
        pages.append({"path": str(path), "width": w, "height": h, "rows": len(item["rows"]), "columns": len(item["rows"][0])})
    listing = tmp_path / "pages.json"
    listing.write_text(json.dumps(pages))
    out = subprocess.run([BENCH, "read-pages", "--list", str(listing)], check=True, capture_output=True, timeout=300).stdout
    readings = json.loads(out)
    wrong = []
    left = total = 0
    for item, reading in zip(truth, readings):
        expected = "".join(symbol(c) for row in item["rows"] for c in row)
        total += len(expected)
        if "refused" in reading:
            left += len(expected)
            continue
        got = reading["symbols"]
        assert len(got) == len(expected)
        for i, (t, r) in enumerate(zip(expected, got)):
            if r == "?":
                left += 1
            elif r != t:
                wrong.append(f"{item['file']} row {i // 6 + 1} column {i % 6 + 1}: a person reads {t}, the machine {r}")
    assert not wrong, "decided wrongly:\n" + "\n".join(wrong)
    # Left to people is allowed, but not everything: the pages are plainly readable.
    assert left < total * 0.15, f"{left} of {total} columns left to people"


@pytest.mark.skipif(not os.path.exists(os.path.join(SAMPLES, "light-pencil.jpg")), reason="no ../shared/omr-samples here")
def test_very_light_pencil_circles_are_never_read_as_no_mark(tmp_path):
    # light-pencil.jpg has no person's reading in the JSON; its three faintest circles (seen by eye: row 3 column 4 好,
    # row 5 column 2 较好, row 6 column 2 一般) were read as 弃权 with certainty by the earlier reader.
    image = Image.open(os.path.join(SAMPLES, "light-pencil.jpg")).convert("L")
    scale = 1400 / max(image.size)
    w, h = round(image.size[0] * scale), round(image.size[1] * scale)
    path = tmp_path / "light-pencil.gray"
    path.write_bytes(image.resize((w, h), Image.BILINEAR).tobytes())
    listing = tmp_path / "pages.json"
    listing.write_text(json.dumps([{"path": str(path), "width": w, "height": h, "rows": 11, "columns": 6}]))
    reading = json.loads(subprocess.run([BENCH, "read-pages", "--list", str(listing)], check=True, capture_output=True,
                                        timeout=120).stdout)[0]
    symbols = reading["symbols"]
    for (row, column), grade in {(3, 4): "1", (5, 2): "2", (6, 2): "3"}.items():
        assert symbols[(row - 1) * 6 + column - 1] in (grade, "?"), (row, column, symbols[(row - 1) * 6 + column - 1])
