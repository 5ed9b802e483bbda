"""A fifth independent generator of marked ballot pages (held-out-5), a fresh judge set for the paper reader.

Written from the printed forms (the templates folder that omr_heldout.templates_from reads), the upload format
(omr_heldout.as_upload) and the outside test's sample pages only; it shares no marks, pens or captures with the reader,
the tuning generator or the other held-out generators.

  make_pages(folder, n, seed, "both", workers=1) -> 2n dicts {"truth", "markKinds", "kind", "jpeg", ...}: each ballot
  is drawn once (paper, print, ink, stains, folds) and captured twice, by an office scanner and by a phone.

Truth per column (four grade boxes): 0 no mark, 1-4 one clear mark in that box, X two or more clear marks, ? a person
would hesitate (a choice struck out or scribbled over, with or without a new one; short dashes or dots of a hesitant pen;
a mark between two boxes; an erased mark left alone). Truth is rows top to bottom, columns left to right.

Self-check (previews and an audit of every truth against the ink laid on the page):
  python3 bench/omr_heldout5.py --templates /tmp/omrdev/heldout-templates --pages 10 --seed 13000 --debug OUTDIR
Keep DEFAULT_SEED's pages unseen: they are the judge."""
import argparse
import io
import math
import os
import random
import sys
import time
from collections import Counter

import numpy as np
from PIL import Image, ImageDraw, ImageFilter
from scipy import ndimage

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import omr_heldout  # noqa: E402  (plumbing only: templates_from, as_upload)

as_upload = omr_heldout.as_upload
DEFAULT_SEED = 14000
DPI = 300
MM = DPI / 25.4

# =====================================================================================================================
# Pens. A pen lays ink: colour (RGB reflectance of a full stroke), how much of the light it takes (opacity), line width
# in page pixels, and its texture (ballpoint skips, pencil grain, felt bleed).

PEN_TABLE = [  # (name, family, weight)
    ("ballpoint-black", "ballpoint", 25), ("ballpoint-blue", "ballpoint", 20), ("ballpoint-red", "ballpoint", 3),
    ("gel-black", "gel", 8), ("gel-blue", "gel", 4), ("felt-black", "felt", 4), ("felt-blue", "felt", 2),
    ("pencil-2B", "pencil", 6), ("pencil-HB", "pencil", 12), ("pencil-2H", "pencil", 7),
    ("light-pencil", "light-pencil", 9),
]


class Pen:
    def __init__(self, name, rng):
        self.name = name
        self.family = dict((n, f) for n, f, _ in PEN_TABLE).get(name, name.split("-")[0])
        r = rng.uniform
        if self.family == "ballpoint":
            self.color = {"ballpoint-black": (0.13, 0.13, 0.17), "ballpoint-blue": (0.14, 0.22, 0.58),
                          "ballpoint-red": (0.72, 0.14, 0.16)}[name]
            self.opacity, self.width, self.grain, self.skips, self.bleed = r(0.78, 0.95), r(3.4, 5.2), 0.08, r(0.0, 0.25), 0
        elif self.family == "gel":
            self.color = (0.08, 0.08, 0.1) if name.endswith("black") else (0.1, 0.16, 0.5)
            self.opacity, self.width, self.grain, self.skips, self.bleed = r(0.9, 0.98), r(4.2, 6.5), 0.03, 0.0, 0
        elif self.family == "felt":
            self.color = (0.1, 0.1, 0.12) if name.endswith("black") else (0.12, 0.18, 0.52)
            self.opacity, self.width, self.grain, self.skips, self.bleed = r(0.82, 0.95), r(5.5, 9.0), 0.05, 0.0, r(0.6, 1.4)
        else:  # pencils: graphite grey, grain of the paper's tooth
            self.color = (0.30, 0.30, 0.33)
            lo, hi = {"pencil-2B": (0.68, 0.85), "pencil-HB": (0.48, 0.66), "pencil-2H": (0.34, 0.46),
                      "light-pencil": (0.22, 0.30), "erased": (0.11, 0.16)}[name]
            self.opacity, self.width, self.grain, self.skips, self.bleed = r(lo, hi), r(3.2, 5.0), r(0.22, 0.34), 0.0, 0
            if name == "erased":
                self.width, self.bleed = r(5.0, 8.0), r(1.5, 3.0)
        self.darkness = self.opacity * (1 - (0.3 * self.color[0] + 0.59 * self.color[1] + 0.11 * self.color[2]))


def pick(rng, table):
    total = sum(w for *_, w in table)
    x = rng.uniform(0, total)
    for row in table:
        x -= row[-1]
        if x <= 0:
            return row[0] if len(row) == 2 else row
    return table[-1][0] if len(table[-1]) == 2 else table[-1]


# =====================================================================================================================
# Paths. A stroke is (points Nx2 in page pixels, pressure N in 0..1); width comes from the pen.

def wander(rng, n, terms=3, amount=1.0):
    """A smooth random function on n samples, about -1..1."""
    t = np.linspace(0, 1, n)
    out = np.zeros(n)
    for k in range(1, terms + 1):
        out += rng.gauss(0, 1) / k * np.sin(2 * np.pi * k * t + rng.uniform(0, 2 * np.pi))
    return amount * out / 1.5


def resample(pts, step=0.6):
    pts = np.asarray(pts, float)
    if len(pts) < 2:
        return pts
    seg = np.hypot(*np.diff(pts, axis=0).T)
    s = np.concatenate([[0], np.cumsum(seg)])
    n = max(2, int(s[-1] / step) + 1)
    u = np.linspace(0, s[-1], n)
    return np.stack([np.interp(u, s, pts[:, 0]), np.interp(u, s, pts[:, 1])], axis=1)


def pressure(rng, n, pen, fade_in=0.06, fade_out=0.1):
    t = np.linspace(0, 1, n)
    p = 0.85 + 0.15 * wander(rng, n, 4)
    p *= np.clip(0.55 + 0.45 * t / max(fade_in, 1e-3), 0, 1) * np.clip(0.35 + 0.65 * (1 - t) / max(fade_out, 1e-3), 0, 1)
    if pen.skips > 0 and n > 20:  # ballpoint: the ball dries for a moment
        for _ in range(rng.randint(0, 3)):
            if rng.random() < pen.skips * 2:
                c, w = rng.randint(0, n - 1), rng.randint(3, 12)
                p[max(0, c - w):c + w] *= rng.uniform(0.25, 0.6)
    return np.clip(p, 0.05, 1.0)


def stroke(rng, pen, pts, fade_in=0.06, fade_out=0.1, jitter=0.35):
    pts = resample(pts, 0.7)
    if jitter and len(pts) > 3:  # hand tremor: small smooth sideways wander
        d = np.gradient(pts, axis=0)
        d /= np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-6)[:, None]
        nrm = np.stack([-d[:, 1], d[:, 0]], axis=1)
        pts = pts + nrm * (jitter * wander(rng, len(pts), 6))[:, None]
    return pts, pressure(rng, len(pts), pen, fade_in, fade_out)


