"""Held-out paper-ballot pages for judging Pingyi's paper reader on marks it was never tuned on.

This generator is written independently of the reader and of the e2e page generator: it does not use the server's
box geometry, the reader's code or the marks drawn by e2e/omr_pages.py. It borrows only the server plumbing there
(open_paper_round, print_svg_pages, normalize, upload). The boxes are found from the printed page itself (hollow
squares in the rasterized template), and every mark, stain and camera effect is drawn here in its own way.

  python3 bench/omr_heldout.py print --out DIR
      starts `pingyi serve` (PINGYI_BIN, default .build/debug/pingyi), opens and seals a paper round on the demo
      campaign, prints page 0 of every (group, form) through headless Chromium at 300 dpi, finds the boxes and
      writes DIR/form-G-F.png, DIR/boxes-G-F.png (the detected boxes drawn over the form) and DIR/templates.json.
  python3 bench/omr_heldout.py make --templates DIR --out DIR --pages N --seed S --kind scanner|phone|both
      writes N marked and degraded JPEG pages per kind and DIR/truth.json (merged with entries of the other kind
      already there). --debug DIR also writes the clean marked pages with the truth drawn next to every column.

Truth, one symbol per (row, column), row-major: '0' no mark, '1'..'4' the box marked (好 较好 一般 差), 'X' two or
more boxes marked in the column (the printed rule: that column is void), '?' a person would hesitate and must decide.
With one seed, page i of the scanner set and page i of the phone set are the same ballot (same marks, same paper),
scanned once and photographed once, as an outside test does. truth.json also has, per column, "pens", "details" (the
variant, e.g. hesitant-between) and "near" (noise drawn next to it), and per page "noise" and "capture".
  python3 bench/omr_heldout.py check --templates DIR --pages N --seed S
      audits the truth of N ballots against the ink actually laid (no capture; fast).

The page code printed at the top of a form belongs to its round: pages made from DIR upload only to the round DIR was
printed in. A bench with a server and round of its own prints its own templates with print_round(...) and makes the
pages from them; the boxes are the same in every round, so a seed gives the same marks and truth in any round.

Python API: make_pages(templates_dir, n, seed, kind) -> [dict as in truth.json + "jpeg": bytes]; as_upload(jpeg);
print_round(driver, server_url, base, detail, rid, out)."""
import argparse
import io
import json
import math
import os
import shutil
import sys
import tempfile
import time

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "e2e"))

DPI = 300  # templates are printed, and marks drawn, at 300 dpi
MM = DPI / 25.4  # pixels per millimetre in page space
GRADES = "1234"


def as_upload(jpeg_bytes):
    """What the browser sends for a picture: (width, height, raw deflate of 1,400-px grayscale)."""
    import omr_pages
    return omr_pages.normalize(jpeg_bytes)


# =====================================================================================================================
# Printing the templates and finding their boxes

def wait_for(what, ready, timeout=3600):
    start = time.time()
    while not ready():
        if time.time() - start > timeout:
            raise SystemExit(f"gave up waiting for {what}")
        print(f"waiting for {what} …", file=sys.stderr, flush=True)
        time.sleep(20)


def binary_ready(path):
    """The binary exists and has stopped changing (a build may still be writing it)."""
    if not os.path.exists(path):
        return False
    before = os.stat(path)
    time.sleep(3)
    after = os.stat(path)
    return os.access(path, os.X_OK) and (before.st_size, before.st_mtime) == (after.st_size, after.st_mtime)


def print_templates(out, sets=400):
    """The CLI's `print`: a throwaway server and round of its own (see print_round for printing in a bench's round)."""
    binary = os.environ.get("PINGYI_BIN") or os.path.join(ROOT, ".build", "debug", "pingyi")
    os.environ["PINGYI_BIN"] = binary
    wait_for(binary, lambda: binary_ready(binary))
    wait_for("chromium, chromedriver and pdftoppm",
             lambda: all(shutil.which(t) for t in ("chromium", "chromedriver", "pdftoppm")))
    import omr_pages as O
    from browser import Page, make_driver
    from conftest import Server
    from test_day_without_traps import browser_login
    from test_vote_browser import admin_password, api, login

    folder = tempfile.mkdtemp(prefix="pingyi-heldout-")
    server = Server(folder)
    driver = make_driver()
    try:
        password = admin_password(server)
        token = login(server, "admin", password)
        base, detail, rid = O.open_paper_round(api, server, token, lambda i: sets)
        api(server, token, "POST", base + f"/rounds/{rid}/seal")
        browser_login(Page(driver, server.url), password)
        print_round(driver, server.url, base, detail, rid, out, extra={"sets": sets})
    finally:
        driver.quit()
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def print_round(driver, server_url, base, detail, rid, out, extra=None):
    """Prints page 0 of every (group, form) of a sealed paper round (a browser already signed in), finds the boxes,
    writes the templates folder `out` and returns it. The page code printed at the top belongs to this round, so a
    bench uploading to its own round prints its own templates; the boxes, and so every mark drawn from a seed, are
    the same for every round."""
    import omr_pages as O
    os.makedirs(out, exist_ok=True)
    groups, forms = detail["raterGroups"], detail["forms"]
    pairs = [(g, f) for g in range(len(groups)) for f in range(len(forms))]
    scratch = tempfile.mkdtemp(prefix="pingyi-print-")
    try:
        images = O.print_svg_pages(driver, server_url, [f"{base}/rounds/{rid}/forms/{g}/{f}/0" for g, f in pairs],
                                   scratch, dpi=DPI)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    entries = []
    for (g, f), image in zip(pairs, images):
        gray = np.asarray(image.convert("L"))
        found = find_layout(gray)
        rows, columns = len(found["boxes"]), len(found["boxes"][0])
        expected_rows, expected_columns = min(len(detail["reportees"]), 12), len(forms[f]["columns"])
        if (rows, columns) != (expected_rows, expected_columns):
            raise SystemExit(f"group {g} form {f}: found {rows}x{columns} boxes, expected "
                             f"{expected_rows}x{expected_columns}")
        name = f"form-{g}-{f}.png"
        image.convert("L").save(os.path.join(out, name))
        draw_layout(image.convert("RGB"), found).save(os.path.join(out, f"boxes-{g}-{f}.png"))
        entries.append({"file": name, "group": g, "form": f, "groupName": groups[g].get("name"),
                        "formName": forms[f].get("title") or forms[f].get("name"), "rows": rows,
                        "columns": columns, "width": image.size[0], "height": image.size[1], **found})
        print(f"group {g} form {f}: {rows} rows x {columns} columns, {len(found['solids'])} solid squares",
              file=sys.stderr)
    with open(os.path.join(out, "templates.json"), "w") as fh:
        json.dump({"dpi": DPI, "round": rid, **(extra or {}), "templates": entries}, fh, ensure_ascii=False, indent=1)
    _TEMPLATES.pop(out, None)
    return out


def components(mask):
    """Connected components (8-connected) of a boolean image: array of rows (x0, y0, x1, y1, pixels), x1/y1 exclusive.
    Runs of each pixel row are joined with the runs they touch in the row above (union-find over runs)."""
    h, w = mask.shape
    padded = np.zeros((h, w + 2), np.int8)
    padded[:, 1:-1] = mask
    step = np.diff(padded, axis=1)
    rows, starts = np.nonzero(step == 1)
    _, ends = np.nonzero(step == -1)
    n = len(rows)
    parent = list(range(n))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    first = np.searchsorted(rows, np.arange(h + 1)).tolist()
    s, e = starts.tolist(), ends.tolist()
    for y in range(1, h):
        i, i1, j, j1 = first[y - 1], first[y], first[y], first[y + 1]
        while i < i1 and j < j1:
            if s[i] <= e[j] and s[j] <= e[i]:  # runs [s, e) touch, diagonals included
                a, b = find(i), find(j)
                if a != b:
                    parent[b] = a
            if e[i] < e[j]:
                i += 1
            else:
                j += 1
    labels = np.array([find(k) for k in range(n)], np.int64)
    uniq, inverse = np.unique(labels, return_inverse=True)
    m = len(uniq)
    x0 = np.full(m, w); y0 = np.full(m, h); x1 = np.zeros(m, np.int64); y1 = np.zeros(m, np.int64)
    count = np.zeros(m, np.int64)
    np.minimum.at(x0, inverse, starts)
    np.maximum.at(x1, inverse, ends)
    np.minimum.at(y0, inverse, rows)
    np.maximum.at(y1, inverse, rows + 1)
    np.add.at(count, inverse, ends - starts)
    return np.stack([x0, y0, x1, y1, count], axis=1)


