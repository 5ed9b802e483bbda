"""A third held-out generator of paper-ballot pages: other hands, other pens, other scanners and phones.

Written without reading the server's reader (Sources/), the tuning generator's marks and captures (e2e/omr_pages.py)
or the marks and captures of bench/omr_heldout.py and bench/omr_heldout2.py. From bench/omr_heldout.py it reuses only
the plumbing: the templates folder (print_round / templates_from: the printed forms at 300 dpi and their boxes found on
the printed page) and as_upload. Everything laid on the paper and every capture is drawn here.

Strokes are drawn as polylines with a pressure per point into a 3x supersampled patch (PIL, one disc per point and a
line per segment, pressure as grey level), reduced by box averaging; ballpoints skip and blob, gel is thin and even,
felt pens bleed (blurred and saturated), pencils (HB..2H) are grey and grainy (coverage times a paper-tooth texture).
Each voter has one pen (sometimes a second one for a few columns) and one habit (circles, ticks, crosses, filling).

Per column (shares are the COLUMN_PLAN weights; the mark's shape follows the voter's habit):
  one clear mark in one box -> '1'..'4': ballpoint/gel/felt/pencil circles (ordinary, small inside the box, big over
  the edge, open, ellipse, off-centre, on the first row reaching up over the printed grade label), ticks (short, long
  and out of the box, rotated, mirrored), crosses, filled boxes, a line through the box;
  blank -> '0'; two (rarely three) clear marks -> 'X';
  crossed-out: a mark cancelled (scribbled over, struck through, crossed) and another box marked -> '?' (the printed
  rule gives no way to correct a choice; whether the cancelled box still counts is for the tellers);
  hesitant: a faint or tiny touch in one box (pen rested, a dot, a short light flick) -> '?';
  between: a circle drawn over the gap between two boxes -> '?';
  stray-dot: a pen dot in the gap between rows or columns, well away from any box -> '0' (column otherwise blank).
Per page: stray lines (across a row, sometimes through the boxes, as in the sample), notes by the names, coffee
stains, folds; the columns whose boxes a stray line or a stain crosses are named "stray" / "stain" in markKinds (their
truth is what the marks under them say). Nothing is drawn within 4 mm of the corner squares or the page-code strip,
and stains and shadows keep off them.
Captures: office scanner (150/200/240/300 dpi, skew up to 0.8 degrees, gray or colour, scanner blur, tone curve,
noise, JPEG 70-92, sometimes a dark lid fringe 1-3 mm along one edge, sometimes "text mode" binarised, only on pages
without pencil or faint ink), phone photo (2339-3264 px, perspective and keystone, rotation, table around the page,
uneven warm/cool light, sometimes a soft shadow: a blob kept off every printed square or a light band from an edge kept
off the code strip; defocus or slight motion blur, moire from the printed lines, noise, sharpening, JPEG 60-88).
Voters who hesitate are 40 %: only they make hesitant and between columns (so most pages have none).

markKinds: blank; for ballpoints the shape (ballpoint-circle, small-circle, big-circle, open-circle, ellipse, off-centre,
over-label, tick, long-tick, cross, filled, line-through); for the other pens <pen>-<circle|tick|cross|filled|
line-through> with pen gel, felt, pencil (and pencil-light-circle for a very light hand); two-marks, crossed-out,
hesitant, between, stray-dot; stray / stain for a column of no mark or one mark that a stray line or a stain crosses.

  python3 bench/omr_heldout3.py [--templates DIR] [--pages 50] [--workers 2] [--seed 9000] [--debug OUTDIR]
      self-check: makes N ballots both ways, audits every truth against the ink laid (a '1'..'4' column has clear
      ink in exactly that box, 'X' in two or more, '0' none in any box, '?' as its kind says), checks the keep-out
      zones, prints kinds, truth shares and pages/s; --debug writes truth overlays (clean page, truth beside each
      column) and the captured pages.
Python API: make_pages(templates_dir, n, seed=9000, kind="both", workers=None) -> [{"truth", "markKinds", "kind",
"jpeg", ...}]; with "both" the n scanner pages then the n phone pages of the same ballots."""
import argparse
import io
import math
import multiprocessing
import os
import random
import sys
import time
from collections import Counter

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))

import omr_heldout as H  # noqa: E402  (plumbing only: templates folder, upload format)

DPI, MM = H.DPI, H.MM  # templates are printed at 300 dpi; pixels per millimetre
DEFAULT_SEED = 9000
# a templates folder (python3 bench/omr_heldout.py print --out DIR writes one); bench/omr.py passes its own
TEMPLATES = os.environ.get("OMR_HELDOUT_TEMPLATES", "/work/omrdata/heldout-templates")
as_upload = H.as_upload
SS = 3  # supersampling of stroke patches

# Ink is measured as coverage (pixels of full stroke, whatever the pen's darkness): a pen's own darkness is checked
# separately (pencils are light by nature but plainly seen; a hesitant touch is judged by its ink, darkness included).
CLEAR = 90.0    # coverage inside a box that a person sees plainly as a mark (a 3 mm stroke of a 0.3 mm pen: ~100)
LEAK = 8.0      # at most this much coverage of a single-box mark may reach any other box
FAINT = (12.0, 70.0)  # a hesitant touch lays this much ink (coverage x darkness) in its box


def pick(rng, table):
    total = sum(w for _, w in table)
    x = rng.random() * total
    for name, w in table:
        x -= w
        if x < 0:
            return name
    return table[-1][0]


# ---------------------------------------------------------------------------------------------------------------------
# Pens: colour of full ink (RGB reflectance), width in mm, darkness range, character.

PENS = {
    "ballpoint-black": dict(colour=(0.13, 0.13, 0.17), width=(0.22, 0.38), dark=(0.7, 0.95), kind="ballpoint"),
    "ballpoint-blue": dict(colour=(0.16, 0.22, 0.58), width=(0.22, 0.38), dark=(0.7, 0.95), kind="ballpoint"),
    "ballpoint-red": dict(colour=(0.72, 0.14, 0.14), width=(0.22, 0.36), dark=(0.8, 0.95), kind="ballpoint"),
    "gel-black": dict(colour=(0.08, 0.08, 0.1), width=(0.2, 0.3), dark=(0.9, 1.0), kind="gel"),
    "gel-blue": dict(colour=(0.1, 0.15, 0.5), width=(0.2, 0.3), dark=(0.9, 1.0), kind="gel"),
    "felt-black": dict(colour=(0.1, 0.1, 0.12), width=(0.7, 1.1), dark=(0.85, 1.0), kind="felt"),
    "felt-blue": dict(colour=(0.12, 0.2, 0.52), width=(0.7, 1.1), dark=(0.85, 1.0), kind="felt"),
    "pencil-HB": dict(colour=(0.32, 0.32, 0.35), width=(0.35, 0.55), dark=(0.5, 0.7), kind="pencil"),
    "pencil-H": dict(colour=(0.36, 0.36, 0.39), width=(0.3, 0.5), dark=(0.35, 0.5), kind="pencil"),
    "pencil-2H": dict(colour=(0.4, 0.4, 0.43), width=(0.3, 0.45), dark=(0.22, 0.35), kind="pencil"),
}
VOTER_PENS = [("ballpoint-black", 37), ("ballpoint-blue", 28), ("ballpoint-red", 2), ("gel-black", 7),
              ("gel-blue", 4), ("felt-black", 4), ("felt-blue", 2), ("pencil-HB", 8), ("pencil-H", 5),
              ("pencil-2H", 3)]
HABITS = [("circle", 62), ("tick", 22), ("cross", 4), ("filled", 3), ("line", 2), ("mixed", 7)]
COLUMN_PLAN = [("mark", 76.5), ("blank", 10), ("two-marks", 5), ("crossed-out", 2.5), ("hesitant", 2.5),
               ("between", 1.0), ("stray-dot", 1.5), ("off-centre", 1.0)]
