"""Paper ballots the way a hall produces them, for the browser test and `bench/run omr`: the round's real forms
printed by headless Chromium, rasterized with pdftoppm, filled with synthetic pen marks from a seeded generator, and
degraded as scanners and phones do; then normalized exactly as the browser does (grayscale, 1,400 px on the long
side, raw deflate) and uploaded through the same route. The truth of every drawn mark is kept for comparison.

The geometry here is written out independently of the server's (from the printed form's measurements), so a shift
in the printed layout shows up as reading errors instead of being copied into the truth."""
import base64
import io
import math
import os
import random
import subprocess
import tempfile
import zlib

import requests
from PIL import Image, ImageChops, ImageDraw, ImageFilter

MM_W, MM_H = 297.0, 210.0
ROWS_PER_PAGE = 12
LONG_SIDE = 1400


def box_rect(columns, row, column, grade):
    """(x, y, w, h) in millimetres of one box on the printed form."""
    pitch = min(9.0, (283.0 - 74.0 - (columns - 1) * 1.6) / (columns * 4))
    box = min(6.5, pitch - 1.8)
    left = 74.0 + column * (4 * pitch + 1.6) + grade * pitch + (pitch - box) / 2
    top = 44.0 + 13.0 + row * 11.0 + (11.0 - box) / 2
    return left, top, box, box


# ---- the round

def open_paper_round(api, server, token, sets):
    """The demo campaign in its meeting with a sealed-to-be round of paper only, `sets(i)` sets for the i-th rater
    group. Returns (campaign API base, campaign detail, round id)."""
    cid = api(server, token, "GET", "/api/v1/campaigns")[0]["id"]
    base = f"/api/v1/campaigns/{cid}"
    detail = api(server, token, "GET", base)
    api(server, token, "POST", base + "/status", {"status": "meeting"})
    groups = detail["raterGroups"]
    opened = api(server, token, "POST", base + "/rounds", {"codes": {g["id"]: 0 for g in groups},
                                                          "paperSheets": {g["id"]: sets(i) for i, g in enumerate(groups) if sets(i)}})
    return base, detail, opened["round"]["id"]


# ---- printing

def print_svg_pages(driver, server_url, urls, folder, dpi=150):
    """Each page URL printed by Chromium to PDF at A4 landscape, rasterized; returns grayscale PIL images."""
    out = []
    for n, url in enumerate(urls):
        driver.get(server_url + url)
        data = driver.execute_cdp_cmd("Page.printToPDF", {
            "paperWidth": MM_W / 25.4, "paperHeight": MM_H / 25.4, "marginTop": 0, "marginBottom": 0,
            "marginLeft": 0, "marginRight": 0, "printBackground": True, "preferCSSPageSize": False})["data"]
        out.append(rasterize(base64.b64decode(data), folder, f"form-{n}", dpi)[0])
    return out


def rasterize(pdf_bytes, folder, name, dpi=150):
    path = os.path.join(folder, name + ".pdf")
    with open(path, "wb") as f:
        f.write(pdf_bytes)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", path, os.path.join(folder, name)], check=True)
    pages = sorted(f for f in os.listdir(folder) if f.startswith(name + "-") and f.endswith(".pgm"))
    images = [Image.open(os.path.join(folder, f)).convert("L") for f in pages]
    for f in pages:
        os.remove(os.path.join(folder, f))
    return images


# ---- marking

GRADES = "1234"


def fill_page(template, rows, columns, rng, hard=True):
    """Draws a voter's marks on a copy of the printed page. Returns (image, truth): truth is one symbol per
    (row, column), '0' blank, '1'–'4' the grade, 'X' two or more marks (a crossed-out mark still counts as a mark)."""
    image = template.copy()
    scale = image.size[0] / MM_W
    draw = ImageDraw.Draw(image)
    truth = []
    fill_page.boxes = []
    for row in range(rows):
        for column in range(columns):
            roll = rng.random()
            if roll < 0.07:
                marks = []
            elif roll < 0.09:
                marks = rng.sample(range(4), 2)
            else:
                marks = [rng.choices(range(4), weights=[5, 3, 1.2, 0.5])[0]]
            kinds = [pick_kind(rng, hard) for _ in marks]
            if hard and len(marks) == 1 and rng.random() < 0.012:
                # A crossed-out first choice next to the final one: two marks, so the column is void as the rules say.
                other = rng.choice([g for g in range(4) if g != marks[0]])
                marks.append(other)
                kinds.append("crossed")
            for grade, kind in zip(marks, kinds):
                draw_mark(draw, box_rect(columns, row, column, grade), scale, kind, rng)
            if hard and not marks and rng.random() < 0.05:
                draw_dot(draw, box_rect(columns, row, column, rng.randrange(4)), scale, rng)
            fill_page.boxes.append([(g in marks, k) for g, k in [(g, dict(zip(marks, kinds)).get(g)) for g in range(4)]])
            truth.append("0" if not marks else "X" if len(marks) > 1 else GRADES[marks[0]])
    return image, "".join(truth)