def find_layout(gray):
    """The grade boxes of a printed form, found as hollow squares: {"boxes": [row][column][grade] -> [x0, y0, x1, y1],
    "solids": filled squares (corner anchors, page code), "nameArea": [row] -> rect left of the boxes}."""
    dark = gray < 140
    comps = components(dark)
    boxes, solids = [], []
    for x0, y0, x1, y1, count in comps.tolist():
        w, h = x1 - x0, y1 - y0
        if w < 1.2 * MM or h < 1.2 * MM:
            continue
        fill = count / (w * h)
        if fill > 0.85 and abs(w - h) < 0.2 * max(w, h):
            solids.append([x0, y0, x1, y1])
            continue
        if not (4 * MM <= w <= 12 * MM and 4 * MM <= h <= 12 * MM and abs(w - h) < 0.12 * max(w, h)):
            continue
        inner = dark[y0 + h // 5:y1 - h // 5, x0 + w // 5:x1 - w // 5]
        if inner.mean() < 0.01 and fill < 0.4:  # an outline with nothing inside: a box
            boxes.append([x0, y0, x1, y1])
    if not boxes:
        raise ValueError("no boxes found")
    # Rows of boxes: sorted by centre height, a new row where the centre jumps by more than half a box.
    boxes.sort(key=lambda b: (b[1] + b[3]) / 2)
    size = float(np.median([b[2] - b[0] for b in boxes]))
    rows, current = [], [boxes[0]]
    for b in boxes[1:]:
        if (b[1] + b[3]) / 2 - (current[-1][1] + current[-1][3]) / 2 > size / 2:
            rows.append(current)
            current = []
        current.append(b)
    rows.append(current)
    grid = []
    for row in rows:
        row.sort(key=lambda b: b[0])
        if len(row) % 4:
            raise ValueError(f"a row with {len(row)} boxes")
        # Boxes of one column are closer together than the columns are.
        gaps = [row[k + 1][0] - row[k][2] for k in range(len(row) - 1)]
        inner_gaps = [gaps[k] for k in range(len(gaps)) if k % 4 != 3]
        between = [gaps[k] for k in range(len(gaps)) if k % 4 == 3]
        if between and min(between) <= max(inner_gaps):
            raise ValueError("columns not separated")
        grid.append([row[k:k + 4] for k in range(0, len(row), 4)])
    if len({len(r) for r in grid}) != 1:
        raise ValueError("rows with different numbers of columns")
    name_area = []
    for row in grid:
        top = min(b[1] for b in row[0]) - 1 * MM
        bottom = max(b[3] for b in row[0]) + 1 * MM
        right = row[0][0][0] - 4 * MM
        name_area.append([int(max(12 * MM, right - 70 * MM)), int(top), int(right), int(bottom)])
    return {"boxes": grid, "solids": solids, "nameArea": name_area, "boxSize": size}


def draw_layout(image, found):
    draw = ImageDraw.Draw(image)
    for r, row in enumerate(found["boxes"]):
        for c, column in enumerate(row):
            for g, (x0, y0, x1, y1) in enumerate(column):
                draw.rectangle([x0 - 3, y0 - 3, x1 + 3, y1 + 3], outline=(0, 170, 0), width=3)
                draw.text((x0 + 8, y0 + 8), f"{r}.{c}.{g + 1}", fill=(0, 120, 0))
    for rect in found["solids"]:
        draw.rectangle([rect[0] - 4, rect[1] - 4, rect[2] + 4, rect[3] + 4], outline=(220, 0, 0), width=3)
    for rect in found["nameArea"]:
        draw.rectangle(rect, outline=(0, 0, 220), width=2)
    return image


def load_templates(folder):
    with open(os.path.join(folder, "templates.json")) as fh:
        meta = json.load(fh)
    out = []
    for t in meta["templates"]:
        t = dict(t)
        t["gray"] = np.asarray(Image.open(os.path.join(folder, t["file"])).convert("L"))
        out.append(t)
    return out


# =====================================================================================================================
# Pens and strokes. A stroke is (points Nx2 in page pixels, widths N in pixels, intensities N in 0..1).

PENS = {
    # name: (ink RGB, stroke width in mm, intensity range, pencil grain 0..1)
    "ballpoint-black": ((30, 30, 38), (0.3, 0.7), (0.82, 1.0), 0.0),
    "ballpoint-blue": ((28, 48, 150), (0.3, 0.7), (0.8, 1.0), 0.0),
    "ballpoint-red": ((180, 36, 44), (0.3, 0.6), (0.85, 1.0), 0.0),
    "gel": ((16, 16, 26), (0.18, 0.32), (0.95, 1.0), 0.0),
    "gel-blue": ((24, 30, 110), (0.18, 0.32), (0.95, 1.0), 0.0),
    "pencil-HB": ((128, 128, 132), (0.35, 0.7), (0.75, 1.0), 0.45),
    "pencil-H": ((155, 155, 160), (0.35, 0.6), (0.7, 1.0), 0.55),
    "pencil-2H": ((185, 185, 190), (0.35, 0.55), (0.7, 1.0), 0.6),
}


class Pen:
    def __init__(self, name, rng):
        rgb, (w0, w1), (v0, v1), grain = PENS[name]
        self.name = name
        # Each pen on each page is a little different: its ink, the hand's pressure, how worn the tip is.
        self.rgb = np.clip(np.array(rgb, np.float32) + rng.uniform(-12, 12), 0, 255)
        if name.startswith("pencil"):  # graphite grey: 120 (HB pressed) to 200 (2H, a light hand)
            lo, hi = {"pencil-HB": (120, 150), "pencil-H": (145, 175), "pencil-2H": (170, 200)}[name]
            self.rgb = np.array([0, 0, 3], np.float32) + rng.uniform(lo, hi)
        self.width = rng.uniform(w0, w1) * MM
        self.intensity = (v0, v1)
        self.grain = grain

    @property
    def is_pencil(self):
        return self.grain > 0


def lowfreq(rng, t, terms=3):
    """Smooth noise in -1..1 along a parameter t (radians or any unit), a few random sinusoids."""
    out = np.zeros_like(t)
    for k in range(terms):
        out += rng.uniform(0.3, 1.0) * np.sin((k + 1.5 + rng.uniform(-0.5, 0.5)) * t + rng.uniform(0, 2 * np.pi))
    return out / terms


def stroke(rng, pen, pts, taper=True):
    """Widths and intensities along a hand-drawn path: pressure varies, the pen lands and lifts, a ballpoint skips."""
    pts = np.asarray(pts, np.float32)
    n = len(pts)
    t = np.linspace(0, 1, n, dtype=np.float32)
    w = pen.width * (1 + 0.18 * lowfreq(rng, t * 9))
    v = rng.uniform(*pen.intensity) * (1 + 0.08 * lowfreq(rng, t * 7))
    if taper:
        ramp = np.clip(np.minimum(t / rng.uniform(0.02, 0.08), (1 - t) / rng.uniform(0.03, 0.12)), 0, 1)
        w = w * (0.5 + 0.5 * ramp)
        v = v * (0.55 + 0.45 * ramp)
    # Skips: a ballpoint starved of ink, a pencil over paper tooth.
    for _ in range(rng.poisson(1.4 if pen.is_pencil else 0.5)):
        at, width = rng.uniform(0, 1), rng.uniform(0.01, 0.06)
        v = v * (1 - rng.uniform(0.3, 0.75 if pen.is_pencil else 0.6) * np.exp(-((t - at) / width) ** 2))
    return pts, np.maximum(w, 1.2), np.clip(v, 0, 1)


def ink(page, strokes, pen, rng, supersample=3):
    """Lays strokes on the page (uint8, HxW or HxWx3) in place: rendered antialiased on a small patch, grained for
    pencil, then multiplied in (ink darkens whatever is under it, printed lines included)."""
    if not strokes:
        return
    h, w = page.shape[:2]
    allpts = np.concatenate([s[0] for s in strokes])
    pad = max(float(s[1].max()) for s in strokes) + 3
    x0 = int(max(0, math.floor(allpts[:, 0].min() - pad)))
    y0 = int(max(0, math.floor(allpts[:, 1].min() - pad)))
    x1 = int(min(w, math.ceil(allpts[:, 0].max() + pad)))
    y1 = int(min(h, math.ceil(allpts[:, 1].max() + pad)))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return
    s = supersample if (x1 - x0) * (y1 - y0) < 400_000 else 1
    alpha = np.zeros((y1 - y0, x1 - x0), np.float32)
    for pts, widths, values in strokes:
        canvas = Image.new("L", ((x1 - x0) * s, (y1 - y0) * s), 0)
        draw = ImageDraw.Draw(canvas)
        q = ((pts - np.array([x0, y0], np.float32)) * s).tolist()
        for i in range(len(q) - 1):
            draw.line([tuple(q[i]), tuple(q[i + 1])], fill=int(255 * (values[i] + values[i + 1]) / 2),
                      width=max(1, int(round((widths[i] + widths[i + 1]) * s / 2))))
        for i in range(len(q)):  # round joints
            r = widths[i] * s / 2
            if r >= 1:
                draw.ellipse([q[i][0] - r, q[i][1] - r, q[i][0] + r, q[i][1] + r], fill=int(255 * values[i]))
        a = np.asarray(canvas.reduce(s) if s > 1 else canvas, np.float32) / 255
        alpha = 1 - (1 - alpha) * (1 - a)  # two passes of ink are darker than one
    if pen.is_pencil:
        # Graphite catches on the paper's tooth: a random grain, a little clumped.
        grain = rng.random(alpha.shape, dtype=np.float32)
        grain = (grain + np.roll(grain, 1, 0) + np.roll(grain, 1, 1)) / 3 - 0.5  # about +-0.17, a little clumped
        alpha *= np.clip(0.92 + pen.grain * 2.6 * grain, 0.1, 1)
    else:
        alpha *= rng.uniform(0.9, 1.0, alpha.shape).astype(np.float32)
    region = page[y0:y1, x0:x1].astype(np.float32)
    if page.ndim == 3:
        factor = 1 - alpha[..., None] * (1 - pen.rgb / 255)
    else:
        lum = float(pen.rgb @ np.array([0.299, 0.587, 0.114], np.float32))
        factor = 1 - alpha * (1 - lum / 255)
    page[y0:y1, x0:x1] = np.clip(region * factor, 0, 255).astype(np.uint8)


# ---- shapes (page pixels)

def rotate(pts, angle, cx=0.0, cy=0.0):
    c, s = math.cos(angle), math.sin(angle)
    p = np.asarray(pts, np.float32) - [cx, cy]
    return np.stack([p[:, 0] * c - p[:, 1] * s, p[:, 0] * s + p[:, 1] * c], axis=1) + [cx, cy]


def circle_path(rng, cx, cy, rx, ry, tilt=0.0, sweep=2 * np.pi, start=None, drift=0.0, wobble=0.05):
    """A hand-drawn loop: radius breathes a little, the end misses the start (drift), direction either way."""
    start = rng.uniform(0, 2 * np.pi) if start is None else start
    direction = 1 if rng.random() < 0.6 else -1  # most people circle anticlockwise on the page
    n = max(18, int((rx + ry) / 2 * sweep / 2.2))
    t = np.linspace(0, 1, n, dtype=np.float32)
    ang = start + direction * sweep * t
    k = 1 + wobble * lowfreq(rng, ang) + drift * t
    pts = np.stack([rx * k * np.cos(ang), ry * k * np.sin(ang)], axis=1)
    pts += rng.normal(0, 0.25, pts.shape)  # tremor
    return rotate(pts, tilt) + [cx, cy]


def bezier(p0, p1, p2, n):
    t = np.linspace(0, 1, n, dtype=np.float32)[:, None]
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t ** 2 * p2


def bent_line(rng, a, b, bend=0.08, step=2.5):
    a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
    length = float(np.linalg.norm(b - a))
    normal = np.array([-(b - a)[1], (b - a)[0]], np.float32) / max(length, 1e-6)
    mid = (a + b) / 2 + normal * length * rng.uniform(-bend, bend)
    return bezier(a, mid, b, max(6, int(length / step)))


def box_geom(rect):
    x0, y0, x1, y1 = rect
    return (x0 + x1) / 2, (y0 + y1) / 2, ((x1 - x0) + (y1 - y0)) / 2


def circle_mark(rng, pen, rect, variant, top_row=False):
    cx, cy, b = box_geom(rect)
    off = 0.08 * b
    drift, wobble, sweep = rng.uniform(-0.1, 0.1), rng.uniform(0.02, 0.07), rng.uniform(2.0, 2.3) * np.pi
    rx = rng.uniform(0.3, 0.47) * b
    ry = rx * rng.uniform(0.85, 1.15)
    tilt = rng.uniform(-0.5, 0.5)
    if variant == "small-circle":
        rx = rng.uniform(1.5, 2.2) * MM
        ry = rx * rng.uniform(0.85, 1.15)
        off = max(0.0, 0.5 * b - rx - 0.6 * MM)
    elif variant == "over-edge":
        if rng.random() < 0.5:  # larger than the box
            rx = rng.uniform(0.52, 0.68) * b
            ry = rx * rng.uniform(0.85, 1.1)
            off = 0.05 * b
        else:  # drawn off-centre, hanging over one edge (in the first row, up over the printed grade's name)
            rx = rng.uniform(0.34, 0.45) * b
            ry = rx * rng.uniform(0.85, 1.1)
            ang = rng.uniform(0, 2 * np.pi)
            d = rng.uniform(0.18, 0.3) * b
            if top_row and rng.random() < 0.5:
                ang, d = -np.pi / 2 + rng.uniform(-0.3, 0.3), rng.uniform(0.3, 0.42) * b
                ry = rx * rng.uniform(1.0, 1.25)
            cx, cy, off = cx + d * math.cos(ang), cy + d * math.sin(ang), 0.0
    elif variant == "open-circle":
        sweep = rng.uniform(4 / 3, 1.85) * np.pi  # a gap of up to a third
    elif variant == "ellipse":
        rx = rng.uniform(0.38, 0.55) * b
        ry = rx * rng.uniform(0.5, 0.75)
        tilt = rng.uniform(-0.6, 0.6) + (np.pi / 2 if rng.random() < 0.2 else 0)
    elif variant == "spiral":
        sweep = rng.uniform(3.2, 6.0) * np.pi  # traced two or three times round
        drift = rng.uniform(-0.3, 0.2)
        rx = rng.uniform(0.3, 0.42) * b
        ry = rx * rng.uniform(0.85, 1.15)
    cx += rng.uniform(-off, off)
    cy += rng.uniform(-off, off)
    return [stroke(rng, pen, circle_path(rng, cx, cy, rx, ry, tilt, sweep, drift=drift, wobble=wobble))]


def tick_mark(rng, pen, rect):
    """A check mark: a short stroke down to the vertex, a long one up and away; 2 to 7 mm, any slant; the vertex
    in the box, the start sometimes outside it."""
    cx, cy, b = box_geom(rect)
    size = rng.uniform(2.0, 7.0) * MM
    short = size * rng.uniform(0.25, 0.5)
    long = size * rng.uniform(0.7, 1.0)
    a1 = math.radians(rng.uniform(100, 170))  # up-left from the vertex (y grows downwards)
    a2 = math.radians(rng.uniform(25, 80))    # up-right
    vx = cx + rng.uniform(-0.2, 0.15) * b
    vy = cy + rng.uniform(-0.05, 0.3) * b
    if rng.random() < 0.2:  # the short stroke starts left of the box
        vx = rect[0] + rng.uniform(0.1, 0.3) * b
    v = np.array([vx, vy], np.float32)
    p0 = v + short * np.array([math.cos(a1), -math.sin(a1)], np.float32)
    p2 = v + long * np.array([math.cos(a2), -math.sin(a2)], np.float32)
    path = np.concatenate([bent_line(rng, p0, v, 0.12, 2.0), bent_line(rng, v, p2, 0.1, 2.0)[1:]])
    if rng.random() < 0.15:  # a loop at the vertex, or a rounded tick
        path = bezier(p0, v + (v - (p0 + p2) / 2) * 0.6, p2, 40)
    path = rotate(path, rng.uniform(-0.35, 0.35), vx, vy) + rng.normal(0, 0.2, path.shape)
    return [stroke(rng, pen, path)]


def cross_mark(rng, pen, rect):
    cx, cy, b = box_geom(rect)
    cx += rng.uniform(-0.08, 0.08) * b
    cy += rng.uniform(-0.08, 0.08) * b
    out = []
    for base in (45, 135):
        ang = math.radians(base + rng.uniform(-15, 15))
        half = rng.uniform(0.3, 0.55) * b
        d = np.array([math.cos(ang), math.sin(ang)], np.float32) * half
        c = np.array([cx, cy], np.float32) + rng.normal(0, 0.04 * b, 2)
        out.append(stroke(rng, pen, bent_line(rng, c - d, c + d, 0.06)))
    return out


def blob_mark(rng, pen, rect):
    """The box blacked in: a tight zigzag filling most of it."""
    cx, cy, b = box_geom(rect)
    r = rng.uniform(0.28, 0.42) * b
    spacing = max(pen.width * rng.uniform(0.7, 1.1), 2.0)
    ang = rng.uniform(-0.6, 0.6)
    pts = []
    y = -r
    left = True
    while y <= r:
        half = math.sqrt(max(r * r - y * y, 0)) * rng.uniform(0.85, 1.05)
        pts.append((-half if left else half, y))
        left = not left
        y += spacing
    pts = np.array(pts, np.float32)
    dense = np.concatenate([bent_line(rng, pts[i], pts[i + 1], 0.03, 3.0) for i in range(len(pts) - 1)])
    return [stroke(rng, pen, rotate(dense, ang) + [cx + rng.uniform(-0.06, 0.06) * b, cy], taper=False)]


def scribble_over(rng, pen, rect):
    """Crossing out: a zigzag or hatching over a box already marked."""
    cx, cy, b = box_geom(rect)
    r = rng.uniform(0.4, 0.6) * b
    turns = rng.integers(4, 9)
    ang = rng.uniform(-0.8, 0.8)
    xs = np.linspace(-r, r, turns)
    pts = np.array([(x, (r if k % 2 else -r) * rng.uniform(0.7, 1.0)) for k, x in enumerate(xs)], np.float32)
    path = np.concatenate([bent_line(rng, pts[i], pts[i + 1], 0.04, 3.0) for i in range(len(pts) - 1)])
    return [stroke(rng, pen, rotate(path, ang) + [cx, cy])]


def short_stroke(rng, pen, rect, inside_mm=(0.3, 0.9)):
    """A stroke of 1-2.5 mm that comes from outside a box and only just enters it (a slip, or a hesitation)."""
    cx, cy, b = box_geom(rect)
    x0, y0, x1, y1 = rect
    side = rng.integers(4)
    depth = rng.uniform(*inside_mm) * MM
    length = rng.uniform(1.0, 2.5) * MM
    along = rng.uniform(0.2, 0.8)
    if side == 0:
        end, d = np.array([x0 + depth, y0 + along * (y1 - y0)]), np.array([-1.0, 0.0])
    elif side == 1:
        end, d = np.array([x1 - depth, y0 + along * (y1 - y0)]), np.array([1.0, 0.0])
    elif side == 2:
        end, d = np.array([x0 + along * (x1 - x0), y0 + depth]), np.array([0.0, -1.0])
    else:
        end, d = np.array([x0 + along * (x1 - x0), y1 - depth]), np.array([0.0, 1.0])
    d = rotate(d[None], rng.uniform(-0.6, 0.6))[0]
    start = end + d * length
    return [stroke(rng, pen, bent_line(rng, start, end, 0.25, 1.5))]


def faint_squiggle(rng, rect):
    """A tiny, very light mark inside a box: visible, but as small as a speck."""
    cx, cy, b = box_geom(rect)
    c = np.array([cx, cy]) + rng.uniform(-0.2, 0.2, 2) * b
    size = rng.uniform(0.8, 1.8) * MM
    a = c + rng.normal(0, 1, 2) * size / 2
    pen = Pen("pencil-2H", rng)
    pen.rgb = np.full(3, rng.uniform(200, 218), np.float32)
    return pen, [stroke(rng, pen, bent_line(rng, a, 2 * c - a, 0.5, 1.5))]


# =====================================================================================================================
# A ballot: what the voter marks, column by column, and the page's accidents

COLUMN_PLAN = [  # (what happens in a column, weight in percent)
    ("single", 86.1), ("blank", 7.4), ("double", 3.0), ("crossed-out", 1.5), ("hesitant", 2.0)]
CIRCLE_VARIANTS = [("circle", 62), ("small-circle", 8), ("over-edge", 10), ("open-circle", 8), ("ellipse", 6),
                   ("spiral", 6)]
VOTER_PENS = [("ballpoint-black", 31), ("ballpoint-blue", 29), ("ballpoint-red", 3), ("gel", 6), ("gel-blue", 4),
              ("pencil-HB", 11), ("pencil-H", 9), ("pencil-2H", 7)]
VOTER_SHAPES = [("circle", 72), ("tick", 20), ("cross", 4), ("blob", 4)]


def pick(rng, table):
    names = [n for n, _ in table]
    weights = np.array([w for _, w in table], float)
    return names[rng.choice(len(names), p=weights / weights.sum())]


class Ballot:
    """The voter's marks on one template; `kinds` etc. are filled as columns are drawn."""

    def __init__(self, template, rng, channels):
        self.t = template
        self.rng = rng
        self.rows, self.cols = template["rows"], template["columns"]
        gray = template["gray"]
        self.page = np.repeat(gray[..., None], 3, axis=2).copy() if channels == 3 else gray.copy()
        self.boxes = template["boxes"]
        self.all_boxes = [(r, c, g, rect) for r, row in enumerate(self.boxes) for c, col in enumerate(row)
                          for g, rect in enumerate(col)]
        self.rects = np.array([rect for _, _, _, rect in self.all_boxes], np.float32)
        self.truth = [["0"] * self.cols for _ in range(self.rows)]
        self.kinds = [["blank"] * self.cols for _ in range(self.rows)]
        self.pens = [[""] * self.cols for _ in range(self.rows)]
        self.details = [[""] * self.cols for _ in range(self.rows)]
        self.near = [[[] for _ in range(self.cols)] for _ in range(self.rows)]
        self.noise = []
        self.stains = []  # applied to the paper at the output resolution, after marking
        self.folds = []

    # ---- geometry checks

    def intrudes(self, strokes, allowed, inset):
        """True if ink from these strokes reaches into a box other than `allowed` ((r, c, g) triples); inset > 0
        tolerates ink over the other box's edge up to that depth, inset < 0 keeps that far outside it."""
        pts = np.concatenate([s[0] for s in strokes])
        m = inset - max(float(s[1].max()) for s in strokes) / 2
        x0, y0, x1, y1 = (self.rects[:, k] for k in range(4))
        near = ((x0 + m < pts[:, 0].max()) & (x1 - m > pts[:, 0].min()) & (y0 + m < pts[:, 1].max())
                & (y1 - m > pts[:, 1].min()))
        for k in np.nonzero(near)[0]:
            r, c, g, (bx0, by0, bx1, by1) = self.all_boxes[k]
            if (r, c, g) in allowed:
                continue
            if ((pts[:, 0] > bx0 + m) & (pts[:, 0] < bx1 - m) & (pts[:, 1] > by0 + m) & (pts[:, 1] < by1 - m)).any():
                return True
        return False

    def touches_any_box(self, strokes, margin):
        return self.intrudes(strokes, (), -margin)

    # ---- marks

    def shaped(self, pen, shape, rect, variant=None):
        if shape == "circle":
            top_row = rect[1] < self.boxes[0][0][0][3]
            return circle_mark(self.rng, pen, rect, variant or "circle", top_row)
        if shape == "tick":
            return tick_mark(self.rng, pen, rect)
        if shape == "cross":
            return cross_mark(self.rng, pen, rect)
        return blob_mark(self.rng, pen, rect)

    def clear_mark(self, pen, shape, r, c, g, variant=None):
        """A mark a person reads without doubt as box g; redrawn until it keeps out of every other box."""
        rect = self.boxes[r][c][g]
        b = box_geom(rect)[2]
        tolerance = 0.2 * b if variant == "over-edge" else 0.1 * b if shape == "tick" else -0.4 * MM
        for attempt in range(25):
            strokes = self.shaped(pen, shape, rect, variant if attempt < 15 else None)
            # Over-edge circles and long ticks may cross a neighbour's printed edge, never reach into it.
            if not self.intrudes(strokes, {(r, c, g)}, tolerance):
                return strokes
        return circle_mark(self.rng, pen, rect, "small-circle")

    def mark_name(self, pen, shape, variant):
        if shape == "circle":
            if variant != "circle":
                return variant
            if pen.name == "pencil-2H":
                return "light-pencil"
            if pen.is_pencil:
                return "pencil-circle"
            if pen.name.startswith("gel"):
                return "gel-thin"
            return "ballpoint-circle"
        if shape == "tick":
            return "light-pencil" if pen.name == "pencil-2H" else "pencil-tick" if pen.is_pencil else "tick"
        return shape

    def fill(self):
        rng = self.rng
        voter_pen = pick(rng, VOTER_PENS)
        voter_shape = pick(rng, VOTER_SHAPES)
        pens = {}

        def pen_for(name):
            if name not in pens:
                pens[name] = Pen(name, rng)
            return pens[name]

        for r in range(self.rows):
            for c in range(self.cols):
                plan = pick(rng, COLUMN_PLAN)
                pen = pen_for(voter_pen if rng.random() > 0.05 else pick(rng, VOTER_PENS))
                shape = voter_shape if rng.random() > 0.12 else pick(rng, VOTER_SHAPES)
                variant = pick(rng, CIRCLE_VARIANTS) if shape == "circle" else None
                g = int(rng.integers(4))
                self.pens[r][c] = pen.name
                if plan == "blank":
                    self.pens[r][c] = ""
                    continue
                if plan == "single":
                    strokes = self.clear_mark(pen, shape, r, c, g, variant)
                    ink(self.page, strokes, pen, rng)
                    kind = self.mark_name(pen, shape, variant)
                    if rng.random() < 0.012:  # overwritten: the same box gone over again, still one choice
                        again = self.clear_mark(pen, "tick" if shape == "circle" else "circle", r, c, g)
                        ink(self.page, again, pen, rng)
                        self.details[r][c] = kind
                        kind = "overwritten"
                    self.truth[r][c], self.kinds[r][c] = GRADES[g], kind
                elif plan == "double":
                    chosen = rng.choice(4, size=3 if rng.random() < 0.15 else 2, replace=False)
                    for k in chosen:
                        ink(self.page, self.clear_mark(pen, shape, r, c, int(k), variant), pen, rng)
                    self.truth[r][c], self.kinds[r][c] = "X", "double"
                    self.details[r][c] = f"{len(chosen)}x{self.mark_name(pen, shape, variant)}"
                elif plan == "crossed-out":
                    first, second = rng.choice(4, size=2, replace=False)
                    rect = self.boxes[r][c][first]
                    ink(self.page, self.clear_mark(pen, "circle", r, c, int(first)), pen, rng)
                    how = rng.integers(3)
                    column = {(r, c, k) for k in range(4)}
                    for _ in range(20):  # the crossing-out stays in its own column
                        over = (scribble_over(rng, pen, rect) if how == 0 else cross_mark(rng, pen, rect)
                                if how == 1 else blob_mark(rng, pen, rect))
                        if not self.intrudes(over, column, 0.1 * box_geom(rect)[2]):
                            break
                    else:
                        over = blob_mark(rng, pen, rect)
                    ink(self.page, over, pen, rng)
                    ink(self.page, self.clear_mark(pen, "circle", r, c, int(second)), pen, rng)
                    self.truth[r][c], self.kinds[r][c] = "X", "crossed-out"
                    self.details[r][c] = ["scribbled", "crossed", "blacked"][how]
                else:
                    self.hesitant(pen, shape, r, c, g)

    def hesitant(self, pen, shape, r, c, g):
        """A column a person would not decide alone: '?'."""
        rng = self.rng
        how = pick(rng, [("tiny", 35), ("between", 30), ("faint", 15), ("plus", 20)])
        b = self.t["boxSize"]
        if how == "between":
            g = min(g, 2)
            a, z = self.boxes[r][c][g], self.boxes[r][c][g + 1]
            cx = (a[2] + z[0]) / 2 + rng.uniform(-0.02, 0.02) * b
            cy = (a[1] + a[3] + z[1] + z[3]) / 4 + rng.uniform(-0.05, 0.05) * b
            rx = rng.uniform(0.42, 0.55) * b
            strokes = [stroke(rng, pen, circle_path(rng, cx, cy, rx, rx * rng.uniform(0.8, 1.0)))]
            if self.intrudes(strokes, {(r, c, g), (r, c, g + 1)}, 0.2 * b):
                strokes = [stroke(rng, pen, circle_path(rng, cx, cy, 0.4 * b, 0.35 * b))]
            ink(self.page, strokes, pen, rng)
        elif how == "faint":
            faint, strokes = faint_squiggle(rng, self.boxes[r][c][g])
            ink(self.page, strokes, faint, rng)
        else:
            if how == "plus":
                ink(self.page, self.clear_mark(pen, shape, r, c, g), pen, rng)
                g = (g + int(rng.integers(1, 4))) % 4
            for _ in range(10):
                strokes = short_stroke(rng, pen, self.boxes[r][c][g])
                if not self.intrudes(strokes, {(r, c, g)}, -0.3 * MM):
                    break
            ink(self.page, strokes, pen, rng)
        self.truth[r][c], self.kinds[r][c], self.details[r][c] = "?", "hesitant", "hesitant-" + how

    # ---- accidents that are not marks

    def column_near(self, pts, margin):
        """(row, column) pairs whose boxes lie within `margin` px of any of these points."""
        out = set()
        for r, row in enumerate(self.boxes):
            for c, col in enumerate(row):
                x0, y0 = col[0][0] - margin, min(b[1] for b in col) - margin
                x1, y1 = col[3][2] + margin, max(b[3] for b in col) + margin
                if ((pts[:, 0] > x0) & (pts[:, 0] < x1) & (pts[:, 1] > y0) & (pts[:, 1] < y1)).any():
                    out.add((r, c))
        return out

    def note(self, cells, name):
        for r, c in cells:
            if name not in self.near[r][c]:
                self.near[r][c].append(name)

    def keep_out(self, pts, margin):
        """True if the points stay clear of what the reader locates and identifies the page by: the corner squares
        and the whole band of the page code at the top. (The band, not the code's squares: the code differs from
        round to round, and the noise drawn from a seed should not.)"""
        h = self.page.shape[0]
        solids = np.array(self.t["solids"], np.float32).reshape(-1, 4)
        top = solids[solids[:, 3] < 0.2 * h]
        if len(top) and (pts[:, 1] < top[:, 3].max() + margin).any():
            return False
        for x0, y0, x1, y1 in solids[(solids[:, 2] - solids[:, 0]) > 4 * MM].tolist():
            if ((pts[:, 0] > x0 - margin) & (pts[:, 0] < x1 + margin) & (pts[:, 1] > y0 - margin)
                    & (pts[:, 1] < y1 + margin)).any():
                return False
        return True

    def accidents(self):
        rng = self.rng
        h, w = self.page.shape[:2]
        # Stray lines: a pen dragged between rows, down a gap between boxes, or across a name.
        for _ in range(rng.poisson(0.7)):
            pen = Pen(pick(rng, VOTER_PENS), rng)
            for _ in range(30):
                where = rng.integers(3)
                r = int(rng.integers(self.rows))
                row = self.boxes[r]
                if where == 0 and r + 1 < self.rows:  # in the space between two rows of boxes
                    top = max(bx[3] for col in row for bx in col)
                    bottom = min(bx[1] for col in self.boxes[r + 1] for bx in col)
                    y = rng.uniform(top + 0.3 * (bottom - top), bottom - 0.3 * (bottom - top))
                    xa = rng.uniform(self.t["nameArea"][r][0], row[-1][3][2])
                    length = rng.uniform(15, 120) * MM
                    a, z = (xa, y), (xa + length, y + rng.uniform(-0.15, 0.15) * (bottom - top))
                elif where == 1:  # through the gap between two boxes, across the row
                    c, g = int(rng.integers(self.cols)), int(rng.integers(3))
                    x = (row[c][g][2] + row[c][g + 1][0]) / 2
                    ya = row[c][g][1] - rng.uniform(1, 6) * MM
                    a, z = (x, ya), (x + rng.uniform(-0.3, 0.3) * MM, row[c][g][3] + rng.uniform(1, 6) * MM)
                else:  # over the secretary's name
                    x0, y0, x1, y1 = self.t["nameArea"][r]
                    a = (rng.uniform(x0, x1), rng.uniform(y0, y1))
                    ang = rng.uniform(0, 2 * np.pi)
                    length = rng.uniform(5, 40) * MM
                    z = (a[0] + length * math.cos(ang), a[1] + length * math.sin(ang))
                strokes = [stroke(rng, pen, bent_line(rng, a, z, 0.02, 4.0))]
                if not self.touches_any_box(strokes, 0.35 * MM) and self.keep_out(strokes[0][0], 3 * MM):
                    ink(self.page, strokes, pen, rng, supersample=2)
                    self.noise.append("stray-line")
                    self.note(self.column_near(strokes[0][0], 3 * MM), "stray")
                    break
        # Dots and pen rests: specks on the page, a rested pen in the margins.
        for kind, count in (("dot", rng.poisson(1.5)), ("pen-rest", rng.poisson(0.4))):
            for _ in range(count):
                pen = Pen(pick(rng, VOTER_PENS), rng)
                for _ in range(30):
                    if kind == "dot":
                        p = np.array([rng.uniform(10 * MM, w - 10 * MM), rng.uniform(10 * MM, h - 10 * MM)])
                        size = rng.uniform(0.2, 0.6) * MM
                    else:
                        side = rng.integers(4)
                        p = np.array([rng.uniform(4, 12) * MM if side == 0 else w - rng.uniform(4, 12) * MM
                                      if side == 1 else rng.uniform(10 * MM, w - 10 * MM),
                                      rng.uniform(10 * MM, h - 10 * MM) if side < 2 else rng.uniform(4, 9) * MM
                                      if side == 2 else h - rng.uniform(4, 9) * MM])
                        size = rng.uniform(0.5, 1.5) * MM
                    path = p + rng.normal(0, size / 2, (6, 2))
                    strokes = [stroke(rng, pen, path, taper=False)]
                    if not self.touches_any_box(strokes, 1.2 * MM) and self.keep_out(path, 3 * MM):
                        ink(self.page, strokes, pen, rng, supersample=2)
                        self.noise.append(kind)
                        self.note(self.column_near(path, 2 * MM), "dot")
                        break
        # Coffee: light stains a person reads through; now and then a dark one that hides boxes.
        if rng.random() < 0.16:
            self.stain(heavy=False)
        if rng.random() < 0.035:
            self.stain(heavy=True)
        # A fold across the page.
        if rng.random() < 0.25:
            vertical = rng.random() < 0.6
            at = rng.choice([0.5, 1 / 3, 2 / 3]) + rng.uniform(-0.03, 0.03)
            self.folds.append({"vertical": bool(vertical), "at": float(at), "tilt": float(rng.uniform(-0.02, 0.02)),
                               "line": float(rng.uniform(0.82, 0.95)), "shade": float(rng.uniform(0.86, 0.97)),
                               "spread": float(rng.uniform(4, 25) * MM), "side": int(rng.choice([-1, 1]))})
            self.noise.append("fold")

    def stain(self, heavy):
        """A coffee stain: an irregular blot, darker at its rim; its shape in page pixels, laid on later."""
        rng = self.rng
        h, w = self.page.shape[:2]
        b = self.t["boxSize"]
        radius = (rng.uniform(3, 7) if heavy else rng.uniform(6, 22)) * MM
        for _ in range(30):
            if heavy or rng.random() < 0.7:  # over the boxes, where it matters
                r, c = int(rng.integers(self.rows)), int(rng.integers(self.cols))
                g = int(rng.integers(4))
                cx, cy, _ = box_geom(self.boxes[r][c][g])
                cx += rng.uniform(-0.5, 0.5) * b
                cy += rng.uniform(-0.5, 0.5) * b
            else:
                cx, cy = rng.uniform(0.1 * w, 0.9 * w), rng.uniform(0.1 * h, 0.9 * h)
            ang = np.linspace(0, 2 * np.pi, 90, endpoint=False)
            rad = radius * (1 + 0.18 * lowfreq(rng, ang, 4) + 0.04 * rng.normal(size=ang.size))
            poly = np.stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang)], axis=1)
            if self.keep_out(poly, 4 * MM):
                break
        else:
            return
        x0, y0 = int(poly[:, 0].min()) - 8, int(poly[:, 1].min()) - 8
        x1, y1 = int(poly[:, 0].max()) + 8, int(poly[:, 1].max()) + 8
        mask = Image.new("L", (x1 - x0, y1 - y0), 0)
        ImageDraw.Draw(mask).polygon([tuple(p) for p in (poly - [x0, y0]).tolist()], fill=255)
        outer = np.asarray(mask.filter(ImageFilter.GaussianBlur(radius * 0.04 + 1)), np.float32) / 255
        inner = np.asarray(mask.filter(ImageFilter.GaussianBlur(radius * 0.25)), np.float32) / 255
        rim = np.clip(outer - inner, 0, 1)
        if heavy:
            density = np.clip(outer * rng.uniform(0.85, 1.0), 0, 1)
            colour = np.array([rng.uniform(60, 95), rng.uniform(45, 65), rng.uniform(30, 45)], np.float32)
        else:
            density = np.clip(outer * rng.uniform(0.1, 0.3) + rim * rng.uniform(0.2, 0.45), 0, 0.6)
            colour = np.array([rng.uniform(150, 185), rng.uniform(115, 140), rng.uniform(75, 100)], np.float32)
        self.stains.append({"x": x0, "y": y0, "density": density, "colour": colour})
        self.noise.append("stain-heavy" if heavy else "stain")
        covered_cells = set()
        for r, c, g, (bx0, by0, bx1, by1) in self.all_boxes:
            ix0, iy0, ix1, iy1 = max(bx0, x0), max(by0, y0), min(bx1, x1), min(by1, y1)
            if ix0 >= ix1 or iy0 >= iy1:
                continue
            part = density[iy0 - y0:iy1 - y0, ix0 - x0:ix1 - x0]
            dark = float((part > 0.5).sum()) / ((bx1 - bx0) * (by1 - by0))
            if heavy and dark > 0.2:  # a person cannot see what is under it
                covered_cells.add((r, c))
            elif part.max() > 0.05:
                self.note({(r, c)}, "stain")
        for r, c in covered_cells:
            self.truth[r][c], self.kinds[r][c], self.details[r][c] = "?", "stain", "stain-hides-box"

    def finish(self):
        """Blank columns with something else near them are named after it (they test false marks)."""
        for r in range(self.rows):
            for c in range(self.cols):
                if self.kinds[r][c] == "blank" and self.near[r][c]:
                    self.kinds[r][c] = "stain" if "stain" in self.near[r][c] else "stray"

    def record(self):
        flat = lambda grid: [x for row in grid for x in row]
        return {"group": self.t["group"], "form": self.t["form"], "rows": self.rows, "columns": self.cols,
                "truth": "".join(flat(self.truth)), "markKinds": flat(self.kinds), "pens": flat(self.pens),
                "details": flat(self.details), "near": ["+".join(n) for n in flat(self.near)], "noise": self.noise}