CIRCLE_VARIANTS = [("circle", 64), ("small-circle", 10), ("big-circle", 11), ("open-circle", 8), ("ellipse", 7)]


class Pen:
    def __init__(self, name, rng):
        p = PENS[name]
        self.name, self.kind = name, p["kind"]
        self.colour = np.array(p["colour"], np.float32)
        self.width = rng.uniform(*p["width"]) * MM
        self.dark = rng.uniform(*p["dark"])
        self.lum = float(0.3 * self.colour[0] + 0.59 * self.colour[1] + 0.11 * self.colour[2])
        if self.kind == "pencil" and rng.random() < 0.25:  # a very light hand: grey but still a plain shape
            self.dark *= rng.uniform(0.6, 0.8)
            self.name += "-light"


def smooth(rng, n, amount, bumps=3):
    """A slowly varying sequence of n values around 0 (sum of a few random sines)."""
    t = np.linspace(0, 1, max(n, 2))
    out = np.zeros_like(t)
    for k in range(1, bumps + 1):
        out += rng.normal(0, amount / k) * np.sin(2 * np.pi * (k * t + rng.random()))
    return out[:n]


def resample(pts, step=1.6):
    pts = np.asarray(pts, np.float64)
    seg = np.hypot(*np.diff(pts, axis=0).T)
    s = np.concatenate([[0], np.cumsum(seg)])
    if s[-1] < 1e-6:
        return pts[:1]
    u = np.linspace(0, s[-1], max(2, int(s[-1] / step) + 1))
    return np.stack([np.interp(u, s, pts[:, 0]), np.interp(u, s, pts[:, 1])], axis=1)


class Stroke:
    """A polyline in page pixels with pressure (0..1) per point."""
    def __init__(self, pts, pressure):
        self.pts, self.pressure = pts, pressure


def pen_stroke(rng, pen, pts, lift=True, pressure=1.0):
    pts = resample(pts)
    n = len(pts)
    p = np.clip(pressure * (1 + smooth(rng, n, 0.12)), 0.05, 1.0)
    if lift and n > 6:  # pen lands and lifts: lighter at the ends
        k = min(n // 4, 6)
        p[:k] *= np.linspace(rng.uniform(0.45, 0.85), 1, k)
        p[-k:] *= np.linspace(1, rng.uniform(0.3, 0.8), k)
    if pen.kind == "ballpoint" and n > 10 and rng.random() < 0.5:  # a skip where the ball dried
        i = rng.integers(2, n - 4)
        p[i:i + rng.integers(1, 4)] *= rng.uniform(0.15, 0.5)
    return Stroke(pts, p)


def blur3(a):
    """A [1 2 1]/4 blur along both axes (edges repeated)."""
    p = np.pad(a, 1, mode="edge")
    a = (p[:-2] + 2 * p[1:-1] + p[2:]) / 4
    return (a[:, :-2] + 2 * a[:, 1:-1] + a[:, 2:]) / 4


_GRAIN = {}


def grain(rng, h, w):
    """Paper tooth under a pencil: a fixed texture per process, cut at a random offset."""
    if "t" not in _GRAIN:
        r = np.random.default_rng(12345)
        g = blur3(blur3(r.random((768, 768)).astype(np.float32)))
        g = (g - g.min()) / (g.max() - g.min())
        _GRAIN["t"] = np.clip((g - 0.3) * 2.2, 0, 1).astype(np.float32)
    t = _GRAIN["t"]
    y, x = rng.integers(0, 768 - h) if h < 768 else 0, rng.integers(0, 768 - w) if w < 768 else 0
    out = t[y:y + h, x:x + w]
    if out.shape != (h, w):
        out = np.resize(out, (h, w))
    return out


class Patch:
    """Ink of one mark: alpha (darkness 0..1, page pixels) at (x0, y0), its pen and the darkness of its full stroke."""
    def __init__(self, alpha, x0, y0, pen, dark):
        self.alpha, self.x0, self.y0, self.pen, self.dark = alpha, x0, y0, pen, dark

    def rect(self):
        h, w = self.alpha.shape
        return self.x0, self.y0, self.x0 + w, self.y0 + h


def render(rng, pen, strokes, darkness=None):
    """The strokes of one mark as a Patch."""
    allpts = np.concatenate([s.pts for s in strokes])
    pad = pen.width * 2 + 4
    x0, y0 = int(math.floor(allpts[:, 0].min() - pad)), int(math.floor(allpts[:, 1].min() - pad))
    x1, y1 = int(math.ceil(allpts[:, 0].max() + pad)), int(math.ceil(allpts[:, 1].max() + pad))
    w, h = x1 - x0, y1 - y0
    acc = np.zeros((h * SS, w * SS), np.float32)
    for s in strokes:
        img = Image.new("L", (w * SS, h * SS), 0)
        d = ImageDraw.Draw(img)
        pts = (s.pts - [x0, y0]) * SS
        widths = pen.width * SS * (0.75 + 0.25 * s.pressure) if pen.kind != "gel" else np.full(len(pts), pen.width * SS)
        # lightest first, so that where a stroke crosses itself the darker ink stays (drawing overwrites)
        for i in np.argsort(s.pressure, kind="stable"):
            v = int(255 * s.pressure[i])
            r = widths[i] / 2
            cx, cy = pts[i]
            d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=v)
            if i:
                d.line([tuple(pts[i - 1]), (cx, cy)], fill=v, width=max(1, int(round(widths[i]))))
        a = np.asarray(img, np.float32) / 255.0
        acc = 1 - (1 - acc) * (1 - 0.85 * a) if acc.any() else a  # overlapping strokes darken a little more
    acc = np.clip(acc, 0, 1)
    cov = acc.reshape(h, SS, w, SS).mean(axis=(1, 3))
    if pen.kind == "felt":
        cov = np.clip(blur3(cov) * 1.6, 0, 1)
    elif pen.kind == "pencil":
        cov = cov * (0.35 + 0.9 * grain(rng, h, w))
        cov = np.clip(cov, 0, 1)
    elif pen.kind == "ballpoint":
        cov = np.clip(cov * 1.15, 0, 1)
        if rng.random() < 0.15:  # a blob where the pen started
            by, bx = (strokes[0].pts[0] - [x0, y0]).astype(int)[::-1]
            rr = rng.uniform(1.2, 2.2)
            yy, xx = np.ogrid[:h, :w]
            cov = np.maximum(cov, np.clip(rr + 0.5 - np.hypot(yy - by, xx - bx), 0, 1))
    dark = pen.dark if darkness is None else darkness
    return Patch((cov * dark).astype(np.float32), x0, y0, pen, dark)


# ---------------------------------------------------------------------------------------------------------------------
# Shapes. A box is [x0, y0, x1, y1] in page pixels.

def centre(box):
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2, (box[2] - box[0]) / 2


def ellipse_pts(rng, cx, cy, rx, ry, tilt, start, sweep, drift=(0.0, 0.0), wobble=0.04):
    n = max(24, int(abs(sweep) * max(rx, ry) / 1.5))
    t = start + np.linspace(0, sweep, n)
    rr = 1 + smooth(rng, n, wobble)
    x, y = rx * rr * np.cos(t), ry * rr * np.sin(t)
    c, s = math.cos(tilt), math.sin(tilt)
    f = np.linspace(0, 1, n)
    return np.stack([cx + c * x - s * y + drift[0] * f, cy + s * x + c * y + drift[1] * f], axis=1)