def hesitant_mark(image, columns, row, column, grade):
    """A short arc (a tenth of a circle, about 1.5 mm), as a voter who touched the box and stopped: not a tick, not
    nothing; one the machine should not be sure of."""
    scale = image.size[0] / MM_W
    x, y, w, h = box_rect(columns, row, column, grade)
    cx, cy, r = x + w / 2, y + h / 2, 2.4
    points = [((cx + r * math.cos(t / 20 * 0.2 * math.pi)) * scale, (cy + r * math.sin(t / 20 * 0.2 * math.pi)) * scale) for t in range(21)]
    ImageDraw.Draw(image).line(points, fill=30, width=max(1, round(0.5 * scale)))


def pick_kind(rng, hard):
    if not hard:
        return "circle"
    return rng.choices(["circle", "big", "tick", "cross", "pencil"], weights=[70, 10, 8, 7, 5])[0]


def draw_mark(draw, rect, scale, kind, rng):
    x, y, w, h = rect
    cx, cy = x + w / 2 + rng.uniform(-0.6, 0.6), y + h / 2 + rng.uniform(-0.6, 0.6)
    ink = rng.randint(0, 70)
    stroke = rng.uniform(0.3, 0.75)
    if kind == "pencil":
        ink, stroke = rng.randint(100, 140), rng.uniform(0.3, 0.45)
    if kind in ("circle", "pencil", "crossed", "big"):
        r = rng.uniform(1.8, 3.0) if kind != "big" else rng.uniform(3.2, 3.8)
        ellipse(draw, cx, cy, r * rng.uniform(0.85, 1.15), r, stroke, ink, scale)
        if kind == "crossed":
            line(draw, cx - r, cy - r, cx + r, cy + r, stroke, ink, scale)
            line(draw, cx - r, cy + r, cx + r, cy - r, stroke, ink, scale)
    elif kind == "tick":
        line(draw, cx - 2, cy, cx - 0.5, cy + 2, stroke + 0.1, ink, scale)
        line(draw, cx - 0.5, cy + 2, cx + 2.5, cy - 2.5, stroke + 0.1, ink, scale)
    elif kind == "cross":
        line(draw, cx - 2.2, cy - 2.2, cx + 2.2, cy + 2.2, stroke + 0.1, ink, scale)
        line(draw, cx - 2.2, cy + 2.2, cx + 2.2, cy - 2.2, stroke + 0.1, ink, scale)


def draw_dot(draw, rect, scale, rng):
    x, y, w, h = rect
    cx, cy, r = x + rng.uniform(0.5, w - 0.5), y + rng.uniform(0.5, h - 0.5), rng.uniform(0.15, 0.3)
    draw.ellipse([(cx - r) * scale, (cy - r) * scale, (cx + r) * scale, (cy + r) * scale], fill=rng.randint(20, 90))


def ellipse(draw, cx, cy, rx, ry, stroke, ink, scale):
    points = [((cx + rx * math.cos(t / 40 * 2 * math.pi)) * scale, (cy + ry * math.sin(t / 40 * 2 * math.pi)) * scale) for t in range(41)]
    draw.line(points, fill=ink, width=max(1, round(stroke * scale)), joint="curve")


def line(draw, x0, y0, x1, y1, stroke, ink, scale):
    draw.line([(x0 * scale, y0 * scale), (x1 * scale, y1 * scale)], fill=ink, width=max(1, round(stroke * scale)))


# ---- degrading

def as_scanner(image, rng):
    """A flatbed or office scanner: a small skew and scale, slight blur and noise, JPEG."""
    angle = rng.uniform(-1.5, 1.5)
    out = image.rotate(angle, resample=Image.BILINEAR, expand=True, fillcolor=245)
    s = rng.uniform(0.9, 1.05)
    out = out.resize((int(out.size[0] * s), int(out.size[1] * s)), Image.BILINEAR)
    out = out.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.8)))
    out = noise(out, rng, 4)
    if rng.random() < 0.25:
        out = out.rotate(180)
    return jpeg(out, rng.randint(60, 85))