# =====================================================================================================================
# Paper effects at the output resolution, then the scanner or the camera

def apply_paper(arr, ballot, scale):
    """Stains and folds on the page image `arr` (float32, HxW or HxWx3), which is page space scaled by `scale`."""
    h, w = arr.shape[:2]
    for s in ballot.stains:
        density = s["density"]
        dh, dw = density.shape
        tw, th = max(1, round(dw * scale)), max(1, round(dh * scale))
        d = np.asarray(Image.fromarray((density * 255).astype(np.uint8)).resize((tw, th), Image.BILINEAR),
                       np.float32) / 255
        x0, y0 = round(s["x"] * scale), round(s["y"] * scale)
        ax0, ay0, ax1, ay1 = max(0, x0), max(0, y0), min(w, x0 + tw), min(h, y0 + th)
        if ax0 >= ax1 or ay0 >= ay1:
            continue
        d = d[ay0 - y0:ay1 - y0, ax0 - x0:ax1 - x0]
        if arr.ndim == 3:
            arr[ay0:ay1, ax0:ax1] *= 1 - d[..., None] * (1 - s["colour"] / 255)
        else:
            lum = float(s["colour"] @ np.array([0.299, 0.587, 0.114], np.float32))
            arr[ay0:ay1, ax0:ax1] *= 1 - d * (1 - lum / 255)
    for f in ballot.folds:
        # The crease itself: a thin darker line, drawn and softened.
        line = Image.new("L", (w, h), 0)
        if f["vertical"]:
            x = f["at"] * w
            ends = [(x - f["tilt"] * h / 2, 0), (x + f["tilt"] * h / 2, h)]
        else:
            y = f["at"] * h
            ends = [(0, y - f["tilt"] * w / 2), (w, y + f["tilt"] * w / 2)]
        ImageDraw.Draw(line).line(ends, fill=255, width=max(1, round(0.3 * MM * scale)))
        line = np.asarray(line.filter(ImageFilter.GaussianBlur(max(0.6, 0.15 * MM * scale))), np.float32) / 255
        # The shade on one side of it, where the paper bends away from the light (smooth: computed small).
        sw, sh = max(2, w // 8), max(2, h // 8)
        yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32) * np.float32(8)
        if f["vertical"]:
            dist = xx - (f["at"] * w + f["tilt"] * (yy - h / 2))
        else:
            dist = yy - (f["at"] * h + f["tilt"] * (xx - w / 2))
        side = dist * f["side"]
        shade = 1 - (1 - f["shade"]) * np.exp(-np.maximum(side, 0) / (f["spread"] * scale)) * (side > 0)
        shade = np.asarray(Image.fromarray(shade.astype(np.float32), "F").resize((w, h), Image.BILINEAR))
        factor = (1 - (1 - f["line"]) * line) * shade
        arr *= factor[..., None] if arr.ndim == 3 else factor
    return arr