def ellipse_pts(rng, cx, cy, rx, ry, tilt=0.0, start=None, sweep=2 * np.pi, drift=0.0, wobble=0.05):
    start = rng.uniform(0, 2 * np.pi) if start is None else start
    n = max(24, int(abs(sweep) * max(rx, ry) / 1.5))
    t = np.linspace(start, start + sweep, n)
    grow = 1 + wobble * wander(rng, n, 3) + drift * (t - start) / max(abs(sweep), 1e-6)
    x, y = rx * grow * np.cos(t), ry * grow * np.sin(t)
    c, s = math.cos(tilt), math.sin(tilt)
    return np.stack([cx + c * x - s * y, cy + s * x + c * y], axis=1)


def curve(a, b, bend, n=30):
    """From a to b, bowed sideways by bend (a fraction of the length)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    mid = (a + b) / 2 + bend * np.array([-(b - a)[1], (b - a)[0]])
    t = np.linspace(0, 1, n)[:, None]
    return (1 - t) ** 2 * a + 2 * (1 - t) * t * mid + t ** 2 * b


def rot(pts, angle, cx, cy):
    c, s = math.cos(angle), math.sin(angle)
    p = np.asarray(pts, float) - (cx, cy)
    return np.stack([cx + c * p[:, 0] - s * p[:, 1], cy + s * p[:, 0] + c * p[:, 1]], axis=1)


class Box:
    def __init__(self, rect):
        self.x0, self.y0, self.x1, self.y1 = rect
        self.cx, self.cy = (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2
        self.s = self.x1 - self.x0


# --- clear marks (each returns a list of strokes) ---------------------------------------------------------------------

def circle(rng, pen, b, size="normal", dx=0.0, dy=0.0, open_gap=0.0, squash=None):
    r = {"small": (0.2, 0.28), "normal": (0.3, 0.44), "big": (0.48, 0.62)}[size]
    r = rng.uniform(*r) * b.s
    sq = squash if squash is not None else rng.uniform(0.78, 1.12)
    sweep = 2 * np.pi * (1 - open_gap) if open_gap else rng.uniform(1.95, 2.35) * np.pi
    pts = ellipse_pts(rng, b.cx + dx * b.s, b.cy + dy * b.s, r / max(sq, 1) if sq > 1 else r, r * min(sq, 1) if sq < 1
                      else r, tilt=rng.uniform(-0.6, 0.6), sweep=sweep, drift=rng.uniform(-0.12, 0.12),
                      wobble=rng.uniform(0.02, 0.08))
    out = [stroke(rng, pen, pts)]
    if rng.random() < 0.08 and not open_gap:  # round twice
        pts2 = ellipse_pts(rng, b.cx + dx * b.s, b.cy + dy * b.s, r * rng.uniform(0.9, 1.1), r * rng.uniform(0.85, 1.05),
                           tilt=rng.uniform(-0.6, 0.6), sweep=rng.uniform(1.5, 2.1) * np.pi, wobble=0.05)
        out.append(stroke(rng, pen, pts2))
    return out


def tick(rng, pen, b, scale=None, mirrored=False):
    """A check mark: a short stroke down to the vertex, a long one up and to the right, often past the box's top."""
    k = (scale or rng.uniform(0.6, 1.05)) * b.s
    vx, vy = b.cx + rng.uniform(-0.22, 0.05) * b.s, b.cy + rng.uniform(0.08, 0.3) * b.s
    a = math.radians(rng.uniform(105, 150))
    l1 = k * rng.uniform(0.25, 0.42)
    start = (vx + l1 * math.cos(a), vy - l1 * math.sin(a))
    e = math.radians(rng.uniform(45, 75))
    l2 = k * rng.uniform(0.75, 1.1)
    end = (vx + l2 * math.cos(e), vy - l2 * math.sin(e))
    pts = np.concatenate([curve(start, (vx, vy), rng.uniform(-0.15, 0.15), 20),
                          curve((vx, vy), end, rng.uniform(-0.1, 0.06), 40)[1:]])
    if rng.random() < 0.2:  # a little hook where the pen came down
        hook = ellipse_pts(rng, start[0] + 3, start[1] + 3, 4, 4, start=np.pi, sweep=-np.pi * 0.8, wobble=0)
        pts = np.concatenate([hook, pts])
    if mirrored:
        pts[:, 0] = 2 * vx - pts[:, 0]
    pts = rot(pts, math.radians(rng.uniform(-20, 15)), vx, vy)
    return [stroke(rng, pen, pts, fade_in=0.04, fade_out=0.3)]


def cross(rng, pen, b):
    h = rng.uniform(0.3, 0.48) * b.s
    cx, cy = b.cx + rng.uniform(-0.08, 0.08) * b.s, b.cy + rng.uniform(-0.08, 0.08) * b.s
    out = []
    for base in (45, 135):
        a = math.radians(base + rng.uniform(-14, 14))
        p = curve((cx - h * math.cos(a), cy - h * math.sin(a)), (cx + h * math.cos(a), cy + h * math.sin(a)),
                  rng.uniform(-0.08, 0.08))
        out.append(stroke(rng, pen, p, fade_out=0.15))
    return out


def zigzag(rng, cx, cy, w, h, spacing, angle, loose=0.0):
    n = max(3, int(h / spacing))
    pts = []
    for i in range(n + 1):
        y = -h / 2 + h * i / n
        half = w / 2 * math.sqrt(max(0.05, 1 - (2 * y / h) ** 2)) if loose == 0 else w / 2 * rng.uniform(0.6, 1.1)
        x = half if i % 2 else -half
        pts.append((x + rng.gauss(0, spacing * 0.2), y + rng.gauss(0, spacing * 0.15)))
    return rot(np.array(pts) + (cx, cy), angle, cx, cy)


def fill(rng, pen, b):
    """A filled blot inside the box, as a voter fills a bubble."""
    d = rng.uniform(0.4, 0.7) * b.s
    pts = zigzag(rng, b.cx + rng.uniform(-0.06, 0.06) * b.s, b.cy + rng.uniform(-0.06, 0.06) * b.s, d, d,
                 pen.width * 0.7, rng.uniform(-0.8, 0.8))
    return [stroke(rng, pen, pts, jitter=0.2)]


def clear_mark(rng, pen, b, shape, top_row=False):
    """(strokes, kind-suffix)."""
    if shape == "circle":
        v = pick(rng, [("circle", 58), ("small", 9), ("big", 9), ("open", 9), ("off-centre", 8), ("over-label", 7)])
        if v == "over-label" and not top_row:
            v = "circle"
        if pen.family == "light-pencil" and v == "small":
            v = "circle"
        if v == "circle":
            return circle(rng, pen, b, "normal", rng.uniform(-0.08, 0.08), rng.uniform(-0.08, 0.08)), "circle"
        if v == "small":
            return circle(rng, pen, b, "small", rng.uniform(-0.1, 0.1), rng.uniform(-0.1, 0.1)), "small-circle"
        if v == "big":
            return circle(rng, pen, b, "big", rng.uniform(-0.04, 0.04), rng.uniform(-0.1, 0.1)), "big-circle"
        if v == "open":
            return circle(rng, pen, b, "normal", 0, 0, open_gap=rng.uniform(0.12, 0.28)), "open-circle"
        if v == "off-centre":  # over the box's edge, but plainly that box's
            return circle(rng, pen, b, "normal", rng.uniform(-0.16, 0.16), rng.choice([-1, 1]) * rng.uniform(0.18, 0.3)), \
                "over-edge"
        return circle(rng, pen, b, "big", rng.uniform(-0.03, 0.03), -rng.uniform(0.2, 0.35), squash=rng.uniform(1.0, 1.25)), \
            "over-label"
    if shape == "tick":
        small = rng.random() < 0.15 and pen.family != "light-pencil"
        return tick(rng, pen, b, rng.uniform(0.42, 0.55) if small else None, mirrored=rng.random() < 0.05), "tick"
    if shape == "cross":
        return cross(rng, pen, b), "cross"
    if shape == "fill":
        return fill(rng, pen, b), "fill"
    if shape == "circle+tick":  # one box marked twice over: still one choice
        return circle(rng, pen, b, "normal") + tick(rng, pen, b, 0.6), "circle+tick"
    raise ValueError(shape)