def as_phone(image, rng):
    """A phone photo: the page on a table, rotated up to ±3°, in perspective, uneven light, blur, noise, JPEG 60."""
    w, h = image.size
    canvas = Image.new("L", (int(w * 1.18), int(h * 1.22)), rng.randint(70, 150))
    ox, oy = (canvas.size[0] - w) // 2, (canvas.size[1] - h) // 2
    canvas.paste(image.rotate(rng.uniform(-3, 3), resample=Image.BILINEAR, expand=False, fillcolor=235), (ox, oy))
    cw, ch = canvas.size
    d = lambda: rng.uniform(-0.035, 0.035)
    quad = [(cw * d(), ch * d()), (cw * d(), ch * (1 + d())), (cw * (1 + d()), ch * (1 + d())), (cw * (1 + d()), ch * d())]
    size = (int(cw * 0.75), int(ch * 0.75))
    target = [(0, 0), (0, size[1]), (size[0], size[1]), (size[0], 0)]
    # A projective map, as a camera makes (PIL's QUAD is bilinear, which no lens does).
    out = canvas.transform(size, Image.PERSPECTIVE, perspective_coefficients(target, quad), resample=Image.BILINEAR)
    # Uneven light: one side darker.
    light = Image.linear_gradient("L").rotate(rng.uniform(0, 360)).resize(out.size)
    low = rng.uniform(0.6, 0.8)
    out = Image.composite(out, out.point(lambda v: int(v * low)), light)
    out = out.filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 1.2)))
    out = noise(out, rng, 6)
    return jpeg(out, 60)


def perspective_coefficients(output, source):
    """The 8 coefficients PIL's PERSPECTIVE wants: output pixel (x, y) → source ((ax+by+c)/(gx+hy+1), (dx+ey+f)/(…))."""
    rows = []
    for (x, y), (u, v) in zip(output, source):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y, u])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y, v])
    for col in range(8):
        pivot = max(range(col, 8), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(8):
            if r != col:
                f = rows[r][col] / rows[col][col]
                rows[r] = [a - f * b for a, b in zip(rows[r], rows[col])]
    return [rows[i][8] / rows[i][i] for i in range(8)]


def noise(image, rng, sigma):
    """Gaussian sensor noise from the seeded generator: a 256-pixel tile, laid at a random offset."""
    tile = Image.new("L", (256, 256))
    tile.putdata([max(0, min(255, int(rng.gauss(128, sigma)))) for _ in range(256 * 256)])
    field = Image.new("L", (image.size[0] + 256, image.size[1] + 256))
    for x in range(0, field.size[0], 256):
        for y in range(0, field.size[1], 256):
            field.paste(tile, (x, y))
    ox, oy = rng.randrange(256), rng.randrange(256)
    field = field.crop((ox, oy, ox + image.size[0], oy + image.size[1]))
    return ImageChops.add(image.convert("L"), field, scale=1.0, offset=-128)


def jpeg(image, quality):
    buffer = io.BytesIO()
    image.convert("L").save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


# ---- the browser's path

def normalize(jpeg_bytes):
    """What scan.js does: decode, scale the long side to 1,400 px, grayscale, raw deflate."""
    image = Image.open(io.BytesIO(jpeg_bytes)).convert("L")
    scale = LONG_SIDE / max(image.size)
    w, h = round(image.size[0] * scale), round(image.size[1] * scale)
    gray = image.resize((w, h), Image.BILINEAR).tobytes()
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return w, h, compressor.compress(gray) + compressor.flush()


def upload(server_url, token, path, w, h, data, session=None):
    http = session or requests
    return http.post(f"{server_url}{path}?width={w}&height={h}", data=data, timeout=60,
                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/octet-stream"})


def scanner_pdf(jpegs):
    """A PDF as office scanners write it: one JPEG image per page, nothing else."""
    objects, pages = [], []
    def add(body):
        objects.append(body)
        return len(objects)
    catalog = add(None)
    tree = add(None)
    for data in jpegs:
        image = Image.open(io.BytesIO(data))
        w, h = image.size
        img = add(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 "
                  b"/Filter /DCTDecode /Length %d >>\nstream\n" % (w, h, len(data)) + data + b"\nendstream")
        content = b"q %d 0 0 %d 0 0 cm /Im0 Do Q" % (w * 72 // 150, h * 72 // 150)
        stream = add(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        pages.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>"
                         % (tree, w * 72 // 150, h * 72 // 150, img, stream)))
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % tree
    objects[tree - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % p for p in pages), len(pages))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, xref)
    return bytes(out)


def compare(truth, reading):
    """(silent errors, unsure columns): a wrong symbol that was not flagged, and columns left to people."""
    silent = sum(1 for t, r in zip(truth, reading) if r != "?" and r != t)
    unsure = sum(1 for r in reading if r == "?")
    return silent, unsure