def resized(page, size):
    """The page at the capture's resolution (box-averaged first, as a sensor integrates)."""
    return Image.fromarray(page).resize(size, Image.BILINEAR, reducing_gap=2.0)


def jpeg_bytes(image, quality):
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=int(quality))
    return buf.getvalue()


def scanner(ballot, rng):
    """An office scanner: 150-300 dpi, the page a little skewed and shifted on the glass, blur, tone, noise,
    streaks from dust, sometimes fed upside down; grayscale JPEG (now and then a colour one)."""
    dpi = float(rng.choice([150, 200, 200, 240, 300], p=[0.2, 0.35, 0.1, 0.1, 0.25])) * rng.uniform(0.995, 1.005)
    out_w, out_h = round(297 / 25.4 * dpi), round(210 / 25.4 * dpi)
    zoom = rng.uniform(0.985, 1.015)
    scale = dpi / DPI * zoom
    h, w = ballot.page.shape[:2]
    page = resized(ballot.page, (round(w * scale), round(h * scale)))
    if ballot.stains or ballot.folds:
        arr = apply_paper(np.array(page, dtype=np.float32), ballot, scale)
        page = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    # Skew and shift: the inverse map from output to page pixels.
    angle = math.radians(rng.uniform(-2, 2))
    dx, dy = rng.uniform(-4, 4) * dpi / 25.4, rng.uniform(-4, 4) * dpi / 25.4
    c, s = math.cos(angle), math.sin(angle)
    pcx, pcy = page.size[0] / 2, page.size[1] / 2
    ocx, ocy = out_w / 2 + dx, out_h / 2 + dy
    coeffs = (c, s, pcx - c * ocx - s * ocy, -s, c, pcy + s * ocx - c * ocy)
    lid = int(rng.choice([255, 250, int(rng.uniform(200, 235))], p=[0.5, 0.25, 0.25]))
    img = page.transform((out_w, out_h), Image.AFFINE, coeffs, Image.BILINEAR, fillcolor=lid)
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.1) * dpi / 200))
    # Tone: white goes to a paper grey, black lifts; sometimes the whole scan is greyish.
    white = rng.uniform(228, 255) if rng.random() < 0.7 else rng.uniform(200, 228)
    black = rng.uniform(0, 45)
    gamma = rng.uniform(0.8, 1.25)
    img = img.point([int(round(black + (white - black) * (v / 255) ** gamma)) for v in range(256)])
    arr = np.array(img, dtype=np.float32)
    if rng.random() < 0.15:  # dust on the glass: streaks along the feed direction
        for _ in range(rng.integers(1, 4)):
            x = int(rng.integers(0, out_w - 3))
            width = int(rng.integers(1, 4))
            arr[:, x:x + width] *= rng.uniform(0.6, 0.93) if rng.random() < 0.7 else rng.uniform(1.02, 1.08)
        ballot.noise.append("streak")
    arr += rng.standard_normal(arr.shape, dtype=np.float32) * np.float32(rng.uniform(0.8, 3.5))
    np.maximum(arr, 0, out=arr)
    np.minimum(arr, 255, out=arr)
    img = Image.fromarray(arr.astype(np.uint8))
    if rng.random() < 0.08:
        img = img.rotate(180)
        ballot.noise.append("upside-down")
    if rng.random() < 0.15:
        img = img.convert("RGB")
    return jpeg_bytes(img, rng.uniform(50, 90)), {"dpi": round(dpi), "skewDeg": round(math.degrees(angle), 2)}