# --- marks a person hesitates over ------------------------------------------------------------------------------------

def strike(rng, pen, b, dx=0.0, crossed=False):
    cx, cy = b.cx + dx * b.s, b.cy
    out = []
    if rng.random() < 0.35 and not crossed:  # a big X over the choice (not over a cross: that would be one)
        h = rng.uniform(0.55, 0.75) * b.s
        for base in (40, 140):
            a = math.radians(base + rng.uniform(-8, 8))
            out.append(stroke(rng, pen, curve((cx - h * math.cos(a), cy - h * math.sin(a)),
                                              (cx + h * math.cos(a), cy + h * math.sin(a)), rng.uniform(-0.05, 0.05))))
        return out
    a = math.radians(rng.uniform(-30, 30))
    for k in range(rng.choice([1, 1, 2, 2, 3])):
        off = (k - 0.5) * rng.uniform(0.1, 0.18) * b.s
        h = rng.uniform(0.55, 0.8) * b.s
        c0 = (cx - h * math.cos(a) - off * math.sin(a), cy - h * math.sin(a) + off * math.cos(a))
        c1 = (cx + h * math.cos(a) - off * math.sin(a), cy + h * math.sin(a) + off * math.cos(a))
        out.append(stroke(rng, pen, curve(c0, c1, rng.uniform(-0.04, 0.04))))
    return out


def scribble(rng, pen, b):
    w, h = rng.uniform(0.8, 1.15) * b.s, rng.uniform(0.7, 1.1) * b.s
    if rng.random() < 0.5:
        pts = zigzag(rng, b.cx, b.cy, w, h, rng.uniform(1.6, 3.0) * pen.width, rng.uniform(-1.2, 1.2), loose=1)
    else:  # loops, as when a pen blots a choice out
        n = rng.randint(6, 11)
        t = np.linspace(0, n * 2 * np.pi, n * 40)
        x = np.linspace(-w / 2, w / 2, len(t)) + 0.22 * b.s * np.cos(t)
        y = 0.38 * h * np.sin(t) + wander(rng, len(t), 3, 0.1 * b.s)
        pts = rot(np.stack([x, y], axis=1) + (b.cx, b.cy), rng.uniform(-0.6, 0.6), b.cx, b.cy)
    return [stroke(rng, pen, pts, jitter=0.5)]


def hesitant(rng, pen, b, kind=None):
    kind = kind or rng.choice(["dash", "dash", "dot", "two-dots"])
    out = []
    if kind == "dash":
        L = rng.uniform(1.4, 3.0) * MM
        a = math.radians(rng.uniform(-40, 40) + (90 if rng.random() < 0.2 else 0))
        cx, cy = b.cx + rng.uniform(-0.25, 0.25) * b.s, b.cy + rng.uniform(-0.25, 0.25) * b.s
        out.append(stroke(rng, pen, [(cx - L / 2 * math.cos(a), cy - L / 2 * math.sin(a)),
                                     (cx + L / 2 * math.cos(a), cy + L / 2 * math.sin(a))], fade_in=0.2, fade_out=0.3))
        return out, "hesitant-dash"
    for _ in range(1 if kind == "dot" else 2):
        cx, cy = b.cx + rng.uniform(-0.28, 0.28) * b.s, b.cy + rng.uniform(-0.28, 0.28) * b.s
        r = rng.uniform(0.5, 1.0) * MM / 2
        out.append(stroke(rng, pen, ellipse_pts(rng, cx, cy, r, r, sweep=6 * np.pi, drift=-0.9, wobble=0.1), jitter=0))
    return out, "hesitant-dot"


# =====================================================================================================================
# Laying ink on the page

def render(strokes, pen, rng, ss=3):
    """Rasterise strokes: (x0, y0, alpha) where alpha is the fraction of light the ink takes, per page pixel."""
    allp = np.concatenate([p for p, _ in strokes])
    pad = pen.width + pen.bleed * 3 + 4
    x0, y0 = int(math.floor(allp[:, 0].min() - pad)), int(math.floor(allp[:, 1].min() - pad))
    x1, y1 = int(math.ceil(allp[:, 0].max() + pad)), int(math.ceil(allp[:, 1].max() + pad))
    w, h = x1 - x0, y1 - y0
    acc = np.zeros((h, w), np.float32)
    for pts, pr in strokes:
        img = Image.new("L", (w * ss, h * ss), 0)
        draw = ImageDraw.Draw(img)
        fine = resample(pts, 0.4)
        prs = np.interp(np.linspace(0, 1, len(fine)), np.linspace(0, 1, len(pr)), pr)
        wid = pen.width * (0.85 + 0.3 * prs)
        for (x, y), p, wd in zip(fine, prs, wid):
            r = wd * ss / 2
            X, Y = (x - x0) * ss, (y - y0) * ss
            draw.ellipse([X - r, Y - r, X + r, Y + r], fill=int(255 * p))
        a = np.asarray(img, np.float32).reshape(h, ss, w, ss).mean(axis=(1, 3)) / 255
        acc = 1 - (1 - acc) * (1 - a)  # ink over ink is darker
    if pen.bleed:
        acc = ndimage.gaussian_filter(acc, pen.bleed)
    if pen.grain:
        g = ndimage.gaussian_filter(np.asarray(rng.standard_normal((h, w)), np.float32), 1.0)
        g /= g.std() + 1e-6
        acc *= np.clip(1 + pen.grain * 1.6 * g, 0.1, 1.4)
    return x0, y0, np.clip(acc * pen.opacity, 0, 1)