def circle_shape(rng, pen, box, variant):
    cx, cy, h = centre(box)
    jx, jy = rng.normal(0, 0.06 * h, 2)
    r = h * {"circle": rng.uniform(0.68, 1.0), "small-circle": rng.uniform(0.38, 0.58),
             "big-circle": rng.uniform(1.08, 1.3), "open-circle": rng.uniform(0.6, 0.95),
             "ellipse": rng.uniform(0.7, 1.0), "off-centre": rng.uniform(0.6, 0.8),
             "over-label": 1.0, "between": rng.uniform(0.75, 1.0)}[variant]
    ratio = rng.uniform(0.88, 1.08)
    tilt = rng.uniform(0, math.pi)
    if variant == "ellipse":
        ratio = rng.uniform(0.55, 0.75)
        if rng.random() < 0.5:
            ratio = 1 / ratio
        r = r / max(1, 1 / ratio) * 1.0 if ratio > 1 else r
    rx, ry = r, r * ratio
    if variant == "ellipse" and ratio > 1:
        rx, ry = r / ratio * 1.0, r
        rx, ry = rx, min(ry, h * 1.05)
    sweep = rng.uniform(2.05, 2.3) * math.pi
    if variant == "open-circle":
        sweep = rng.uniform(1.45, 1.8) * math.pi
    direction = -1 if rng.random() < 0.75 else 1
    start = rng.uniform(0, 2 * math.pi)
    drift = rng.normal(0, 0.1 * r, 2)
    if variant == "off-centre":
        ang = rng.uniform(0, 2 * math.pi)
        off = rng.uniform(0.22, 0.35) * h
        jx, jy = off * math.cos(ang), off * math.sin(ang)
    if variant == "over-label":  # a tall loop from the box up over the grade label above the first row
        rx, ry = h * rng.uniform(0.8, 1.0), h * rng.uniform(1.55, 1.8)
        jy, tilt = -(ry - h * 0.95), rng.normal(0, 0.08)
    pts = ellipse_pts(rng, cx + jx, cy + jy, rx, ry, tilt if variant != "over-label" else tilt, start,
                      direction * sweep, drift, wobble=rng.uniform(0.03, 0.07))
    strokes = [pen_stroke(rng, pen, pts)]
    if variant == "circle" and rng.random() < 0.08:  # traced twice
        pts2 = ellipse_pts(rng, cx + jx + rng.normal(0, 2), cy + jy + rng.normal(0, 2), rx * 0.95, ry * 0.97, tilt,
                           start + 0.5, direction * 2.1 * math.pi)
        strokes.append(pen_stroke(rng, pen, pts2))
    return strokes