def perspective_coeffs(out_quad, in_quad):
    """PIL PERSPECTIVE data mapping output points to input points (solved from four pairs)."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(out_quad, in_quad):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y]); rhs.append(u)
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y]); rhs.append(v)
    return tuple(np.linalg.solve(np.array(rows, float), np.array(rhs, float)).tolist())


def smooth_field(rng, w, h, cells=(6, 5), amount=0.1):
    """A smooth random field around 1 (light falling unevenly), w x h float32."""
    low = rng.normal(0, 1, (cells[1], cells[0])).astype(np.float32)
    low = (low - low.min()) / (np.ptp(low) + 1e-6)
    field = np.asarray(Image.fromarray(low, "F").resize((w, h), Image.BICUBIC), np.float32)
    return 1 + amount * (field - 0.5) * 2


def upscale(field, size):
    """A small float field stretched to the frame (light and shade vary slowly, so they are computed small)."""
    return np.array(Image.fromarray(np.ascontiguousarray(field, np.float32), "F").resize(size, Image.BILINEAR))


def table_background(rng, w, h):
    """Whatever the page lies on: a wooden desk, a grey office table, a light tablecloth; out of focus."""
    kind = rng.integers(3)
    base = [np.array([150, 110, 70]), np.array([120, 120, 118]), np.array([200, 195, 185])][kind]
    base = base * rng.uniform(0.6, 1.1)
    sw, sh = max(8, w // 24), max(6, h // 24)
    tex = rng.normal(0, 1, (sh, sw)).astype(np.float32)
    if kind == 0:  # wood grain: streaks along one axis
        tex = np.repeat(rng.normal(0, 1, (sh, 1)).astype(np.float32), sw, axis=1) * 1.5 + tex * 0.3
    tex = (tex - tex.min()) / (np.ptp(tex) + 1e-6)
    small = np.clip(base[None, None, :] * (0.8 + 0.4 * tex[..., None]), 0, 255).astype(np.uint8)
    return Image.fromarray(small, "RGB").resize((w, h), Image.BILINEAR)


def phone(ballot, rng):
    """A phone photo: the page on a table in perspective, uneven light and a shadow, a colour cast, defocus,
    moiré from the printer's raster, sensor noise; colour JPEG 1,600-4,000 px on the long side."""
    long_side = int(rng.uniform(1600, 4000))
    out_w, out_h = long_side, int(long_side * 3 / 4)
    frac = rng.uniform(0.74, 0.94)
    h, w = ballot.page.shape[:2]
    scale = frac * out_w / w
    page = resized(ballot.page, (round(w * scale), round(h * scale))).convert("RGB")
    tint = [rng.uniform(0.97, 1.0), rng.uniform(0.96, 1.0), rng.uniform(0.92, 1.0)]  # the paper's own colour
    page = page.point([min(255, int(i * t)) for t in tint for i in range(256)])
    if ballot.stains or ballot.folds:
        arr = apply_paper(np.array(page, dtype=np.float32), ballot, scale)
        page = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    # Focus: the page a little soft, sometimes one end more out of focus than the other (the table is smooth anyway).
    blur = rng.uniform(0.4, 1.6) * long_side / 2400
    soft = page.filter(ImageFilter.GaussianBlur(blur))
    if rng.random() < 0.3:
        softer = page.filter(ImageFilter.GaussianBlur(blur * rng.uniform(1.8, 3.0)))
        ramp = np.linspace(0, 1, 64, dtype=np.float32) ** rng.uniform(0.7, 2.0)  # depth of field along one axis
        ramp = ramp[::-1] if rng.random() < 0.5 else ramp
        ramp = ramp[None, :] if rng.random() < 0.6 else ramp[:, None]
        ramp = Image.fromarray((ramp * 255).astype(np.uint8)).resize(page.size, Image.BILINEAR)
        soft = Image.composite(softer, soft, ramp)
        ballot.noise.append("defocus")
    page = soft
    pw, ph = page.size
    # Where the page corners land: rotated, shifted, keystoned (the phone not held square above the page).
    angle = math.radians(rng.uniform(-6, 6))
    cx = out_w / 2 + rng.uniform(-0.5, 0.5) * (out_w - pw * 1.02)
    cy = out_h / 2 + rng.uniform(-0.5, 0.5) * max(out_h - ph * 1.1, 0)
    corners = np.array([[-pw / 2, -ph / 2], [pw / 2, -ph / 2], [pw / 2, ph / 2], [-pw / 2, ph / 2]], np.float32)
    keystone = rng.uniform(0, 0.08)
    if rng.random() < 0.7:  # the far edge shorter (top or bottom)
        corners[[0, 1] if rng.random() < 0.75 else [2, 3], 0] *= 1 - keystone
    else:  # the left or right edge shorter
        corners[[0, 3] if rng.random() < 0.5 else [1, 2], 1] *= 1 - keystone
    corners += rng.normal(0, 0.006 * pw, corners.shape)
    quad = rotate(corners, angle) + [cx, cy]
    # The whole page in the picture (a photo that cuts a corner off is retaken): shrink and shift it in if needed.
    margin = 0.01 * out_w
    lo, hi = quad.min(axis=0), quad.max(axis=0)
    fit = min(1.0, (out_w - 2 * margin) / (hi[0] - lo[0]), (out_h - 2 * margin) / (hi[1] - lo[1]))
    quad = (quad - (lo + hi) / 2) * fit + (lo + hi) / 2
    lo, hi = quad.min(axis=0), quad.max(axis=0)
    quad += np.maximum(0, margin - lo) - np.maximum(0, hi - np.array([out_w - margin, out_h - margin]))
    coeffs = perspective_coeffs(quad.tolist(), [(0, 0), (pw, 0), (pw, ph), (0, ph)])
    warped = page.transform((out_w, out_h), Image.PERSPECTIVE, coeffs, Image.BILINEAR)
    mask = Image.new("L", (out_w, out_h), 0)
    ImageDraw.Draw(mask).polygon([tuple(p) for p in quad.tolist()], fill=255)
    # Everything that varies slowly is computed on a grid 8 times smaller.
    k = 8
    lw, lh = out_w // k + 1, out_h // k + 1
    small_mask = np.asarray(mask.resize((lw, lh), Image.BILINEAR), np.float32) / 255
    # The page's own shadow on the table, a little down and to the side.
    drop = np.roll(small_mask, (max(1, out_h // 300 // k), max(1, out_w // 400 // k)), axis=(0, 1))
    drop = Image.fromarray((drop * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(max(1.0, out_w / 300 / k)))
    drop = np.asarray(drop, np.float32) / 255
    table_light = 1 - 0.35 * drop * (1 - small_mask)
    frame = Image.composite(warped, table_background(rng, out_w, out_h), mask)
    # Light: uneven, falling off towards one side and the corners, sometimes a hand's or the phone's shadow.
    yy, xx = np.mgrid[0:lh, 0:lw].astype(np.float32) * np.float32(k)
    light = smooth_field(rng, lw, lh, amount=rng.uniform(0.04, 0.15)) * table_light
    ga = rng.uniform(0, 2 * np.pi)
    grad = ((xx - out_w / 2) * math.cos(ga) + (yy - out_h / 2) * math.sin(ga)) / out_w
    light *= 1 + rng.uniform(0.05, 0.35) * grad
    light *= 1 - rng.uniform(0.0, 0.35) * (((xx - out_w / 2) / out_w) ** 2 + ((yy - out_h / 2) / out_h) ** 2)
    if rng.random() < 0.4:
        shade = Image.new("L", (lw, lh), 0)
        side = rng.integers(4)
        ex = [0, lw, rng.uniform(0, lw), rng.uniform(0, lw)][side]
        ey = [rng.uniform(0, lh), rng.uniform(0, lh), 0, lh][side]
        reach = rng.uniform(0.2, 0.55) * lw
        blob = [(ex + reach * (1 + 0.2 * math.sin(3 * a)) * math.cos(a),
                 ey + reach * 0.6 * (1 + 0.2 * math.cos(2 * a)) * math.sin(a)) for a in np.linspace(0, 2 * np.pi, 40)]
        ImageDraw.Draw(shade).polygon(blob, fill=255)
        shade = np.asarray(shade.filter(ImageFilter.GaussianBlur(rng.uniform(2, 10))), np.float32) / 255
        light *= 1 - rng.uniform(0.15, 0.45) * shade
        ballot.noise.append("hand-shadow")
    light *= rng.uniform(0.85, 1.12)  # exposure
    # The light's colour: a warm lamp, daylight, a cool or greenish fluorescent tube, each a little off.
    cast = np.array([[1.0, 0.95, 0.82], [1.0, 1.0, 1.0], [0.92, 0.97, 1.04], [0.95, 1.0, 0.9]][rng.integers(4)])
    cast = cast * rng.uniform(0.97, 1.03, 3)
    # Moiré: the laser printer's raster beating against the sensor's pixels, a faint pattern on the paper.
    ripple = None
    if rng.random() < 0.45:
        period = rng.uniform(2.2, 5.0)
        ma, mb = rng.uniform(0, np.pi), rng.uniform(0, np.pi)
        beat = rng.uniform(40, 200)
        fx = np.arange(out_w, dtype=np.float32)
        fy = np.arange(out_h, dtype=np.float32)
        u, v = 2 * np.pi * math.cos(ma) / period, 2 * np.pi * math.sin(ma) / period
        ripple = np.outer(np.cos(v * fy), np.sin(u * fx)) + np.outer(np.sin(v * fy), np.cos(u * fx))  # sin(ux+vy)
        bu, bv = 2 * np.pi * math.cos(mb) / beat, 2 * np.pi * math.sin(mb) / beat
        envelope = 0.5 + 0.5 * np.sin(bu * xx + bv * yy)
        ripple *= upscale(envelope * small_mask * rng.uniform(0.015, 0.05), (out_w, out_h))
        ripple += 1
        ballot.noise.append("moire")
    # Sensor noise: stronger in the dark, a little blotchy colour noise.
    sigma = rng.uniform(1.5, 6.0)
    grain = rng.standard_normal((out_h, out_w), dtype=np.float32) * np.float32(sigma)
    chroma = rng.standard_normal((3, out_h // 2, out_w // 2), dtype=np.float32) * np.float32(sigma * 0.35)
    arr = np.array(frame, dtype=np.float32)
    grain *= 1.4 - arr[..., 1] * (light.mean() / 255)
    factor = upscale(light, (out_w, out_h))
    if ripple is not None:
        factor *= ripple
    for ch in range(3):
        plane = arr[..., ch]
        plane *= factor
        plane *= np.float32(cast[ch])
        plane += grain
        for dy in (0, 1):  # colour noise in 2x2 blotches, as demosaicing leaves it
            for dx in (0, 1):
                plane[dy:2 * (out_h // 2):2, dx:2 * (out_w // 2):2] += chroma[ch]
    np.maximum(arr, 0, out=arr)
    np.minimum(arr, 255, out=arr)
    out = Image.fromarray(arr.astype(np.uint8), "RGB")
    return jpeg_bytes(out, rng.uniform(55, 80)), {
        "longSide": long_side, "rotationDeg": round(math.degrees(angle), 2), "keystone": round(keystone, 3)}


# =====================================================================================================================
# Pages

_TEMPLATES = {}


def templates_from(folder):
    if folder not in _TEMPLATES:
        _TEMPLATES[folder] = load_templates(folder)
    return _TEMPLATES[folder]


def make_ballot(templates, seed, i, channels):
    """The marked sheet for page i: the same for the scanner and the phone set with one seed."""
    rng = np.random.default_rng([seed, i, 7])
    template = templates[i % len(templates)]
    ballot = Ballot(template, rng, channels)
    ballot.fill()
    ballot.accidents()
    ballot.finish()
    return ballot


def make_one(args):
    folder, seed, i, kind, debug = args
    templates = templates_from(folder)
    ballot = make_ballot(templates, seed, i, 1 if kind == "scanner" else 3)
    rng = np.random.default_rng([seed, i, 1 if kind == "scanner" else 2])
    data, how = (scanner if kind == "scanner" else phone)(ballot, rng)
    entry = {"file": f"{kind}-{i:04d}.jpg", "kind": kind, **ballot.record(), "capture": how, "jpeg": data}
    if debug:
        os.makedirs(debug, exist_ok=True)
        debug_overlay(ballot).save(os.path.join(debug, f"{kind}-{i:04d}-truth.png"))
    return entry


def make_pages(templates_dir, n, seed, kind, workers=None, debug=None):
    """n pages of one kind ('scanner' or 'phone'): dicts as in truth.json plus "jpeg" (bytes), page order kept."""
    assert kind in ("scanner", "phone"), kind
    templates_from(templates_dir)  # loaded once, before the workers fork
    jobs = [(templates_dir, seed, i, kind, debug) for i in range(n)]
    workers = workers or min(os.cpu_count() or 1, 8)
    if workers <= 1 or n < 4:
        return [make_one(j) for j in jobs]
    import multiprocessing
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return pool.map(make_one, jobs, chunksize=1)


def debug_overlay(ballot):
    """The clean marked page, smaller, with the truth of each column written beside it and its kind."""
    page = Image.fromarray(ballot.page).convert("RGB")
    for s in ballot.stains:  # show where stains go (they are laid on at the output resolution)
        d = s["density"]
        region = np.asarray(page, np.float32)[s["y"]:s["y"] + d.shape[0], s["x"]:s["x"] + d.shape[1]]
        d = d[:region.shape[0], :region.shape[1]]
        region = region * (1 - d[..., None] * (1 - s["colour"] / 255))
        arr = np.asarray(page).copy()
        arr[s["y"]:s["y"] + region.shape[0], s["x"]:s["x"] + region.shape[1]] = region.astype(np.uint8)
        page = Image.fromarray(arr)
    draw = ImageDraw.Draw(page)
    try:
        font = ImageFont.truetype("DejaVuSans-Bold.ttf", 30)
        small = ImageFont.truetype("DejaVuSans.ttf", 17)
    except OSError:
        font = small = ImageFont.load_default()
    colours = {"0": (150, 150, 150), "X": (220, 0, 0), "?": (230, 120, 0)}
    for r, row in enumerate(ballot.boxes):
        for c, col in enumerate(row):
            sym = ballot.truth[r][c]
            x, y = col[0][0], col[0][3] + 2
            if sym in GRADES:
                bx = col[int(sym) - 1]
                draw.rectangle([bx[0] - 5, bx[1] - 5, bx[2] + 5, bx[3] + 5], outline=(0, 170, 0), width=3)
            draw.text((x, y), sym, fill=colours.get(sym, (0, 140, 0)), font=font)
            draw.text((x + 28, y + 8), ballot.kinds[r][c], fill=(0, 0, 200), font=small)
    return page.resize((page.size[0] // 2, page.size[1] // 2), Image.LANCZOS)


def audit(ballot):
    """Checks the truth against the ink actually laid (clean page, before stains and capture): a '0' column has no
    ink in any of its boxes, a grade has ink at its box and none inside the other three, an 'X' has ink in two or
    more. Returns a list of problems (empty when the truth holds)."""
    template = ballot.t["gray"].astype(np.int16)
    page = ballot.page if ballot.page.ndim == 2 else ballot.page.mean(axis=2)
    ink_map = (template - page.astype(np.int16)) > 20
    b = ballot.t["boxSize"]

    def count(rect, inset):
        x0, y0, x1, y1 = (int(round(v)) for v in (rect[0] + inset, rect[1] + inset, rect[2] - inset, rect[3] - inset))
        return int(ink_map[max(0, y0):y1, max(0, x0):x1].sum())

    problems = []
    for r, row in enumerate(ballot.boxes):
        for c, col in enumerate(row):
            sym, kind = ballot.truth[r][c], ballot.kinds[r][c]
            where = f"row {r} column {c} ({kind}, truth {sym})"
            inside = [count(rect, 0.2 * b) for rect in col]
            if sym == "0":
                if any(count(rect, 0) for rect in col):
                    problems.append(f"{where}: ink in a box of an unmarked column")
            elif sym in GRADES:
                g = int(sym) - 1
                if count(col[g], -0.3 * b) < 30:
                    problems.append(f"{where}: no ink at the marked box")
                if any(inside[k] > 3 for k in range(4) if k != g):
                    problems.append(f"{where}: ink inside another box {inside}")
            elif sym == "X":
                if sum(count(rect, -0.12 * b) > 30 for rect in col) < 2:  # big circles ink round the box
                    problems.append(f"{where}: fewer than two boxes inked {inside}")
    return problems


def check(templates_dir, n, seed):
    """Audits n ballots of a seed (no capture: fast) and prints the share of every kind of column."""
    templates = templates_from(templates_dir)
    bad = 0
    records = []
    for i in range(n):
        ballot = make_ballot(templates, seed, i, 1)
        for p in audit(ballot):
            bad += 1
            print(f"ballot {i}: {p}", file=sys.stderr)
        records.append(ballot.record())
    summary(records)
    print(f"audit: {n} ballots, {bad} problems", file=sys.stderr)
    return bad


def write_set(templates_dir, out, n, seed, kinds, debug=None):
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "truth.json")
    old = []
    if os.path.exists(path):
        with open(path) as fh:
            old = [e for e in json.load(fh) if e["kind"] not in kinds]
    entries = []
    for kind in kinds:
        start = time.time()
        pages = make_pages(templates_dir, n, seed, kind, debug=debug)
        for p in pages:
            with open(os.path.join(out, p["file"]), "wb") as fh:
                fh.write(p.pop("jpeg"))
            entries.append(p)
        print(f"{kind}: {n} pages in {time.time() - start:.1f} s", file=sys.stderr)
    with open(path, "w") as fh:
        json.dump(old + entries, fh, ensure_ascii=False, indent=0)
    summary(old + entries)


def summary(entries):
    """Share of columns of each kind of mark, and of each truth symbol."""
    from collections import Counter
    kinds, symbols = Counter(), Counter()
    for e in entries:
        kinds.update(e["markKinds"])
        symbols.update(e["truth"])
    total = sum(kinds.values())
    print(f"{len(entries)} pages, {total} columns", file=sys.stderr)
    for k, v in kinds.most_common():
        print(f"  {k:18s} {v:6d} {100 * v / total:5.1f}%", file=sys.stderr)
    print("  truth: " + " ".join(f"{k}={100 * v / total:.1f}%" for k, v in sorted(symbols.items())), file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("print", help="print the templates and find their boxes")
    p.add_argument("--out", required=True)
    p.add_argument("--sets", type=int, default=400, help="paper sets per rater group in the printing round")
    m = sub.add_parser("make", help="marked, degraded pages and truth.json")
    m.add_argument("--templates", required=True)
    m.add_argument("--out", required=True)
    m.add_argument("--pages", type=int, default=40)
    m.add_argument("--seed", type=int, default=1)
    m.add_argument("--kind", choices=["scanner", "phone", "both"], default="both")
    m.add_argument("--debug", help="also write the clean marked pages with their truth here")
    k = sub.add_parser("check", help="audit the truth of n ballots against the ink laid")
    k.add_argument("--templates", required=True)
    k.add_argument("--pages", type=int, default=200)
    k.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.cmd == "check":
        sys.exit(1 if check(args.templates, args.pages, args.seed) else 0)
    if args.cmd == "print":
        print_templates(args.out, args.sets)
    else:
        kinds = ["scanner", "phone"] if args.kind == "both" else [args.kind]
        write_set(args.templates, args.out, args.pages, args.seed, kinds, args.debug)


if __name__ == "__main__":
    main()