class Sheet:
    """The paper: printed template, ink (with a darkness map for the audit), stains, folds."""

    def __init__(self, template, rng):
        self.t = template
        gray = template["gray"].astype(np.float32) / 255
        h, w = gray.shape
        self.h, self.w = h, w
        r_ = rng.uniform(0.95, 0.99)
        g_ = r_ - rng.uniform(0.0, 0.015)
        tint = np.array([r_, g_, g_ - rng.uniform(0.0, 0.05)], np.float32)  # white to cream
        toner = rng.uniform(0.86, 0.98)
        printed = 1 - toner * (1 - gray)
        if rng.random() < 0.4:  # a tired printer: slightly soft edges
            printed = ndimage.gaussian_filter(printed, rng.uniform(0.4, 0.9))
        self.rgb = printed[..., None] * tint[None, None, :]
        tooth = ndimage.gaussian_filter(np.asarray(rng.standard_normal((h // 4, w // 4)), np.float32), 1.0)
        tooth = np.asarray(Image.fromarray(tooth).resize((w, h), Image.BILINEAR))
        self.rgb *= (1 + 0.006 * tooth)[..., None]
        self.dark = np.zeros((h, w), np.float32)  # ink darkness, for the audit
        self.stained = np.zeros((h, w), bool)
        self.folds = []
        self.boxes = [[[Box(r) for r in col] for col in row] for row in template["boxes"]]

    def lay(self, x0, y0, alpha, color, record=True):
        h, w = alpha.shape
        xa, ya, xb, yb = max(0, x0), max(0, y0), min(self.w, x0 + w), min(self.h, y0 + h)
        a = alpha[ya - y0:yb - y0, xa - x0:xb - x0]
        sub = self.rgb[ya:yb, xa:xb]
        sub *= 1 - a[..., None] * (1 - np.asarray(color, np.float32))[None, None, :]
        if record:
            lum = 0.3 * color[0] + 0.59 * color[1] + 0.11 * color[2]
            d = self.dark[ya:yb, xa:xb]
            d[:] = 1 - (1 - d) * (1 - a * (1 - lum))


def box_measure(dark, b, grow):
    g = int(grow)
    reg = dark[int(b.y0) - g:int(b.y1) + g, int(b.x0) - g:int(b.x1) + g]
    flat = np.sort(reg, axis=None)
    return float(reg.sum() / (b.s * b.s)), float(flat[-30:].mean())


def audit_column(dark, boxes, truth, kind):
    """'' when the ink laid agrees with the truth, else why not."""
    main = [box_measure(dark, b, 9) for b in boxes]
    inner = [box_measure(dark, b, -3) for b in boxes]
    clear = [s >= 0.007 and p >= 0.1 for s, p in main]
    quiet = [s <= 0.003 or p < 0.06 for s, p in inner]
    if truth == "0":
        return "" if all(quiet) else f"ink in an empty column {inner}"
    if truth == "X":
        return "" if sum(clear) >= 2 else f"fewer than two clear marks {main}"
    if truth == "?":
        return "" if max(s for s, _ in main) > 0.0008 else "nothing to hesitate over"
    g = int(truth) - 1
    if not clear[g]:
        return f"mark in box {truth} not clear {main[g]}"
    for k in range(4):
        if k != g and not quiet[k]:
            faint_ok = kind.startswith("erased") and inner[k][1] <= 0.12 and inner[k][1] <= 0.4 * main[g][1]
            if not faint_ok:
                return f"ink in box {k + 1} too {inner[k]} beside {main[g]}"
    return ""


# =====================================================================================================================
# A voter fills a ballot

COLUMN_PLAN = [  # (what happens in a column, truth, weight)
    ("single", "g", 66), ("blank", "0", 11), ("two-marks", "X", 5.5), ("three-marks", "X", 0.7),
    ("crossed-out", "?", 1.8), ("crossed-out+new", "?", 2.2), ("scribbled-over", "?", 1.0), ("scribbled+new", "?", 1.0),
    ("hesitant", "?", 2.0), ("mark+hesitant", "?", 1.3), ("between", "?", 1.3),
    ("erased+new", "g", 1.0), ("erased", "?", 0.4),
]
SHAPES = [("circle", 64), ("tick", 24), ("cross", 5), ("fill", 4), ("mixed", 3)]


class Voter:
    def __init__(self, rng):
        self.pen = Pen(pick(rng, [(n, w) for n, _, w in PEN_TABLE]), rng)
        self.shape = pick(rng, SHAPES)
        self.messy = rng.choice([0.4, 0.7, 1.0, 1.0, 1.3, 2.0])
        self.skip_rows = rng.random() < 0.15
        second = pick(rng, [(n, w) for n, _, w in PEN_TABLE if not n.startswith("light")])
        self.other_pen = Pen(second, rng)

    def shape_for_mark(self, rng):
        if self.shape == "mixed":
            return pick(rng, [("circle", 50), ("tick", 35), ("cross", 10), ("fill", 5)])
        if rng.random() < 0.03:
            return "circle+tick"
        return self.shape


def plan_column(rng, voter):
    table = []
    for name, truth, w in COLUMN_PLAN:
        if truth == "?" or name in ("erased+new",):
            w *= voter.messy
        if name.startswith("erased") and voter.pen.family != "pencil":
            w = 0
        if name == "erased+new" and voter.pen.name == "pencil-2H":
            w = 0
        table.append((name, w))
    return pick(rng, table)


def fill_column(sheet, voter, rng, r, c):
    """Draws one column; returns (truth, kind, [(x0, y0, alpha, color)])."""
    boxes = sheet.boxes[r][c]
    top = r == 0
    pen = voter.pen
    layers = []

    def put(strokes, p=None):
        p = p or pen
        x0, y0, a = render(strokes, p, rng)
        layers.append((x0, y0, a, p.color))

    what = plan_column(rng, voter)
    g = rng.randrange(4)
    fam = pen.family
    if what == "blank":
        return "0", "blank", layers
    if what == "single":
        strokes, kind = clear_mark(rng, pen, boxes[g], voter.shape_for_mark(rng), top)
        put(strokes)
        return str(g + 1), f"{fam}-{kind}", layers
    if what in ("two-marks", "three-marks"):
        picks = rng.sample(range(4), 2 if what == "two-marks" else 3)
        for k in picks:
            put(clear_mark(rng, pen, boxes[k], voter.shape_for_mark(rng) if rng.random() < 0.85 else "tick", top)[0])
        return "X", what, layers
    if what in ("crossed-out", "crossed-out+new", "scribbled-over", "scribbled+new"):
        first, shape = clear_mark(rng, pen, boxes[g], voter.shape_for_mark(rng) if voter.shape != "fill" else "circle")
        put(first)
        over = pen if rng.random() < 0.85 else voter.other_pen
        put(strike(rng, over, boxes[g], crossed=shape == "cross") if what.startswith("crossed") else
            scribble(rng, over, boxes[g]), over)
        if what.endswith("+new"):
            k = rng.choice([x for x in range(4) if x != g])
            put(clear_mark(rng, over, boxes[k], voter.shape_for_mark(rng), top)[0], over)
        return "?", what, layers
    if what == "hesitant":
        strokes, kind = hesitant(rng, pen, boxes[g])
        if rng.random() < 0.25:  # the pen paused over two boxes
            more, _ = hesitant(rng, pen, boxes[(g + rng.choice([1, 2, 3])) % 4], kind[10:])
            strokes += more
        put(strokes)
        return "?", kind, layers
    if what == "mark+hesitant":
        put(clear_mark(rng, pen, boxes[g], voter.shape_for_mark(rng), top)[0])
        k = rng.choice([x for x in range(4) if x != g])
        put(hesitant(rng, pen, boxes[k], "dash")[0])
        return "?", "mark+dash", layers
    if what == "between":
        k = rng.randrange(3)
        a, b = boxes[k], boxes[k + 1]
        mid = Box(((a.x0 + b.x1) / 2 - a.s / 2, a.y0, (a.x0 + b.x1) / 2 + a.s / 2, a.y1))
        if rng.random() < 0.7:
            put(circle(rng, pen, mid, "normal", rng.uniform(-0.06, 0.06), rng.uniform(-0.1, 0.1)))
        else:
            put(tick(rng, pen, mid))
        return "?", "between", layers
    if what in ("erased", "erased+new"):
        ghost = Pen("erased", rng)
        strokes, _ = clear_mark(rng, ghost, boxes[g], voter.shape_for_mark(rng) if voter.shape != "fill" else "circle")
        put(strokes, ghost)
        if what == "erased":
            return "?", "erased", layers
        k = rng.choice([x for x in range(4) if x != g])
        put(clear_mark(rng, pen, boxes[k], voter.shape_for_mark(rng), top)[0])
        return str(k + 1), "erased+new", layers
    raise ValueError(what)


def column_region(boxes, pad=70):
    return (int(boxes[0].x0 - pad), int(boxes[0].y0 - pad), int(boxes[3].x1 + pad), int(boxes[3].y1 + pad))


def trial_audit(layers, boxes, truth, kind):
    x0, y0, x1, y1 = column_region(boxes)
    dark = np.zeros((y1 - y0, x1 - x0), np.float32)
    for lx, ly, a, color in layers:
        lum = 0.3 * color[0] + 0.59 * color[1] + 0.11 * color[2]
        h, w = a.shape
        xa, ya, xb, yb = max(x0, lx), max(y0, ly), min(x1, lx + w), min(y1, ly + h)
        if xa >= xb or ya >= yb:
            continue
        d = dark[ya - y0:yb - y0, xa - x0:xb - x0]
        d[:] = 1 - (1 - d) * (1 - a[ya - ly:yb - ly, xa - lx:xb - lx] * (1 - lum))
    local = [Box((b.x0 - x0, b.y0 - y0, b.x1 - x0, b.y1 - y0)) for b in boxes]
    return audit_column(dark, local, truth, kind)


def near_boxes(sheet, x0, y0, x1, y1, pad):
    for row in sheet.boxes:
        for col in row:
            for b in col:
                if x0 < b.x1 + pad and x1 > b.x0 - pad and y0 < b.y1 + pad and y1 > b.y0 - pad:
                    return True
    for s in sheet.t["solids"]:
        if x0 < s[2] + 40 and x1 > s[0] - 40 and y0 < s[3] + 40 and y1 > s[1] - 40:
            return True
    first = sheet.boxes[0]  # the grade labels above the first row
    tx0, tx1, ty = first[0][0].x0, first[-1][-1].x1, first[0][0].y0
    return x0 < tx1 + 20 and x1 > tx0 - 20 and y0 < ty and y1 > ty - 130


def strays(sheet, voter, rng):
    """Pen touches and stray lines away from the boxes (they change no column)."""
    made = []
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3, 5])):
        for _attempt in range(30):
            kind = rng.choice(["dot", "dot", "line", "name-tick", "margin-scrawl"])
            if kind == "name-tick":
                area = rng.choice(sheet.t["nameArea"])
                x, y = rng.uniform(area[0] + 20, area[2] - 20), rng.uniform(area[1] + 10, area[3] - 10)
            else:
                x, y = rng.uniform(150, sheet.w - 150), rng.uniform(260, sheet.h - 150)
            if kind == "dot":
                r = rng.uniform(0.4, 0.9) * MM / 2
                st = [stroke(rng, voter.pen, ellipse_pts(rng, x, y, r, r, sweep=4 * np.pi), jitter=0)]
            elif kind == "line":
                L, a = rng.uniform(3, 25) * MM, rng.uniform(0, np.pi)
                st = [stroke(rng, voter.pen, curve((x, y), (x + L * math.cos(a), y + L * math.sin(a)), rng.uniform(-0.1, 0.1)))]
            elif kind == "name-tick":
                st = tick(rng, voter.pen, Box((x - 30, y - 30, x + 30, y + 30)))
            else:
                n = rng.randint(3, 7)
                pts = np.stack([x + np.linspace(0, n * 0.1 * 300, n * 12),
                                y + 14 * np.sin(np.linspace(0, n * 2 * np.pi, n * 12)) * np.array([rng.uniform(0.5, 1.2)])],
                               axis=1)
                st = [stroke(rng, voter.pen, pts, jitter=1.0)]
            allp = np.concatenate([p for p, _ in st])
            pad = 30 if kind != "name-tick" else 14
            if near_boxes(sheet, allp[:, 0].min(), allp[:, 1].min(), allp[:, 0].max(), allp[:, 1].max(), pad):
                continue
            if allp[:, 0].min() < 40 or allp[:, 0].max() > sheet.w - 40 or allp[:, 1].max() > sheet.h - 40:
                continue
            x0, y0, a = render(st, voter.pen, rng)
            sheet.lay(x0, y0, a, voter.pen.color)
            made.append(kind)
            break
    return made


def stains(sheet, rng):
    """Coffee and water: translucent brown blots with a darker rim (not ink)."""
    made = 0
    for _ in range(rng.choice([1, 1, 2]) if rng.random() < 0.22 else 0):
        cx, cy = rng.uniform(400, sheet.w - 300), rng.uniform(500, sheet.h - 200)
        R = rng.uniform(0.6, 1.6) * 79
        n = 90
        t = np.linspace(0, 2 * np.pi, n, endpoint=False)
        rr = R * (1 + 0.18 * wander(rng, n, 5))
        poly = [(float(x), float(y)) for x, y in zip(R * 2 + rr * np.cos(t), R * 2 + rr * np.sin(t))]
        size = int(R * 4)
        m = Image.new("L", (size, size), 0)
        ImageDraw.Draw(m).polygon(poly, fill=255)
        m = np.asarray(m, np.float32) / 255
        soft = ndimage.gaussian_filter(m, rng.uniform(2, 6))
        rim = np.clip(soft - ndimage.gaussian_filter(m, 10), 0, 1) * 2.2
        water = rng.random() < 0.3
        body = rng.uniform(0.03, 0.08) if water else rng.uniform(0.12, 0.3)
        a = np.clip(soft * body + rim * rng.uniform(0.08, 0.18), 0, 0.5)
        color = (0.74, 0.6, 0.42) if not water else (0.85, 0.82, 0.74)
        x0, y0 = int(cx - 2 * R), int(cy - 2 * R)
        sheet.lay(x0, y0, a.astype(np.float32), color, record=False)
        h, w = a.shape
        xa, ya, xb, yb = max(0, x0), max(0, y0), min(sheet.w, x0 + w), min(sheet.h, y0 + h)
        sheet.stained[ya:yb, xa:xb] |= a[ya - y0:yb - y0, xa - x0:xb - x0] > 0.03
        made += 1
    return made


def folds(sheet, rng):
    if rng.random() > 0.3:
        return
    vertical = rng.random() < 0.6
    pos = (sheet.w if vertical else sheet.h) * rng.uniform(0.42, 0.58)
    depth = rng.uniform(0.04, 0.1)
    line = np.exp(-0.5 * ((np.arange(sheet.w if vertical else sheet.h) - pos) / rng.uniform(0.8, 1.8)) ** 2) * depth
    if vertical:
        sheet.rgb *= (1 - line)[None, :, None]
    else:
        sheet.rgb *= (1 - line)[:, None, None]
    sheet.folds.append((vertical, pos / (sheet.w if vertical else sheet.h)))


class Ballot:
    def __init__(self, template, rng):
        self.rng = rng
        self.sheet = Sheet(template, rng)
        self.voter = Voter(rng)
        self.truth, self.kinds, self.retries = [], [], 0
        rows, cols = template["rows"], template["columns"]
        skip = {r for r in range(rows) if self.voter.skip_rows and rng.random() < 0.2}
        for r in range(rows):
            for c in range(cols):
                if r in skip:
                    self.truth.append("0")
                    self.kinds.append("blank")
                    continue
                for attempt in range(8):
                    truth, kind, layers = fill_column(self.sheet, self.voter, rng, r, c)
                    why = trial_audit(layers, self.sheet.boxes[r][c], truth, kind)
                    if not why:
                        break
                    self.retries += 1
                for x0, y0, a, color in layers:
                    self.sheet.lay(x0, y0, a, color)
                self.truth.append(truth)
                self.kinds.append(kind)
        self.strays = strays(self.sheet, self.voter, rng)
        self.stains = stains(self.sheet, rng)
        folds(self.sheet, rng)
        for r in range(rows):
            for c in range(cols):
                bs = self.sheet.boxes[r][c]
                x0, y0, x1, y1 = int(bs[0].x0), int(bs[0].y0), int(bs[3].x1), int(bs[3].y1)
                if self.sheet.stained[y0:y1, x0:x1].any():
                    k = r * cols + c
                    t = self.truth[k]
                    self.kinds[k] = "stain" if t == "0" else "stain+mark" if t in "1234" else \
                        "stain+two-marks" if t == "X" else self.kinds[k]

    def audit(self):
        out = []
        cols = self.sheet.t["columns"]
        for k, (t, kind) in enumerate(zip(self.truth, self.kinds)):
            r, c = divmod(k, cols)
            why = audit_column(self.sheet.dark, self.sheet.boxes[r][c], t, kind)
            if why:
                out.append((r, c, t, kind, why))
        return out

    def image(self):
        return Image.fromarray(np.clip(self.sheet.rgb * 255 + 0.5, 0, 255).astype(np.uint8), "RGB")


# =====================================================================================================================
# Captures

def jpeg(img, quality, subsampling=2):
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=int(quality), subsampling=subsampling if img.mode == "RGB" else 0, optimize=False)
    return buf.getvalue()