def tick_shape(rng, pen, box, long=False):
    cx, cy, h = centre(box)
    mirror = rng.random() < 0.1
    vx, vy = cx + rng.uniform(-0.3, 0.1) * h, cy + rng.uniform(0.2, 0.55) * h
    short = rng.uniform(0.3, 0.6) * h
    longarm = rng.uniform(1.5, 2.5) * h if long else rng.uniform(0.8, 1.3) * h
    a_short = math.radians(rng.uniform(120, 160))   # up-left from the vertex (y down: negative sin)
    a_long = math.radians(rng.uniform(35, 70))      # up-right
    rot = math.radians(rng.normal(0, 12) if rng.random() < 0.8 else rng.uniform(-35, 35))
    p0 = (vx + short * math.cos(a_short + rot), vy - short * math.sin(a_short + rot))
    p2 = (vx + longarm * math.cos(a_long + rot), vy - longarm * math.sin(a_long + rot))
    if mirror:
        p0, p2 = (2 * vx - p0[0], p0[1]), (2 * vx - p2[0], p2[1])
    bend = rng.normal(0, 0.05 * h, 2)
    t = np.linspace(0, 1, 12)[:, None]
    first = np.array(p0) * (1 - t) + np.array([vx, vy]) * t
    mid = (np.array([vx, vy]) + np.array(p2)) / 2 + bend
    second = (1 - t) ** 2 * np.array([vx, vy]) + 2 * (1 - t) * t * mid + t ** 2 * np.array(p2)
    pts = np.concatenate([first, second[1:]])
    s = pen_stroke(rng, pen, pts)
    s.pressure[-max(2, len(s.pressure) // 5):] *= np.linspace(1, 0.45, max(2, len(s.pressure) // 5))  # flick
    return [s]


def line_pts(rng, a, b, bow=0.04):
    a, b = np.asarray(a, float), np.asarray(b, float)
    t = np.linspace(0, 1, 16)[:, None]
    d = b - a
    nrm = np.array([-d[1], d[0]])
    return a + d * t + nrm * bow * rng.normal() * 4 * t * (1 - t)


def cross_shape(rng, pen, box):
    cx, cy, h = centre(box)
    k = rng.uniform(0.55, 0.95) * h
    j = rng.normal(0, 0.08 * h, 4)
    return [pen_stroke(rng, pen, line_pts(rng, (cx - k + j[0], cy - k + j[1]), (cx + k + j[2], cy + k + j[3]))),
            pen_stroke(rng, pen, line_pts(rng, (cx + k + j[1], cy - k + j[3]), (cx - k + j[2], cy + k + j[0])))]


def filled_shape(rng, pen, box):
    cx, cy, h = centre(box)
    k = rng.uniform(0.6, 0.85) * h
    rows = int(rng.integers(7, 12))
    pts = []
    for i in range(rows):
        y = cy - k + 2 * k * i / (rows - 1)
        xs = (cx - k, cx + k) if i % 2 == 0 else (cx + k, cx - k)
        pts += [(xs[0] + rng.normal(0, 2), y + rng.normal(0, 1.5)), (xs[1] + rng.normal(0, 2), y + rng.normal(0, 1.5))]
    return [pen_stroke(rng, pen, np.array(pts), lift=False)]


def line_shape(rng, pen, box):
    """A single stroke through the box: a slash or a bar."""
    cx, cy, h = centre(box)
    if rng.random() < 0.6:
        k = rng.uniform(0.65, 0.95) * h
        a, b = (cx - k * 0.8, cy + k), (cx + k * 0.8, cy - k)
    else:
        k = rng.uniform(0.7, 0.95) * h
        y = cy + rng.normal(0, 0.12 * h)
        a, b = (cx - k, y + rng.normal(0, 3)), (cx + k, y + rng.normal(0, 3))
    return [pen_stroke(rng, pen, line_pts(rng, a, b))]


def cancel_shape(rng, pen, box):
    """What strikes a choice out: a dense scribble, two or three parallel strokes, or a big cross over it."""
    cx, cy, h = centre(box)
    how = pick(rng, [("scribble", 45), ("strokes", 35), ("cross", 20)])
    if how == "scribble":
        n = int(rng.integers(10, 18))
        pts = [(cx + rng.uniform(-0.9, 0.9) * h, cy + (i / (n - 1) * 2 - 1) * 0.9 * h) for i in range(n)]
        return how, [pen_stroke(rng, pen, np.array(pts), lift=False, pressure=1.0)]
    if how == "strokes":
        out = []
        for i in range(int(rng.integers(2, 4))):
            off = (i - 1) * 0.3 * h
            out.append(pen_stroke(rng, pen, line_pts(rng, (cx - 1.1 * h + off, cy + 0.9 * h + off),
                                                    (cx + 1.1 * h + off, cy - 0.9 * h + off))))
        return how, out
    k = 1.15 * h
    return how, [pen_stroke(rng, pen, line_pts(rng, (cx - k, cy - k), (cx + k, cy + k))),
                 pen_stroke(rng, pen, line_pts(rng, (cx + k, cy - k), (cx - k, cy + k)))]


def touch_shape(rng, pen, box):
    """A hesitant touch: a dot or a short light flick somewhere inside the box."""
    cx, cy, h = centre(box)
    x, y = cx + rng.uniform(-0.5, 0.5) * h, cy + rng.uniform(-0.5, 0.5) * h
    if rng.random() < 0.5:
        pts = np.array([(x, y), (x + rng.normal(0, 1), y + rng.normal(0, 1))])
        return [Stroke(resample(pts), np.full(len(resample(pts)), 1.0))], "dot"
    ang = rng.uniform(0, 2 * math.pi)
    ln = rng.uniform(0.2, 0.35) * h
    pts = line_pts(rng, (x, y), (x + ln * math.cos(ang), y + ln * math.sin(ang)))
    return [pen_stroke(rng, pen, pts, pressure=0.8)], "flick"


# ---------------------------------------------------------------------------------------------------------------------
# The ballot: marks per column, checked against the boxes as they are laid.

def cover_in(patches, rect, grow=2):
    """Coverage (ink divided by its pen's darkness) of patches inside rect."""
    return sum(ink_in([p], rect, grow) / max(p.dark, 1e-3) for p in patches)


def ink_in(patches, rect, grow=2):
    x0, y0, x1, y1 = rect[0] - grow, rect[1] - grow, rect[2] + grow, rect[3] + grow
    total = 0.0
    for p in patches:
        px0, py0, px1, py1 = p.rect()
        ax0, ay0, ax1, ay1 = max(x0, px0), max(y0, py0), min(x1, px1), min(y1, py1)
        if ax0 < ax1 and ay0 < ay1:
            total += float(p.alpha[ay0 - py0:ay1 - py0, ax0 - px0:ax1 - px0].sum())
    return total


def keep_out(template):
    """Rects nothing may be drawn in: the corner squares and the page-code strip, grown by 4 mm."""
    g = 4 * MM
    zones = [[s[0] - g, s[1] - g, s[2] + g, s[3] + g] for s in template["solids"]]
    top = [s for s in template["solids"] if s[1] < template["height"] / 3]
    if top:
        zones.append([min(s[0] for s in top) - g, min(s[1] for s in top) - g, max(s[2] for s in top) + g,
                      max(s[3] for s in top) + g])
    return zones


def overlaps(rect, zones):
    return any(rect[0] < z[2] and z[0] < rect[2] and rect[1] < z[3] and z[1] < rect[3] for z in zones)


class Ballot:
    def __init__(self, template, seed, i):
        self.t = template
        self.rng = np.random.default_rng([seed, i, 33])
        self.boxes = template["boxes"]
        self.rows, self.cols = len(self.boxes), len(self.boxes[0])
        self.truth = []
        self.kinds = []
        self.patches = []       # voter ink
        self.stains = []
        self.folds = []
        self.zones = keep_out(template)
        self.pencil = False
        self.faint = False
        self.crossed = set()  # columns a stray line runs through

    def all_boxes(self):
        return [b for row in self.boxes for col in row for b in col]

    def column_ink(self, patches, r, c):
        return [ink_in(patches, b) for b in self.boxes[r][c]]

    def column_cover(self, patches, r, c):
        return [cover_in(patches, b) for b in self.boxes[r][c]]

    def other_boxes_ink(self, patches, r, c, grades):
        """Ink in every box of the page except boxes (r, c, g) for g in grades."""
        total = 0.0
        for rr in range(max(0, r - 1), min(self.rows, r + 2)):
            for cc in range(max(0, c - 1), min(self.cols, c + 2)):
                for g, b in enumerate(self.boxes[rr][cc]):
                    if rr == r and cc == c and g in grades:
                        continue
                    total += cover_in(patches, b)
        return total

    def mark(self, pen, r, c, g, shape, tries=8):
        """One clear mark in box g: regenerated until it lays clear ink there and none in any other box."""
        box = self.boxes[r][c][g]
        for k in range(tries):
            rng = self.rng
            if k >= tries - 2:  # a voter who cannot draw this shape here draws a plain circle
                strokes = circle_shape(rng, pen, box, "circle")
            elif shape in ("circle", "small-circle", "big-circle", "open-circle", "ellipse", "off-centre", "over-label"):
                strokes = circle_shape(rng, pen, box, shape)
            elif shape in ("tick", "long-tick"):
                strokes = tick_shape(rng, pen, box, long=(shape == "long-tick"))
            elif shape == "cross":
                strokes = cross_shape(rng, pen, box)
            elif shape == "filled":
                strokes = filled_shape(rng, pen, box)
            else:
                strokes = line_shape(rng, pen, box)
            p = render(rng, pen, strokes)
            if overlaps(p.rect(), self.zones):
                continue
            if cover_in([p], box) >= CLEAR and self.other_boxes_ink([p], r, c, {g}) <= LEAK:
                return p
        return None

    def pen_for_column(self):
        if self.rng.random() < 0.06:
            return self.second_pen
        return self.pen

    def shape_for(self, pen):
        habit = self.habit
        if habit == "mixed":
            habit = pick(self.rng, [("circle", 55), ("tick", 30), ("cross", 8), ("filled", 4), ("line", 3)])
        if habit == "circle":
            return pick(self.rng, CIRCLE_VARIANTS)
        if habit == "tick":
            return "long-tick" if self.rng.random() < 0.3 else "tick"
        return habit

    def kind_name(self, pen, shape):
        shape = "line-through" if shape == "line" else shape
        if pen.kind == "ballpoint":
            return "ballpoint-circle" if shape == "circle" else shape
        base = "circle" if "circle" in shape or shape in ("ellipse", "off-centre", "over-label") else \
            "tick" if "tick" in shape else shape
        if pen.kind == "pencil":
            if pen.name.endswith("-light") and base == "circle":
                return "pencil-light-circle"
            return f"pencil-{base}"
        return f"{pen.kind}-{base}"

    def fill(self):
        rng = self.rng
        self.pen = Pen(pick(rng, VOTER_PENS), rng)
        self.second_pen = Pen(pick(rng, VOTER_PENS), rng)
        self.habit = pick(rng, HABITS)
        # some voters hesitate (touches, circles between boxes) and most never do: the same overall share
        hesitates = rng.random() < 0.4
        self.plan = [(k, w * (2.5 if hesitates else 0.0) if k in ("hesitant", "between") else w)
                     for k, w in COLUMN_PLAN]
        for r in range(self.rows):
            for c in range(self.cols):
                sym, kind = self.column(r, c)
                self.truth.append(sym)
                self.kinds.append(kind)

    def column(self, r, c):
        rng = self.rng
        plan = pick(rng, self.plan)
        pen = self.pen_for_column()
        if plan in ("blank", "stray-dot"):
            if plan == "stray-dot" and self.stray_dot(r, c):
                return "0", "stray-dot"
            return "0", "blank"
        if plan == "mark" or plan == "off-centre":
            g = int(rng.integers(0, 4))
            shape = self.shape_for(pen) if plan == "mark" else "off-centre"
            if r == 0 and plan == "mark" and shape in ("circle", "big-circle") and rng.random() < 0.25:
                shape = "over-label"
            p = self.mark(pen, r, c, g, shape)
            if p is None:
                return "0", "blank"
            self.lay(p, pen)
            return str(g + 1), self.kind_name(pen, shape)
        if plan == "two-marks":
            n = 3 if rng.random() < 0.1 else 2
            gs = sorted(rng.choice(4, n, replace=False).tolist())
            ps = []
            for g in gs:
                p = self.mark(pen, r, c, g, self.shape_for(pen) if rng.random() < 0.85 else "circle")
                if p is None:
                    return "0", "blank"
                ps.append(p)
            for p in ps:
                self.lay(p, pen)
            return "X", "two-marks"
        if plan == "crossed-out":
            a, b = rng.choice(4, 2, replace=False).tolist()
            shape = self.shape_for(pen)
            first = self.mark(pen, r, c, a, shape)
            second = self.mark(pen, r, c, b, shape)
            if first is None or second is None:
                return "0", "blank"
            for k in range(6):
                _, strokes = cancel_shape(rng, pen, self.boxes[r][c][a])
                cancel = render(rng, pen, strokes)
                if self.other_boxes_ink([cancel], r, c, {a, b}) <= LEAK and not overlaps(cancel.rect(), self.zones):
                    break
            else:
                return "0", "blank"
            for p in (first, cancel, second):
                self.lay(p, pen)
            return "?", "crossed-out"
        if plan == "hesitant":
            g = int(rng.integers(0, 4))
            box = self.boxes[r][c][g]
            for k in range(10):
                strokes, how = touch_shape(rng, pen, box)
                # plain to see (a person notices it and hesitates), but no more than a touch
                if how == "flick":
                    dark = max(0.4, pen.dark * rng.uniform(0.4, 0.75))
                else:
                    dark = max(0.6, pen.dark * rng.uniform(0.6, 1.0))
                if how == "dot":
                    pen2 = Pen(pen.name.replace("-light", ""), rng)
                    pen2.width = rng.uniform(0.6, 0.9) * MM
                    p = render(rng, pen2, strokes, darkness=dark)
                else:
                    p = render(rng, pen, strokes, darkness=dark)
                ink = ink_in([p], box)
                if FAINT[0] <= ink <= FAINT[1] and self.other_boxes_ink([p], r, c, {g}) <= 0.5:
                    self.lay(p, pen)
                    self.faint = True
                    return "?", "hesitant"
            return "0", "blank"
        if plan == "between":
            g = int(rng.integers(0, 3))
            b0, b1 = self.boxes[r][c][g], self.boxes[r][c][g + 1]
            mid = [(b0[2] + b1[0]) / 2 - 40, b0[1], (b0[2] + b1[0]) / 2 + 40, b0[3]]
            for k in range(8):
                strokes = circle_shape(rng, pen, mid, "between")
                p = render(rng, pen, strokes)
                i0, i1 = cover_in([p], b0), cover_in([p], b1)
                if min(i0, i1) >= 0.6 * max(i0, i1) and self.other_boxes_ink([p], r, c, {g, g + 1}) <= LEAK:
                    self.lay(p, pen)
                    return "?", "between"
            return "0", "blank"
        raise AssertionError(plan)

    def lay(self, p, pen):
        self.patches.append(p)
        if pen.kind == "pencil":
            self.pencil = True

    def stray_dot(self, r, c):
        """A pen-rest dot in the gap below the row (or between columns), at least 1.8 mm from any box."""
        rng = self.rng
        col = self.boxes[r][c]
        for k in range(10):
            if rng.random() < 0.6 and r + 1 < self.rows:
                y = (col[0][3] + self.boxes[r + 1][c][0][1]) / 2 + rng.normal(0, 3)
                x = rng.uniform(col[0][0], col[3][2])
            elif c + 1 < self.cols:
                x = (col[3][2] + self.boxes[r][c + 1][0][0]) / 2 + rng.normal(0, 2)
                y = rng.uniform(col[0][1], col[0][3])
            else:
                continue
            pen = Pen(self.pen.name.replace("-light", ""), rng)
            pen.width = rng.uniform(0.4, 0.7) * MM
            p = render(rng, pen, [Stroke(np.array([(x, y), (x + 1, y + 0.5)]), np.ones(2))])
            if self.near_boxes(p.rect(), 1.8 * MM) or overlaps(p.rect(), self.zones):
                continue
            self.patches.append(p)
            return True
        return False

    def near_boxes(self, rect, d):
        return any(rect[0] < b[2] + d and b[0] - d < rect[2] and rect[1] < b[3] + d and b[1] - d < rect[3]
                   for b in self.all_boxes())

    # -- page-level accidents --------------------------------------------------------------------------------------
    def accidents(self):
        rng = self.rng
        if rng.random() < 0.22:
            self.stray_line()
        if rng.random() < 0.15:
            self.note_by_name()
        if rng.random() < 0.2:
            self.stain()
        if rng.random() < 0.35:
            self.folds.append(("h" if rng.random() < 0.6 else "v", rng.uniform(0.4, 0.6), rng.uniform(0.04, 0.1)))

    def relabel(self, r, c, kind):
        """A stray line or stain over a column of no mark or one mark names it; the hard kinds keep their names."""
        if self.truth[r * self.cols + c] in "01234":
            self.kinds[r * self.cols + c] = kind

    def stray_line(self):
        rng = self.rng
        r = int(rng.integers(0, self.rows))
        c0 = int(rng.integers(0, self.cols - 2))
        c1 = int(rng.integers(c0 + 2, self.cols))
        row = self.boxes[r]
        through = rng.random() < 0.35
        if through:
            y = (row[0][0][1] + row[0][0][3]) / 2 + rng.normal(0, 8)
        elif r + 1 < self.rows:
            y = (row[0][0][3] + self.boxes[r + 1][0][0][1]) / 2 + rng.normal(0, 3)
        else:
            y = row[0][0][3] + 22
        x0 = row[c0][0][0] - rng.uniform(0, 80)
        x1 = row[c1][3][2] + rng.uniform(0, 80)
        slope = rng.normal(0, 0.004)
        pts = np.array([(x, y + (x - x0) * slope + 6 * math.sin((x - x0) / 600 + rng.random())) for x in
                        np.linspace(x0, x1, 40)])
        pen = Pen(self.pen.name.replace("-light", ""), rng)
        pen.width = max(2.5, pen.width * 0.8)
        p = render(rng, pen, [pen_stroke(rng, pen, pts, pressure=0.7)], darkness=pen.dark * 0.7)
        if overlaps(p.rect(), self.zones):
            return
        self.patches.append(p)
        self.stray_cols = [(r, c) for c in range(self.cols) if ink_in([p], [self.boxes[r][c][0][0],
                           self.boxes[r][c][0][1], self.boxes[r][c][3][2], self.boxes[r][c][0][3]]) > 2]
        for rr, cc in self.stray_cols:
            self.crossed.add((rr, cc))
            self.relabel(rr, cc, "stray")

    def note_by_name(self):
        rng = self.rng
        r = int(rng.integers(0, self.rows))
        x0, y0, x1, y1 = self.t["nameArea"][r]
        x = rng.uniform(x1 - 260, x1 - 120)
        y = rng.uniform(y0 + 20, y1 - 20)
        pts = [(x + k * 9 + rng.normal(0, 3), y + 12 * math.sin(k * 1.7) + rng.normal(0, 3)) for k in range(12)]
        pen = self.pen
        p = render(rng, pen, [pen_stroke(rng, pen, np.array(pts), lift=False)])
        if not self.near_boxes(p.rect(), 2 * MM) and not overlaps(p.rect(), self.zones):
            self.patches.append(p)

    def stain(self):
        rng = self.rng
        boxes = self.all_boxes()
        for k in range(10):
            b = boxes[int(rng.integers(0, len(boxes)))]
            cx, cy = b[0] + rng.uniform(-40, 120), b[1] + rng.uniform(-40, 120)
            rad = rng.uniform(9, 22) * MM
            rect = [cx - rad * 1.3, cy - rad * 1.3, cx + rad * 1.3, cy + rad * 1.3]
            if not overlaps(rect, self.zones):
                break
        else:
            return
        s = {"cx": cx, "cy": cy, "r": rad, "ring": rng.uniform(0.1, 0.22), "fill": rng.uniform(0.03, 0.09),
             "seed": int(rng.integers(1 << 30)), "colour": (0.55, 0.36, 0.18)}
        self.stains.append(s)
        hit = set()
        for r in range(self.rows):
            for c in range(self.cols):
                for bx in self.boxes[r][c]:
                    mx, my = (bx[0] + bx[2]) / 2, (bx[1] + bx[3]) / 2
                    if math.hypot(mx - cx, my - cy) < rad * 1.15:
                        hit.add((r, c))
        for r, c in hit:
            self.relabel(r, c, "stain")

    def record(self):
        return {"truth": "".join(self.truth), "markKinds": list(self.kinds), "pen": self.pen.name,
                "habit": self.habit, "template": self.t["file"]}


def make_ballot(templates, seed, i):
    t = templates[i % len(templates)]
    b = Ballot(t, seed, i)
    b.fill()
    b.accidents()
    return b


# ---------------------------------------------------------------------------------------------------------------------
# The paper: the printed form, the voter's ink, stains and folds, in RGB reflectance at 300 dpi.

def stain_field(s, h, w):
    """Darkness field (0..1) of one coffee stain over the whole page, nonzero only near it."""
    r = s["r"]
    rng = np.random.default_rng(s["seed"])
    x0, y0 = int(max(0, s["cx"] - 1.4 * r)), int(max(0, s["cy"] - 1.4 * r))
    x1, y1 = int(min(w, s["cx"] + 1.4 * r)), int(min(h, s["cy"] + 1.4 * r))
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    dx, dy = xx - s["cx"], yy - s["cy"]
    ang = np.arctan2(dy, dx)
    edge = r * (1 + 0.06 * np.sin(3 * ang + rng.random() * 6) + 0.04 * np.sin(7 * ang + rng.random() * 6))
    d = np.hypot(dx, dy) - edge
    inside = np.clip(-d / 4 + 0.5, 0, 1)
    ring = np.exp(-((d + 5) / 5) ** 2)
    f = inside * s["fill"] * (0.7 + 0.3 * np.cos(ang * 2 + rng.random())) + ring * s["ring"]
    return (x0, y0, np.clip(f, 0, 0.35).astype(np.float32))


def paint(ballot):
    """The marked sheet as uint8 RGB (h, w, 3) at 300 dpi: tinted paper, voter ink, stains, folds (all local)."""
    gray = ballot.t["gray"]
    h, w = gray.shape
    tint = np.array([1.0, 0.99, 0.965], np.float32) * ballot.rng.uniform(0.95, 1.0)
    page = np.empty((h, w, 3), np.uint8)
    ramp = np.arange(256, dtype=np.float32)
    for ch in range(3):
        page[:, :, ch] = np.clip(ramp * tint[ch] + 0.5, 0, 255).astype(np.uint8)[gray]

    def times(y0, y1, x0, x1, factor):
        y0, y1, x0, x1 = max(0, y0), min(h, y1), max(0, x0), min(w, x1)
        region = page[y0:y1, x0:x1].astype(np.float32)
        region *= factor
        page[y0:y1, x0:x1] = np.clip(region + 0.5, 0, 255).astype(np.uint8)

    for p in ballot.patches:
        x0, y0, x1, y1 = p.rect()
        ax0, ay0, ax1, ay1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
        a = p.alpha[ay0 - y0:ay1 - y0, ax0 - x0:ax1 - x0, None]
        times(ay0, ay1, ax0, ax1, 1 - a * (1 - p.pen.colour[None, None, :]))
    for s in ballot.stains:
        x0, y0, f = stain_field(s, h, w)
        col = np.array(s["colour"], np.float32)
        times(y0, y0 + f.shape[0], x0, x0 + f.shape[1], 1 - f[:, :, None] * (1 - col[None, None, :]))
    for axis, pos, depth in ballot.folds:
        n = h if axis == "h" else w
        at = int(pos * n)
        u = np.arange(at - 400, at + 400, dtype=np.float32) - at
        # the crease: a thin grey line, and a soft shade on the side turned away from the light
        shade = 1 - depth * 0.3 * np.exp(-(u / 110) ** 2) * (u > 0) - depth * 0.8 * np.exp(-(u / 2.2) ** 2)
        shade = shade.astype(np.float32)
        if axis == "h":
            times(at - 400, at + 400, 0, w, shade[:, None, None])
        else:
            times(0, h, at - 400, at + 400, shade[None, :, None])
    return page


# ---------------------------------------------------------------------------------------------------------------------
# Captures.

def gauss_kernel(sigma):
    """A small Gaussian blur as a PIL convolution (3x3 or 5x5): fast for the sub-pixel blurs of optics."""
    size = 3 if sigma < 0.8 else 5
    x = np.arange(size) - size // 2
    g = np.exp(-x ** 2 / (2 * sigma ** 2))
    k = np.outer(g, g)
    return ImageFilter.Kernel((size, size), (k / k.sum()).flatten().tolist(), scale=1)


def to_jpeg(img, quality):
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=int(quality))
    return buf.getvalue()


def u8(a):
    return Image.fromarray(np.clip(a * 255 + 0.5, 0, 255).astype(np.uint8))


def scan(ballot, page, rng):
    """An office scanner: resolution, slight skew and shift, optics blur, tone curve, noise, JPEG; sometimes colour,
    sometimes "text mode" (binarised; only for pages whose ink is all dark: no pencil, no faint touch)."""
    dpi = pick(rng, [(150, 15), (200, 45), (240, 10), (300, 30)])
    colour = rng.random() < 0.3
    text_mode = not colour and not ballot.pencil and not ballot.faint and rng.random() < 0.45
    h, w = page.shape[:2]
    img = Image.fromarray(page)
    if not colour:
        img = img.convert("L")
    sc = dpi / 300
    W, Hh = int(round(w * sc)), int(round(h * sc))
    if dpi != 300:
        img = img.resize((W, Hh), Image.BOX)
    ang = math.radians(rng.uniform(-0.8, 0.8))
    dx, dy = rng.normal(0, 1.5 * MM * sc), rng.normal(0, 1.5 * MM * sc)
    c, s = math.cos(ang), math.sin(ang)
    cx, cy = W / 2, Hh / 2
    # output (u, v) -> input: rotate about the centre, then shift
    tx = cx - c * (cx + dx) - s * (cy + dy)
    ty = cy + s * (cx + dx) - c * (cy + dy)
    img = img.transform((W, Hh), Image.AFFINE, (c, s, tx, -s, c, ty), Image.BILINEAR,
                        fillcolor=(255, 255, 255) if colour else 255)
    img = img.filter(gauss_kernel(rng.uniform(0.45, 0.78)))
    edge = None
    if rng.random() < 0.15:  # the lid not quite down: a dark fringe along one edge, 1-3 mm (corner squares are at 10)
        edge = ["left", "right", "bottom"][int(rng.integers(0, 3))]
        n = int(rng.uniform(1, 3) * MM * sc)
        ramp = np.linspace(rng.uniform(0.25, 0.5), 1, n, dtype=np.float32)
        a = np.asarray(img, np.float32).copy()
        if edge == "left":
            a[:, :n] *= ramp[None, :, None] if colour else ramp[None, :]
        elif edge == "right":
            a[:, -n:] *= ramp[::-1][None, :, None] if colour else ramp[::-1][None, :]
        else:
            a[-n:] *= ramp[::-1][:, None, None] if colour else ramp[::-1][:, None]
        img = Image.fromarray(a.astype(np.uint8))
    white, black = rng.uniform(0.9, 0.98), rng.uniform(0.06, 0.16)
    gamma = rng.uniform(0.85, 1.15)
    lut = [int(255 * (black + (white - black) * (v / 255) ** gamma) + 0.5) for v in range(256)]
    img = add_noise(img.point(lut * (3 if colour else 1)), rng, rng.uniform(1.5, 4.5))
    if text_mode:
        thr = int(255 * rng.uniform(0.62, 0.72) * white)
        low = int(255 * black * 0.5)
        img = img.point([low if v < thr else 255 for v in range(256)])
    info = {"capture": "scanner", "dpi": dpi, "colour": colour, "textMode": text_mode, "edge": edge,
            "skewDeg": round(math.degrees(ang), 2)}
    return to_jpeg(img, rng.uniform(70, 92)), info


def perspective_coeffs(dst, src):
    """Coefficients for PIL's PERSPECTIVE transform mapping output points dst to input points src."""
    A, B = [], []
    for (u, v), (x, y) in zip(dst, src):
        A.append([u, v, 1, 0, 0, 0, -x * u, -x * v]); B.append(x)
        A.append([0, 0, 0, u, v, 1, -y * u, -y * v]); B.append(y)
    return np.linalg.solve(np.array(A, float), np.array(B, float)).tolist()


def apply_coeffs(k, x, y):
    d = k[6] * x + k[7] * y + 1
    return (k[0] * x + k[1] * y + k[2]) / d, (k[3] * x + k[4] * y + k[5]) / d


def soft_field(rng, shape, cells, amount):
    small = rng.normal(0, amount, (cells[1], cells[0])).astype(np.float32)
    img = Image.fromarray(small, "F").resize((shape[1], shape[0]), Image.BICUBIC)
    return np.asarray(img, np.float32)


_NOISE = {}


def noise_image(rng, size, sigma):
    """Gaussian noise around 128 as an L image: a cut at a random offset of one tile per process, scaled to sigma."""
    if "tile" not in _NOISE:
        random.seed(4242)
        _NOISE["tile"] = Image.effect_noise((3600, 2800), 8)
    tile = _NOISE["tile"]
    W, H = size
    if W > tile.size[0] or H > tile.size[1]:
        tile = tile.resize((max(W, tile.size[0]), max(H, tile.size[1])), Image.NEAREST)
    x, y = int(rng.integers(0, tile.size[0] - W + 1)), int(rng.integers(0, tile.size[1] - H + 1))
    cut = tile.crop((x, y, x + W, y + H))
    k = sigma / 8
    return cut.point([int(min(255, max(0, 128 + (v - 128) * k)) + 0.5) for v in range(256)])


def add_noise(img, rng, sigma):
    n = noise_image(rng, img.size, sigma)
    if img.mode == "RGB":
        n = Image.merge("RGB", (n, n, n))
    return ImageChops.add(img, n, scale=1.0, offset=-128)


def up(field, size):
    return np.asarray(Image.fromarray(field.astype(np.float32), "F").resize(size, Image.BILINEAR))


_PRINTED = {}


def printed_pixels(template):
    if template["file"] not in _PRINTED:
        _PRINTED[template["file"]] = np.nonzero(template["gray"] < 200)
    return _PRINTED[template["file"]]


def photo(ballot, page, rng):
    """A phone photo: the page in perspective on a table, uneven coloured light, sometimes a soft shadow (kept off the
    corner squares and the code strip), moire from the printed lines, defocus or slight motion blur, noise,
    sharpening, JPEG."""
    h, w = page.shape[:2]
    arr = page
    if rng.random() < 0.6:  # moire: the printer's fine screen on printed lines, aliased by the camera's resampling
        yy, xx = printed_pixels(ballot.t)
        period, ang = rng.uniform(2.1, 3.2), rng.uniform(0, math.pi)
        wave = np.cos((2 * np.pi / period) * (xx * math.cos(ang) + yy * math.sin(ang))).astype(np.float32)
        lift = (rng.uniform(0.04, 0.1) * (1 + wave))[:, None]
        arr = page.copy()
        v = arr[yy, xx].astype(np.float32)
        arr[yy, xx] = (v + (255 - v) * lift).astype(np.uint8)
    img = Image.fromarray(arr)
    W = int(pick(rng, [(2339, 40), (2800, 35), (3264, 25)]))
    Hh = int(W * pick(rng, [(0.75, 60), (0.707, 40)]))
    for attempt in range(20):  # the whole page in the frame, with a margin of table around it
        fill = rng.uniform(0.8, 0.93) if attempt < 10 else 0.8
        pw = W * fill
        ph = pw * h / w
        if ph > Hh * 0.93:
            ph = Hh * 0.93
            pw = ph * w / h
        cx, cy = W / 2 + rng.normal(0, W * 0.012), Hh / 2 + rng.normal(0, Hh * 0.012)
        rot = math.radians(rng.uniform(-3, 3))
        corners = []
        for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
            x, y = sx * pw / 2, sy * ph / 2
            x, y = x * math.cos(rot) - y * math.sin(rot), x * math.sin(rot) + y * math.cos(rot)
            corners.append((cx + x + rng.normal(0, W * 0.01), cy + y + rng.normal(0, Hh * 0.01)))
        k = rng.uniform(0, 0.04)  # keystone: the far edge shorter
        if rng.random() < 0.5:
            corners[0] = (corners[0][0] + k * pw, corners[0][1]); corners[1] = (corners[1][0] - k * pw, corners[1][1])
        if all(0.01 * W < x < 0.99 * W and 0.01 * Hh < y < 0.99 * Hh for x, y in corners):
            break
    coeffs = perspective_coeffs(corners, [(0, 0), (w, 0), (w, h), (0, h)])
    forward = perspective_coeffs([(0, 0), (w, 0), (w, h), (0, h)], corners)
    # defocus: the camera resolves less than its pixels; drawn at a lower resolution and scaled up
    soften = rng.uniform(1.15, 1.7)
    w2, h2 = int(W / soften), int(Hh / soften)
    k2 = [coeffs[0] * soften, coeffs[1] * soften, coeffs[2], coeffs[3] * soften, coeffs[4] * soften, coeffs[5],
          coeffs[6] * soften, coeffs[7] * soften]
    warped = img.transform((w2, h2), Image.PERSPECTIVE, k2, Image.BILINEAR).resize((W, Hh), Image.BICUBIC)
    mask = Image.new("L", (w // 4, h // 4), 255).transform(
        (W, Hh), Image.PERSPECTIVE, [coeffs[0] / 4, coeffs[1] / 4, coeffs[2] / 4, coeffs[3] / 4, coeffs[4] / 4,
                                     coeffs[5] / 4, coeffs[6], coeffs[7]], Image.BILINEAR)
    sw, sh = W // 8, Hh // 8
    tcol = np.array(pick(rng, [((0.45, 0.33, 0.22), 40), ((0.55, 0.55, 0.55), 30), ((0.25, 0.25, 0.28), 30)]),
                    np.float32)
    bg = np.clip(tcol[None, None, :] * (1 + soft_field(rng, (sh, sw), (6, 5), 0.15))[:, :, None], 0, 1)
    bg = Image.fromarray((bg * 255).astype(np.uint8)).resize((W, Hh), Image.BILINEAR)
    frame = Image.composite(warped, bg, mask)
    # light: uneven and coloured, a soft shadow from one side, at 1/8 and scaled up
    light = 1 + soft_field(rng, (sh, sw), (4, 3), 0.07)
    gx = np.linspace(-1, 1, sw, dtype=np.float32)[None, :]
    gy = np.linspace(-1, 1, sh, dtype=np.float32)[:, None]
    light = light * (1 + rng.uniform(-0.12, 0.12) * gx + rng.uniform(-0.12, 0.12) * gy)
    shadow = None
    if rng.random() < 0.4:
        # a soft shadow: a blob (the phone or a hand held over the table) kept off every printed square, or a band
        # from one edge of the frame, light (at most 22 %), kept off the page-code strip (it may darken a corner)
        def at(s):
            return apply_coeffs(forward, (s[0] + s[2]) / 2, (s[1] + s[3]) / 2)
        strip = [at(s) for s in ballot.t["solids"] if s[2] - s[0] < 60]
        squares = [at(s) for s in ballot.t["solids"]]
        yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
        boxes = [b for row in ballot.t["boxes"] for col in row for b in col]
        for _ in range(8):
            if rng.random() < 0.6:
                bx = boxes[int(rng.integers(len(boxes)))]
                cx8, cy8 = [v / 8 for v in at(bx)]
                rx, ry = rng.uniform(0.1, 0.22) * sw, rng.uniform(0.1, 0.22) * sw
                d = np.sqrt(((xx - cx8) / rx) ** 2 + ((yy - cy8) / ry) ** 2)
                f = np.clip((1 - d) / rng.uniform(0.3, 0.6), 0, 1)
                depth, keep, kind = rng.uniform(0.12, 0.3), squares, "blob"
            else:
                side = int(rng.integers(0, 3))
                edge, soft = rng.uniform(0.12, 0.3), rng.uniform(0.03, 0.08)
                u = [xx / sw, 1 - xx / sw, yy / sh][side]
                f = np.clip((edge - (1 - u)) / soft + 0.5, 0, 1)
                depth, keep, kind = rng.uniform(0.1, 0.22), strip, ["right", "left", "bottom"][side]
            near = [f[max(0, min(sh - 1, int(y / 8) + dy)), max(0, min(sw - 1, int(x / 8) + dx))]
                    for x, y in keep for dx in (-8, 0, 8) for dy in (-8, 0, 8)]
            if not near or max(near) < 0.03:
                light = light * (1 - depth * f)
                shadow = kind
                break
    cast = np.array(pick(rng, [((1.0, 0.95, 0.85), 45), ((0.93, 0.97, 1.0), 25), ((1.0, 1.0, 0.97), 30)]), np.float32)
    light = light * rng.uniform(0.8, 0.96)
    blur = round(soften, 2)
    if rng.random() < 0.15:
        kern = np.zeros((5, 5)); ang = rng.uniform(0, math.pi)
        for t in np.linspace(-2, 2, 9):
            kern[int(round(2 + t * math.sin(ang))), int(round(2 + t * math.cos(ang)))] += 1
        frame = frame.filter(ImageFilter.Kernel((5, 5), kern.flatten().tolist(), scale=kern.sum()))
        blur = f"motion+{blur}"
    lit = np.clip(light[:, :, None] * cast * 255, 0, 255).astype(np.uint8)
    frame = ImageChops.multiply(frame, Image.fromarray(lit).resize((W, Hh), Image.BILINEAR))
    out = add_noise(frame, rng, rng.uniform(2, 5.5))
    if rng.random() < 0.45:
        a = rng.uniform(0.15, 0.4)  # the phone's sharpening
        out = out.filter(ImageFilter.Kernel((3, 3), [0, -a, 0, -a, 1 + 4 * a, -a, 0, -a, 0], scale=1))
    info = {"capture": "phone", "size": [W, Hh], "blur": blur, "shadow": shadow}
    return to_jpeg(out, rng.uniform(60, 88)), info


# ---------------------------------------------------------------------------------------------------------------------
# Pages.

def make_one(job):
    folder, seed, i, kinds = job
    templates = H.templates_from(folder)
    ballot = make_ballot(templates, seed, i)
    page = paint(ballot)
    out = []
    for kind in kinds:
        rng = np.random.default_rng([seed, i, 1 if kind == "scanner" else 2])
        data, info = (scan if kind == "scanner" else photo)(ballot, page, rng)
        out.append({"file": f"{kind}-{i:04d}.jpg", "kind": kind, "page": i, **ballot.record(), "capture": info,
                    "jpeg": data})
    return out


def make_pages(templates_dir, n, seed=DEFAULT_SEED, kind="both", workers=None):
    """n pages of capture `kind` ("scanner" or "phone"), or with "both" the n scanner pages then the n phone pages of
    the same ballots (each ballot drawn once). A page is the same whichever way it is asked for."""
    kinds = ("scanner", "phone") if kind == "both" else (kind,)
    jobs = [(templates_dir, seed, i, kinds) for i in range(n)]
    workers = workers or 1
    H.templates_from(templates_dir)  # loaded once, before any fork
    if workers <= 1 or n < 2:
        made = [make_one(j) for j in jobs]
    else:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            made = pool.map(make_one, jobs, chunksize=1)
    return [pages[k] for k in range(len(kinds)) for pages in made]


# ---------------------------------------------------------------------------------------------------------------------
# Self-check.

def audit(ballot):
    """Problems with the truth of a ballot, judged from the voter ink laid (list of strings)."""
    problems = []
    for r in range(ballot.rows):
        for c in range(ballot.cols):
            t = ballot.truth[r * ballot.cols + c]
            kind = ballot.kinds[r * ballot.cols + c]
            voter = ballot.patches
            ink = ballot.column_ink(voter, r, c)
            cover = ballot.column_cover(voter, r, c)
            clear = [g for g, v in enumerate(cover) if v >= CLEAR]
            some = [g for g, v in enumerate(cover) if v > LEAK]
            where = f"row {r} col {c} truth {t} kind {kind} cover {[round(v) for v in cover]} ink {[round(v) for v in ink]}"
            if (r, c) in ballot.crossed:
                continue  # a stray line through the boxes: judged by eye (the debug overlay)
            if t in "1234":
                if clear != [int(t) - 1] or len(some) != 1:
                    problems.append(where)
            elif t == "X":
                if len(clear) < 2:
                    problems.append(where)
            elif t == "0":
                if some:
                    problems.append(where)
            elif t == "?":
                if kind == "hesitant" and (len(some) != 1 or max(ink) > FAINT[1] + 1):
                    problems.append(where)
                if kind == "crossed-out" and len(clear) < 2:
                    problems.append(where)
                if kind == "between" and (len(clear) != 2 or min(cover) > LEAK):
                    problems.append(where)
    for p in ballot.patches:
        if overlaps(p.rect(), ballot.zones):
            problems.append(f"ink in a keep-out zone at {p.rect()}")
    return problems


def debug_overlay(ballot, page):
    img = Image.fromarray(page)
    d = ImageDraw.Draw(img)
    try:
        font = ImageFont.load_default(size=30)
    except TypeError:
        font = ImageFont.load_default()
    for r in range(ballot.rows):
        for c in range(ballot.cols):
            col = ballot.boxes[r][c]
            t = ballot.truth[r * ballot.cols + c]
            k = ballot.kinds[r * ballot.cols + c]
            colour = {"?": (230, 120, 0), "X": (200, 0, 200), "0": (0, 150, 0)}.get(t, (220, 0, 0))
            d.text((col[0][0], col[0][3] + 4), f"{t} {k}", fill=colour, font=font)
    for z in ballot.zones:
        d.rectangle(z, outline=(0, 120, 255), width=2)
    return img


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--templates", default=TEMPLATES)
    ap.add_argument("--pages", type=int, default=50)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--debug", help="write truth overlays and captured pages here")
    args = ap.parse_args()
    templates = H.templates_from(args.templates)
    start = time.time()
    pages = make_pages(args.templates, args.pages, args.seed, "both", workers=args.workers)
    took = time.time() - start
    print(f"made {len(pages)} pages in {took:.1f} s: {len(pages) / took:.2f} pages/s with {args.workers} workers")
    problems = 0
    kinds, truths = Counter(), Counter()
    for i in range(args.pages):
        b = make_ballot(templates, args.seed, i)
        for line in audit(b):
            problems += 1
            print(f"page {i}: {line}")
        kinds.update(b.kinds)
        truths.update(b.truth)
        if args.debug and i < 8:
            os.makedirs(args.debug, exist_ok=True)
            debug_overlay(b, paint(b)).save(os.path.join(args.debug, f"truth-{i:04d}.png"))
    if args.debug:
        for p in pages:
            if p["page"] < 8:
                with open(os.path.join(args.debug, p["file"]), "wb") as fh:
                    fh.write(p["jpeg"])
    total = sum(kinds.values())
    print("kinds: " + ", ".join(f"{k} {100 * v / total:.1f}%" for k, v in kinds.most_common()))
    print("truth: " + ", ".join(f"{k} {100 * v / total:.1f}%" for k, v in sorted(truths.items())))
    print("captures: " + ", ".join(f"{k}:{v}" for k, v in Counter(
        (p["kind"], p["capture"].get("dpi"), p["capture"].get("textMode")) for p in pages).most_common()))
    print(f"audit problems: {problems}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