def smooth_field(rng, w, h, cells=(5, 4), amount=0.1):
    f = np.asarray(rng.standard_normal((cells[1], cells[0])), np.float32) * amount
    return np.asarray(Image.fromarray(f).resize((w, h), Image.BICUBIC))


def tone(arr, rng, white, black, gamma):
    return black + (white - black) * np.clip(arr, 0, 1) ** gamma


def scanner(ballot, rng):
    """An office flatbed or feeder: 150-300 dpi, a slight skew, soft optics, a tone curve, grey or colour, JPEG."""
    page = ballot.image()
    dpi = pick(rng, [(150, 15), (200, 40), (240, 10), (300, 35)])
    k = dpi / DPI
    w, h = page.size
    small = page.resize((round(w * k), round(h * k)), Image.LANCZOS)
    ow, oh = round(297 / 25.4 * dpi + rng.uniform(0, 3) * dpi / 25.4), round(210 / 25.4 * dpi + rng.uniform(0, 3) * dpi / 25.4)
    ang = math.radians(rng.gauss(0, 0.6))
    ang = max(-0.025, min(0.025, ang))
    dx, dy = rng.uniform(-2, 2) * dpi / 25.4, rng.uniform(-2, 2) * dpi / 25.4
    c, s = math.cos(ang), math.sin(ang)
    cx, cy = small.size[0] / 2, small.size[1] / 2
    ocx, ocy = ow / 2 + dx, oh / 2 + dy
    # output -> input: rotate about the centre
    coeffs = (c, s, cx - c * ocx - s * ocy, -s, c, cy + s * ocx - c * ocy)
    lid = int(rng.uniform(225, 250))
    scan = small.transform((ow, oh), Image.AFFINE, coeffs, resample=Image.BICUBIC, fillcolor=(lid, lid, lid))
    blur = rng.uniform(0.3, 1.1) * dpi / 200
    scan = scan.filter(ImageFilter.GaussianBlur(blur))
    grey = rng.random() < 0.8
    arr = np.asarray(scan, np.float32) / 255
    if grey:
        arr = (arr @ np.array([0.299, 0.587, 0.114], np.float32))[..., None]
    white, black, gamma = rng.uniform(0.88, 0.99), rng.uniform(0.02, 0.14), rng.uniform(0.75, 1.35)
    arr = tone(arr * rng.uniform(1.0, 1.08), rng, white, black, gamma)
    lamp = 1 + np.linspace(-1, 1, oh, dtype=np.float32)[:, None, None] * rng.uniform(-0.03, 0.03)
    arr = arr * lamp
    if rng.random() < 0.1:  # dust on the glass: a faint streak along the feed
        x = rng.randrange(ow)
        arr[:, max(0, x - 1):x + 1] *= rng.uniform(0.88, 0.95)
    arr = arr + np.asarray(rng.standard_normal(arr.shape[:2]), np.float32)[..., None] * rng.uniform(0.002, 0.008)
    out = np.clip(arr * 255 + 0.5, 0, 255).astype(np.uint8)
    img = Image.fromarray(out[..., 0], "L") if grey else Image.fromarray(out, "RGB")
    q = rng.randint(55, 92)
    return jpeg(img, q), f"scanner {dpi} dpi skew {math.degrees(ang):.2f} blur {blur:.1f} {'grey' if grey else 'colour'} " \
                         f"gamma {gamma:.2f} q{q}"


def perspective_coeffs(out_pts, in_pts):
    """PIL PERSPECTIVE data mapping output (x, y) to input."""
    A, bvec = [], []
    for (x, y), (u, v) in zip(out_pts, in_pts):
        A.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        A.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        bvec += [u, v]
    return np.linalg.solve(np.array(A, float), np.array(bvec, float)).tolist()


def background(rng, w, h):
    """What the sheet lies on: a wooden table, a desk, a cloth, something dark (made small, then enlarged)."""
    kind = rng.choice(["wood", "desk", "cloth", "dark"])
    base = {"wood": (0.55, 0.4, 0.26), "desk": (0.72, 0.72, 0.7), "cloth": (0.35, 0.4, 0.5), "dark": (0.15, 0.15, 0.16)}[kind]
    sw, sh = w // 4, h // 4
    f = np.ones((sh, sw), np.float32)
    if kind == "wood":
        f *= 1 + np.sin(np.linspace(0, rng.uniform(30, 80), sh)[:, None] + smooth_field(rng, sw, sh, (6, 30), 3.0)) * 0.06
    f *= 1 + smooth_field(rng, sw, sh, (4, 3), 0.08)
    f = np.asarray(Image.fromarray(f).resize((w, h), Image.BILINEAR))
    return f[..., None] * np.array(base, np.float32)


def phone(ballot, rng):
    """A phone photo: the whole sheet in frame, perspective, uneven light and shadows, defocus, noise, moire,
    sharpening, JPEG, sometimes squeezed again by a messaging app."""
    page = ballot.image()
    W = pick(rng, [(2016, 25), (2400, 30), (2592, 20), (3024, 20), (3264, 5)])
    H = W * 3 // 4
    fill_ = rng.uniform(0.78, 0.93)
    pw = W * fill_
    ph = pw * 2483 / 3508
    ccx, ccy = W / 2 + rng.uniform(-0.04, 0.04) * W, H / 2 + rng.uniform(-0.04, 0.04) * H
    ang = math.radians(rng.uniform(-6, 6))
    corners = np.array([(-pw / 2, -ph / 2), (pw / 2, -ph / 2), (pw / 2, ph / 2), (-pw / 2, ph / 2)])
    # tilt: the far edge shorter than the near one
    tilt_x, tilt_y = rng.uniform(-0.045, 0.045), rng.uniform(-0.06, 0.06)
    corners[:, 0] *= 1 + tilt_y * np.sign(corners[:, 1])
    corners[:, 1] *= 1 + tilt_x * np.sign(corners[:, 0])
    corners += 0.012 * W * np.array([[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(4)])
    c, s = math.cos(ang), math.sin(ang)
    quad = np.stack([ccx + c * corners[:, 0] - s * corners[:, 1], ccy + s * corners[:, 0] + c * corners[:, 1]], axis=1)
    m = 0.015 * W  # the whole sheet stays in frame
    quad[:, 0] = np.clip(quad[:, 0], m, W - m)
    quad[:, 1] = np.clip(quad[:, 1], m, H - m)
    scale = min(1.0, 1.25 * np.ptp(quad[:, 0]) / page.size[0])
    src = page.resize((round(page.size[0] * scale), round(page.size[1] * scale)), Image.LANCZOS)
    sw, sh = src.size
    coeffs = perspective_coeffs(quad, [(0, 0), (sw, 0), (sw, sh), (0, sh)])
    warped = np.asarray(src.transform((W, H), Image.PERSPECTIVE, coeffs, resample=Image.BICUBIC), np.float32) / 255
    mask = Image.new("L", (sw, sh), 255).transform((W, H), Image.PERSPECTIVE, coeffs, resample=Image.BILINEAR)
    mask = np.asarray(mask, np.float32)[..., None] / 255
    arr = warped * mask + background(rng, W, H) * (1 - mask)
    # light: exposure, a colour cast, a gradient across the sheet, vignetting, soft blotches (worked out on a grid
    # eight times coarser, then enlarged)
    lw, lh = W // 8 + 1, H // 8 + 1
    yy, xx = np.mgrid[0:lh, 0:lw].astype(np.float32) * 8
    gx, gy = rng.uniform(-0.25, 0.25), rng.uniform(-0.25, 0.25)
    light = rng.uniform(0.72, 1.02) * (1 + gx * (xx / W - 0.5) + gy * (yy / H - 0.5))
    light *= 1 - rng.uniform(0.05, 0.3) * (((xx / W - 0.5) ** 2 + (yy / H - 0.5) ** 2) / 0.5)
    light *= 1 + smooth_field(rng, lw, lh, (5, 4), rng.uniform(0.02, 0.06))
    for vertical, pos in ballot.sheet.folds:  # the two halves of a folded sheet catch the light differently
        line = quad[0] + (quad[1] - quad[0]) * pos if vertical else quad[0] + (quad[3] - quad[0]) * pos
        line2 = quad[3] + (quad[2] - quad[3]) * pos if vertical else quad[1] + (quad[2] - quad[1]) * pos
        d = (line2[0] - line[0]) * (yy - line[1]) - (line2[1] - line[1]) * (xx - line[0])
        light *= np.where(d > 0, 1 - rng.uniform(0.03, 0.1), 1.0).astype(np.float32)
    shadow = ""
    if rng.random() < 0.35:  # the phone's or the hand's shadow
        sm = Image.new("L", (W // 8, H // 8), 0)
        edge = rng.choice(["left", "right", "top", "bottom", "corner"])
        w8, h8 = W // 8, H // 8
        reach = rng.uniform(0.15, 0.45)
        poly = {"left": [(0, 0), (w8 * reach, 0), (w8 * reach * rng.uniform(0.5, 1.5), h8), (0, h8)],
                "right": [(w8, 0), (w8 * (1 - reach), 0), (w8 * (1 - reach * rng.uniform(0.5, 1.5)), h8), (w8, h8)],
                "top": [(0, 0), (w8, 0), (w8, h8 * reach), (0, h8 * reach * rng.uniform(0.5, 1.5))],
                "bottom": [(0, h8), (w8, h8), (w8, h8 * (1 - reach)), (0, h8 * (1 - reach * rng.uniform(0.5, 1.5)))],
                "corner": [(0, 0), (w8 * reach * 1.6, 0), (0, h8 * reach * 1.6)]}[edge]
        ImageDraw.Draw(sm).polygon(poly, fill=255)
        sm = sm.filter(ImageFilter.GaussianBlur(rng.uniform(3, 12))).resize((lw, lh), Image.BILINEAR)
        depth = rng.uniform(0.2, 0.45)
        light *= 1 - depth * np.asarray(sm, np.float32) / 255
        shadow = f" shadow {edge} {depth:.2f}"
    cast = np.array([rng.uniform(0.92, 1.06), 1.0, rng.uniform(0.84, 1.04)], np.float32)
    light = np.asarray(Image.fromarray(light.astype(np.float32)).resize((W, H), Image.BILINEAR))
    arr = arr * light[..., None] * cast
    img = Image.fromarray(np.clip(arr * 255 + 0.5, 0, 255).astype(np.uint8), "RGB")
    # optics
    focus = rng.uniform(0.5, 2.0) * W / 2400
    sharp = img.filter(ImageFilter.GaussianBlur(focus))
    if rng.random() < 0.3:  # focused on one part of the sheet
        soft = img.filter(ImageFilter.GaussianBlur(focus + rng.uniform(0.8, 1.8)))
        f = np.clip(0.5 + smooth_field(rng, W, H, (3, 2), 0.9), 0, 1)[..., None]
        arr = np.asarray(sharp, np.float32) * (1 - f) + np.asarray(soft, np.float32) * f
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    else:
        img = sharp
    if rng.random() < 0.12:  # a shaking hand
        n = rng.randint(3, 6)
        k = np.zeros((n, n), np.float32)
        if rng.random() < 0.5:
            k[n // 2, :] = 1
        else:
            np.fill_diagonal(k, 1)
        img = Image.fromarray(np.clip(np.stack([ndimage.convolve(np.asarray(img, np.float32)[..., ch], k / k.sum())
                                                for ch in range(3)], -1), 0, 255).astype(np.uint8), "RGB")
    arr = np.asarray(img, np.float32)
    if rng.random() < 0.18:  # moire: a beat between the sensor grid and fine structure
        yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
        f1, f2 = rng.uniform(0.35, 0.49), rng.uniform(0.35, 0.49)
        th = rng.uniform(0, np.pi)
        pat = np.sin(2 * np.pi * (f1 * (xx * math.cos(th) + yy * math.sin(th)))) * \
            np.sin(2 * np.pi * f2 * (xx * math.sin(th) - yy * math.cos(th)) * 0.5)
        arr *= (1 + rng.uniform(0.015, 0.04) * pat)[..., None]
    lum_noise = np.asarray(rng.standard_normal((H, W)), np.float32) * rng.uniform(1.5, 5.0)
    arr += lum_noise[..., None] * (1.3 - arr / 255 * 0.6)
    arr += np.asarray(rng.standard_normal((H // 2, W // 2, 3)), np.float32).repeat(2, 0).repeat(2, 1)[:H, :W] * 1.5
    img = Image.fromarray(np.clip(arr + 0.5, 0, 255).astype(np.uint8), "RGB")
    if rng.random() < 0.5:
        img = img.filter(ImageFilter.UnsharpMask(radius=rng.uniform(1.0, 2.5), percent=rng.randint(40, 120), threshold=2))
    q = rng.randint(72, 93)
    data = jpeg(img, q)
    how = f"phone {W}x{H} fill {fill_:.2f} rot {math.degrees(ang):.1f} focus {focus:.1f} q{q}{shadow}"
    if rng.random() < 0.3:  # sent through a messaging app
        img = Image.open(io.BytesIO(data))
        longest = rng.choice([1280, 1440, 1600, 1920])
        if W > longest:
            img = img.resize((longest, round(longest * H / W)), Image.LANCZOS)
        q2 = rng.randint(55, 76)
        data = jpeg(img, q2)
        how += f" app {img.size[0]} q{q2}"
    return data, how


# =====================================================================================================================
# The set

# Everything about ballot i follows from f"heldout5-{seed}-{i}": random.Random for choices, and a numpy generator
# seeded from it for arrays of noise.
class BallotRandom(random.Random):
    def __init__(self, key):
        super().__init__(key)
        self._np = np.random.default_rng(self.getrandbits(64))

    def standard_normal(self, shape):
        return self._np.standard_normal(shape, dtype=np.float32)


def ballot_for(templates, seed, i):
    rng = BallotRandom(f"heldout5-{seed}-{i}")
    return Ballot(templates[i % len(templates)], rng), rng


def make_one(args):
    folder, seed, i, kinds, debug = args
    templates = omr_heldout.templates_from(folder)
    ballot, rng = ballot_for(templates, seed, i)
    record = {"truth": "".join(ballot.truth), "markKinds": list(ballot.kinds)}
    out = []
    for kind in ("scanner", "phone"):
        data, how = (scanner if kind == "scanner" else phone)(ballot, rng)  # drawn in a fixed order: reproducible
        if kind in kinds:
            out.append({"file": f"{kind}-{i:04d}.jpg", "kind": kind, **record, "capture": how, "jpeg": data,
                        "template": i % len(templates)})
    if debug is not None:
        debug.append((i, ballot, out))
    return out


def make_pages(folder, n, seed=DEFAULT_SEED, kind="both", workers=1, debug=None):
    """2n pages for kind "both" (each ballot drawn once, scanned and photographed), n for "scanner" or "phone"."""
    kinds = ("scanner", "phone") if kind == "both" else (kind,)
    assert all(k in ("scanner", "phone") for k in kinds), kind
    omr_heldout.templates_from(folder)  # loaded once, before any worker forks
    jobs = [(folder, seed, i, kinds, None) for i in range(n)]
    if workers and workers > 1 and n >= 4 and debug is None:
        import multiprocessing
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(make_one, jobs, chunksize=1)
    else:
        parts = [make_one(j[:4] + (debug,)) for j in jobs]
    return [p for part in parts for p in part]


# =====================================================================================================================
# Self-check

TRUTH_COLOURS = {"0": (150, 150, 150), "X": (220, 0, 0), "?": (240, 140, 0)}


def overlay(ballot):
    img = ballot.image()
    draw = ImageDraw.Draw(img)
    cols = ballot.sheet.t["columns"]
    for k, (t, kind) in enumerate(zip(ballot.truth, ballot.kinds)):
        r, c = divmod(k, cols)
        bs = ballot.sheet.boxes[r][c]
        colour = TRUTH_COLOURS.get(t, (0, 160, 0))
        for g, b in enumerate(bs):
            wid = 6 if t == str(g + 1) else 2
            draw.rectangle([b.x0 - 5, b.y0 - 5, b.x1 + 5, b.y1 + 5], outline=colour, width=wid)
        draw.text((bs[0].x0, bs[0].y1 + 8), f"{t} {kind}", fill=colour)
    return img.resize((img.size[0] // 2, img.size[1] // 2), Image.LANCZOS)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--templates", default="/tmp/omrdev/heldout-templates")
    ap.add_argument("--pages", type=int, default=10)
    ap.add_argument("--seed", type=int, default=13000)
    ap.add_argument("--debug", help="folder for previews (captures, truth overlays, crops)")
    args = ap.parse_args()
    if args.seed == DEFAULT_SEED:
        print(f"seed {DEFAULT_SEED} is the judge: look at another seed", file=sys.stderr)
        return 2
    start = time.time()
    made = []
    pages = make_pages(args.templates, args.pages, args.seed, "both", workers=1, debug=made)
    seconds = time.time() - start
    failures, retries = [], 0
    truths, kinds, shapes = Counter(), Counter(), Counter()
    for i, ballot, _ in made:
        retries += ballot.retries
        for r, c, t, kind, why in ballot.audit():
            failures.append((i, r, c, t, kind, why))
        truths.update(ballot.truth)
        kinds.update(ballot.kinds)
        shapes[(ballot.voter.pen.name, ballot.voter.shape)] += 1
    cols = sum(len(b.truth) for _, b, _ in made)
    print(f"pages={len(pages)} ballots={len(made)} columns={cols} seconds_per_page={seconds / max(1, len(pages)):.2f} "
          f"audit_failures={len(failures)} column_redraws={retries}")
    print("truth: " + " ".join(f"{k}:{v} ({100 * v / cols:.1f}%)" for k, v in sorted(truths.items())))
    print("markKinds: " + ", ".join(f"{k}:{v}" for k, v in kinds.most_common()))
    print("voters: " + ", ".join(f"{p}/{s}" for (p, s), _ in shapes.items()))
    for f in failures[:30]:
        print("  audit:", *f)
    for p in pages:
        assert len(p["truth"]) == len(p["markKinds"]) and p["jpeg"][:2] == b"\xff\xd8"
    if args.debug:
        os.makedirs(args.debug, exist_ok=True)
        for i, ballot, out in made[:4]:
            overlay(ballot).save(os.path.join(args.debug, f"truth-{i:04d}.png"))
            for p in out:
                im = Image.open(io.BytesIO(p["jpeg"]))
                im.save(os.path.join(args.debug, f"{p['kind']}-{i:04d}.png"))
                print(f"  {p['kind']}-{i:04d}: {p['capture']} {len(p['jpeg']) // 1024} KB")
        w, h, data = as_upload(pages[0]["jpeg"])
        print(f"as_upload: {w}x{h}, {len(data)} bytes")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
