"""A second held-out generator of paper-ballot pages, written from the printed forms alone.

Written without reading the server's reader, the e2e page generator (e2e/omr_pages.py) or the marks, pens, stains and
captures of bench/omr_heldout.py: from that file it reuses only the plumbing (printing a round's templates and
finding the boxes on the printed page: print_round, templates_from, find_layout, as_upload). Everything laid on the
paper and every capture is drawn here, by other hands: strokes are rendered from a distance field (not a brush
stamp), each voter has one pen and one habit for the whole page, and the scanners and phones are models of their own.

What a voter does, per column (the form's printed rule: 在所选等次下的方框内画"○", 不选视为弃权, 一栏选两项以上该栏无效):
  circles of every size (tiny, ordinary, larger than the box, open, double-traced, ellipses), ticks (short, long and
  reaching out of the box, mirrored as some left-handers draw them), crosses, filled boxes, slashes, marks over the
  box's edge and, on the first row, up over the printed grade label; pens: ballpoint (black, blue, red), gel and thin
  gel, felt-tip (bleeding), pencil HB/H/2H at low pressure with graphite grain. Also two or more boxes marked (void),
  a choice cancelled and another made, hesitant marks (a faint touch; a circle midway between two boxes), blanks.
Around the marks: stray lines across rows, pen-rest dots, notes by the names, coffee and water stains, folds and
creases, paper tint. Captures: office scanners (200 dpi gray with auto-contrast, 300 dpi colour, 200 dpi "text mode"
binarised, a sheet feeder with a dust streak; all with mild skew and JPEG) and phone photos (perspective, uneven light,
the shadow of a hand or phone, motion blur, defocus, moiré from a laser print, noise, sharpening, JPEG 60-90). Every
capture is kept at a severity where a person still reads the page easily.

Truth per column, row-major: '0' no mark, '1'..'4' the box marked (好 较好 一般 差), 'X' two or more boxes marked,
'?' a person would hesitate and must decide. Decisions documented here:
  - a cancelled choice (a mark in one box struck through, scribbled over or crossed out heavily) with one other clear
    mark: '?'. The printed rule gives no way to correct a choice, so whether the cancelled box still counts as
    "selected" (void) or not (the new grade) is a question of the rules for the tellers, not something a careful
    reader decides alone; the outside test's sample (scanner-sheet-074, row 2, last column) reads the same.
  - a faint touch in one box (a short light stroke or dot, as if the pen rested) and a circle centred between two
    boxes: '?'.
  - a stray line crossing several columns, a dot outside the boxes, a stain, a fold: not marks; the column keeps its
    truth. Nothing is drawn near the corner squares and the code squares (the form asks voters not to write there).
markKinds per column: blank, the mark's shape for ballpoint and gel (circle, small-circle, big-circle, open-circle,
double-circle, ellipse, tick, long-tick, left-tick, cross, filled, slash, over-edge, over-label), pencil-<circle|tick|
other>, felt-<circle|tick|other>, gel-thin-<...>, two-marks, crossed-out, hesitant-light, hesitant-between.

  python3 bench/omr_heldout2.py print --out DIR          templates of a throwaway round (as bench/omr_heldout.py print)
  python3 bench/omr_heldout2.py make --templates DIR --out DIR --pages N --seed S --kind scanner|phone|both
  python3 bench/omr_heldout2.py check --templates DIR --pages N --seed S
      audits the truth of N ballots against the ink laid (before capture): a '1'..'4' column has clear ink inside
      exactly that box, 'X' in two or more, '0' none, '?' as its variant says; and that no voter ink is near the
      printed squares.
Python API: make_pages(templates_dir, n, seed, kind, workers=None) -> [dict with "truth", "markKinds", "jpeg", …];
kind "scanner", "phone", or "both" (the n scanner pages then the n phone pages, each ballot drawn once). With one
seed, page i of the scanner set and of the phone set are the same ballot. Default seed 7000 (bench/omr.py's
held-out-2 set)."""
import argparse
import io
import json
import math
import multiprocessing
import os
import random
import sys

import numpy as np
from PIL import Image, ImageFilter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))

import omr_heldout as H  # noqa: E402  (plumbing only: templates, box finding, upload format)

DPI = 300
MM = DPI / 25.4
DEFAULT_SEED = 7000
as_upload = H.as_upload


# ---------------------------------------------------------------------------------------------------------------------
# Pens. Rendering: each stroke is a polyline with a width and an ink amount per point; its coverage is the distance of
# every pixel to the nearest segment, with a one-pixel soft edge. A mark is a patch of ink amount (0..1) and a colour.

PENS = {
    #             colour (RGB reflectance of full ink), width mm, ink amount, family
    "ballpoint-black": ((0.16, 0.16, 0.20), (0.35, 0.55), (0.72, 0.95), "ballpoint"),
    "ballpoint-blue": ((0.14, 0.22, 0.62), (0.35, 0.55), (0.70, 0.92), "ballpoint"),
    "ballpoint-red": ((0.78, 0.16, 0.16), (0.35, 0.55), (0.75, 0.92), "ballpoint"),
    "gel-black": ((0.06, 0.06, 0.08), (0.45, 0.70), (0.92, 0.98), "gel"),
    "gel-blue": ((0.10, 0.14, 0.55), (0.45, 0.70), (0.90, 0.97), "gel"),
    "gel-thin": ((0.08, 0.08, 0.12), (0.22, 0.32), (0.85, 0.95), "gel-thin"),
    "felt-black": ((0.10, 0.10, 0.12), (0.9, 1.5), (0.85, 0.97), "felt"),
    "felt-blue": ((0.12, 0.18, 0.50), (0.9, 1.5), (0.85, 0.95), "felt"),
    "pencil-HB": ((0.30, 0.30, 0.33), (0.5, 0.8), (0.55, 0.72), "pencil"),
    "pencil-H": ((0.33, 0.33, 0.36), (0.45, 0.7), (0.5, 0.62), "pencil"),
    "pencil-2H": ((0.36, 0.36, 0.40), (0.4, 0.6), (0.45, 0.55), "pencil"),
}
VOTER_PENS = [("ballpoint-black", 28), ("ballpoint-blue", 24), ("ballpoint-red", 2), ("gel-black", 9),
              ("gel-blue", 5), ("gel-thin", 6), ("felt-black", 4), ("felt-blue", 2), ("pencil-HB", 9),
              ("pencil-H", 6), ("pencil-2H", 5)]
HABITS = [("circle", 64), ("tick", 20), ("cross", 5), ("filled", 4), ("slash", 3), ("mixed", 4)]


def pick(rng, table):
    total = sum(w for _, w in table)
    x = rng.uniform(0, total)
    for name, w in table:
        x -= w
        if x <= 0:
            return name
    return table[-1][0]


class Pen:
    def __init__(self, name, rng, pressure=1.0):
        colour, width, amount, family = PENS[name]
        self.name, self.family = name, family
        self.colour = np.array(colour, np.float32)
        self.width = rng.uniform(*width) * MM
        self.amount = min(1.0, rng.uniform(*amount) * pressure)

    def faint(self, factor):
        p = Pen.__new__(Pen)
        p.__dict__.update(self.__dict__)
        p.amount = self.amount * factor
        return p


def smooth_noise(rng, n, scale, terms=3):
    """Slow random wobble along a stroke of n points."""
    t = np.linspace(0, 1, n)
    out = np.zeros(n)
    for k in range(1, terms + 1):
        out += rng.gauss(0, 1) / k * np.sin(2 * np.pi * (k * t * rng.uniform(0.6, 1.4)) + rng.uniform(0, 6.3))
    return out * scale


def resample(pts, step=2.5):
    pts = np.asarray(pts, np.float64)
    seg = np.hypot(*np.diff(pts, axis=0).T)
    s = np.concatenate([[0], np.cumsum(seg)])
    if s[-1] < step:
        return pts
    u = np.arange(0, s[-1], step)
    return np.stack([np.interp(u, s, pts[:, 0]), np.interp(u, s, pts[:, 1])], axis=1)


def stroke(rng, pen, pts, lift=True):
    """(points, widths, ink) of one stroke: pressure rises at the start and falls at a lifted end; a ballpoint skips."""
    pts = resample(pts)
    n = len(pts)
    ink = np.full(n, pen.amount)
    width = np.full(n, pen.width)
    ramp = max(2, min(n // 4, 6))
    ink[:ramp] *= np.linspace(0.55, 1, ramp)
    if lift:
        ink[-ramp:] *= np.linspace(1, 0.45, ramp)
        width[-ramp:] *= np.linspace(1, 0.7, ramp)
    if pen.family == "ballpoint":  # uneven flow: lighter stretches and a few skips
        ink *= np.clip(1 + smooth_noise(rng, n, 0.12, 4), 0.6, 1.1)
        for _ in range(rng.randint(0, 2)):
            k = rng.randrange(n)
            ink[k:k + rng.randint(1, 3)] *= rng.uniform(0.25, 0.6)
    elif pen.family == "pencil":  # pressure changes a lot along a pencil line
        ink *= np.clip(1 + smooth_noise(rng, n, 0.2, 3), 0.55, 1.2)
        width *= np.clip(1 + smooth_noise(rng, n, 0.15, 2), 0.7, 1.3)
    return pts, width, np.clip(ink, 0, 1)


def render(strokes, pad=6):
    """Coverage patch of a list of strokes: (x0, y0, array) in page pixels, ink amount combined by max."""
    allp = np.concatenate([s[0] for s in strokes])
    wmax = max(float(s[1].max()) for s in strokes)
    x0 = int(math.floor(allp[:, 0].min() - wmax - pad))
    y0 = int(math.floor(allp[:, 1].min() - wmax - pad))
    x1 = int(math.ceil(allp[:, 0].max() + wmax + pad))
    y1 = int(math.ceil(allp[:, 1].max() + wmax + pad))
    out = np.zeros((y1 - y0, x1 - x0), np.float32)
    for pts, width, ink in strokes:
        if len(pts) == 1:
            pts = np.concatenate([pts, pts + 0.01])
            width, ink = np.repeat(width, 2), np.repeat(ink, 2)
        for a in range(0, len(pts) - 1, 24):  # pieces of up to 24 segments, each on its own small window
            p = pts[a:a + 25]
            w = width[a:a + 25]
            k = ink[a:a + 25]
            r = float(w.max()) / 2 + 2
            px0 = max(x0, int(p[:, 0].min() - r)); px1 = min(x1, int(p[:, 0].max() + r) + 1)
            py0 = max(y0, int(p[:, 1].min() - r)); py1 = min(y1, int(p[:, 1].max() + r) + 1)
            ys, xs = np.mgrid[py0:py1, px0:px1].astype(np.float32)
            ys += 0.5; xs += 0.5
            A = p[:-1].astype(np.float32); B = p[1:].astype(np.float32)
            d = B - A
            L2 = np.maximum((d ** 2).sum(1), 1e-6)
            t = ((xs[None] - A[:, 0, None, None]) * d[:, 0, None, None]
                 + (ys[None] - A[:, 1, None, None]) * d[:, 1, None, None]) / L2[:, None, None]
            t = np.clip(t, 0, 1)
            dist = np.hypot(xs[None] - (A[:, 0, None, None] + t * d[:, 0, None, None]),
                            ys[None] - (A[:, 1, None, None] + t * d[:, 1, None, None]))
            half = ((w[:-1, None, None] * (1 - t) + w[1:, None, None] * t) / 2).astype(np.float32)
            amt = (k[:-1, None, None] * (1 - t) + k[1:, None, None] * t).astype(np.float32)
            cov = np.clip(half - dist + 0.5, 0, 1) * amt
            win = out[py0 - y0:py1 - y0, px0 - x0:px1 - x0]
            np.maximum(win, cov.max(0), out=win)
    return x0, y0, out


class Mark:
    """Ink laid by one pen: a coverage patch at (x0, y0); `role` says whose ink it is (voter, noise)."""

    def __init__(self, pen, strokes, rng, role="voter", column=None, grain=None):
        self.pen, self.role, self.column = pen, role, column
        self.x0, self.y0, cov = render(strokes, pad=int(pen.width) + 8)
        if pen.family == "felt":  # ink wicks into the paper: a soft, slightly wider edge with fibres
            blurred = np.asarray(Image.fromarray((cov * 255).astype(np.uint8)).filter(
                ImageFilter.GaussianBlur(rng.uniform(1.0, 2.2))), np.float32) / 255
            fibres = 1 + 0.25 * (np.asarray(Image.fromarray(np.random.default_rng(rng.randrange(1 << 30)).integers(
                0, 255, cov.shape, dtype=np.uint8)).filter(ImageFilter.BoxBlur(1)), np.float32) / 255 - 0.5)
            cov = np.maximum(cov, np.clip(blurred * 1.35 * fibres, 0, 1) * pen.amount)
        elif pen.family == "pencil" and grain is not None:  # graphite only catches the tops of the paper's tooth
            g = grain[self.y0 % 64:, self.x0 % 64:]
            reps = (cov.shape[0] // 64 + 2, cov.shape[1] // 64 + 2)
            g = np.tile(grain, reps)[self.y0 % 64:self.y0 % 64 + cov.shape[0], self.x0 % 64:self.x0 % 64 + cov.shape[1]]
            cov = cov * g
        self.cov = cov.astype(np.float32)


# ---------------------------------------------------------------------------------------------------------------------
# Shapes, in page pixels around a box (x0, y0, x1, y1).

def geom(box):
    x0, y0, x1, y1 = box
    return (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0 + y1 - y0) / 2


def loop(rng, cx, cy, rx, ry, turns=1.0, start=None, clockwise=None, tilt=None, drift=0.0):
    start = rng.uniform(0, 2 * np.pi) if start is None else start
    sign = -1 if (clockwise if clockwise is not None else rng.random() < 0.25) else 1
    tilt = rng.uniform(-0.5, 0.5) if tilt is None else tilt
    n = max(24, int(turns * 2 * np.pi * max(rx, ry) / 2.5))
    th = start + sign * np.linspace(0, turns * 2 * np.pi, n)
    wob = 1 + smooth_noise(rng, n, 0.035, 3)
    grow = 1 + drift * np.linspace(-0.5, 0.5, n)
    x = rx * wob * grow * np.cos(th)
    y = ry * wob * grow * np.sin(th)
    c, s = math.cos(tilt), math.sin(tilt)
    return np.stack([cx + c * x - s * y, cy + s * x + c * y], axis=1)


def line(rng, a, b, bow=0.04):
    a, b = np.asarray(a, float), np.asarray(b, float)
    n = max(4, int(np.hypot(*(b - a)) / 2.5))
    t = np.linspace(0, 1, n)[:, None]
    normal = np.array([-(b - a)[1], (b - a)[0]])
    bend = rng.uniform(-bow, bow) * np.sin(np.pi * t) + smooth_noise(rng, n, 0.006, 2)[:, None]
    return a + (b - a) * t + normal * bend


def circle_strokes(rng, pen, box, variant):
    cx, cy, s = geom(box)
    size = {"circle": (0.62, 0.95), "small-circle": (0.3, 0.5), "big-circle": (1.02, 1.1),
            "open-circle": (0.6, 0.95), "double-circle": (0.6, 0.95), "ellipse": (0.6, 0.9)}[variant]
    d = rng.uniform(*size) * s
    if variant == "big-circle":  # round the box, not over the next one: the outer edge of the line stays in the gap
        d = min(d, 1.08 * s - pen.width)  # the printed gap is about a quarter of a box
    rx = ry = d / 2
    if variant == "ellipse":
        rx, ry = (rx * rng.uniform(1.05, 1.2), ry * rng.uniform(0.55, 0.75))
        if rng.random() < 0.4:
            rx, ry = ry, rx
    elif variant != "big-circle":
        rx *= rng.uniform(0.92, 1.08)
    jitter = 0.07 * s if variant != "big-circle" else 0.02 * s
    cx += rng.uniform(-jitter, jitter); cy += rng.uniform(-jitter, jitter)
    if variant == "open-circle":
        turns = rng.uniform(0.68, 0.86)
    elif variant == "double-circle":
        turns = rng.uniform(1.7, 2.3)
    else:
        turns = rng.uniform(0.95, 1.15)
    pts = loop(rng, cx, cy, rx, ry, turns=turns, drift=rng.uniform(0, 0.12 if variant != "double-circle" else 0.2))
    return [stroke(rng, pen, pts)]


def tick_strokes(rng, pen, box, variant):
    """A tick with its vertex low in the box. A long tick's arm reaches up out of the box, over its top edge, but never
    sideways past the box's own edge by more than a tenth of a box (so not towards the next box of the column)."""
    x0, _, x1, _ = box
    cx, cy, s = geom(box)
    for attempt in range(30):
        vx, vy = cx + rng.uniform(-0.15, 0.1) * s, cy + rng.uniform(0.05, 0.28) * s
        short = rng.uniform(0.16, 0.3) * s
        long_ = rng.uniform(0.38, 0.6) * s if variant != "long-tick" else rng.uniform(0.8, 1.2) * s
        a1 = math.radians(rng.uniform(25, 60))  # short arm comes down from the upper left
        a2 = math.radians(rng.uniform(45, 72) if variant != "long-tick" else rng.uniform(62, 80))  # long arm: up right
        spin = math.radians(rng.uniform(-15, 15))
        p_start = np.array([vx - short * math.cos(a1), vy - short * math.sin(a1)])
        p_end = np.array([vx + long_ * math.cos(a2), vy - long_ * math.sin(a2)])
        if variant == "long-tick":  # the end in the gap above the row, not in the row above
            p_end[1] = max(p_end[1], box[1] - 0.3 * s)
        pts = np.concatenate([line(rng, p_start, (vx, vy), 0.05), line(rng, (vx, vy), p_end, 0.06)[1:]])
        if variant == "left-tick":  # mirrored, as some left-handers draw it
            pts[:, 0] = 2 * cx - pts[:, 0]
        c, s_ = math.cos(spin), math.sin(spin)
        rel = pts - [cx, cy]
        pts = np.stack([cx + c * rel[:, 0] - s_ * rel[:, 1], cy + s_ * rel[:, 0] + c * rel[:, 1]], axis=1)
        margin = 0.1 * s + pen.width / 2
        if pts[:, 0].min() >= x0 - margin and pts[:, 0].max() <= x1 + margin:
            break
    return [stroke(rng, pen, pts)]


def cross_strokes(rng, pen, box):
    cx, cy, s = geom(box)
    h = rng.uniform(0.25, 0.5) * s
    j = lambda: rng.uniform(-0.06, 0.06) * s  # noqa: E731
    return [stroke(rng, pen, line(rng, (cx - h + j(), cy - h + j()), (cx + h + j(), cy + h + j()))),
            stroke(rng, pen, line(rng, (cx + h + j(), cy - h + j()), (cx - h + j(), cy + h + j())))]


def slash_strokes(rng, pen, box):
    cx, cy, s = geom(box)
    h = rng.uniform(0.3, 0.55) * s
    sgn = 1 if rng.random() < 0.8 else -1
    return [stroke(rng, pen, line(rng, (cx - sgn * h * 0.8, cy + h), (cx + sgn * h * 0.8, cy - h)))]


def fill_strokes(rng, pen, box):
    """Back-and-forth hatching that blackens most of the box."""
    cx, cy, s = geom(box)
    m = rng.uniform(0.3, 0.46) * s
    step = max(pen.width * rng.uniform(0.7, 1.2), 3.0)
    ys = np.arange(cy - m, cy + m, step)
    pts = []
    for k, y in enumerate(ys):
        xa, xb = cx - m + rng.uniform(-3, 3), cx + m + rng.uniform(-3, 3)
        pts.append((xa, y) if k % 2 == 0 else (xb, y))
        pts.append((xb, y + step / 2) if k % 2 == 0 else (xa, y + step / 2))
    return [stroke(rng, pen, np.array(pts, float), lift=False)]


def shape_strokes(rng, pen, box, shape):
    if shape in ("circle", "small-circle", "big-circle", "open-circle", "double-circle", "ellipse"):
        return circle_strokes(rng, pen, box, shape)
    if shape in ("tick", "long-tick", "left-tick"):
        return tick_strokes(rng, pen, box, shape)
    if shape == "cross":
        return cross_strokes(rng, pen, box)
    if shape == "slash":
        return slash_strokes(rng, pen, box)
    if shape == "filled":
        return fill_strokes(rng, pen, box)
    raise ValueError(shape)


def over_edge_strokes(rng, pen, box, top_row, grade):
    """A circle pushed up, down or outward over the box's edge (never towards a neighbouring box of its column), or on
    the first row a tall loop reaching up over the printed grade label."""
    cx, cy, s = geom(box)
    if top_row and rng.random() < 0.5:
        # around the label and the box together: from above the label down to the box's bottom
        top, bottom = box[1] - 0.95 * s, box[3] + rng.uniform(0.0, 0.12) * s
        pts = loop(rng, cx, (top + bottom) / 2, rng.uniform(0.42, 0.5) * s, (bottom - top) / 2, tilt=rng.uniform(-0.08, 0.08),
                   turns=rng.uniform(0.97, 1.1), drift=0.05)
        return [stroke(rng, pen, pts)], "over-label"
    outward = [(0, -1), (0, 1)] + ([(-1, 0)] if grade == 0 else []) + ([(1, 0)] if grade == 3 else [])
    dx, dy = outward[rng.randrange(len(outward))]
    # sideways (out of the column) only a little: the gap to the next column is about half a box
    off = rng.uniform(0.25, 0.38) * s if dx == 0 else rng.uniform(0.1, 0.18) * s
    d = rng.uniform(0.75, 1.0) * s
    pts = loop(rng, cx + dx * off, cy + dy * off, d / 2, d / 2 * rng.uniform(0.9, 1.1), turns=rng.uniform(0.97, 1.12))
    return [stroke(rng, pen, pts)], "over-edge"


def cancel_strokes(rng, pen, box):
    """How a voter cancels a choice: scribbled over, struck through twice, or a big cross over the mark."""
    cx, cy, s = geom(box)
    how = rng.choice(["scribble", "strike", "big-cross"])
    if how == "scribble":
        m = 0.5 * s
        pts, k = [], 0
        for y in np.arange(cy - m, cy + m, max(pen.width * 1.3, 4)):
            x = cx - m if k % 2 == 0 else cx + m
            pts.append((x + rng.uniform(-4, 4), y - (x - cx) * 0.5))
            k += 1
        return [stroke(rng, pen, np.array(pts), lift=False)], how
    if how == "strike":
        out = []
        for k in range(rng.randint(2, 3)):
            y = cy + (k - 1) * 0.18 * s + rng.uniform(-3, 3)
            out.append(stroke(rng, pen, line(rng, (cx - 0.56 * s, y + 0.12 * s), (cx + 0.56 * s, y - 0.12 * s), 0.02)))
        return out, how
    h = 0.53 * s
    return [stroke(rng, pen, line(rng, (cx - h, cy - h), (cx + h, cy + h))),
            stroke(rng, pen, line(rng, (cx + h, cy - h), (cx - h, cy + h)))], how


# ---------------------------------------------------------------------------------------------------------------------
# A ballot: the voter's plan per column, the ink, the paper.

COLUMN_PLAN = [("mark", 76), ("blank", 9), ("two-marks", 6), ("crossed-out", 3), ("hesitant-light", 3),
               ("hesitant-between", 3)]
SHAPES_BY_HABIT = {
    "circle": [("circle", 62), ("small-circle", 9), ("big-circle", 8), ("open-circle", 8), ("double-circle", 5),
               ("ellipse", 6), ("over-edge", 7)],
    "tick": [("tick", 60), ("long-tick", 25), ("left-tick", 15)],
    "cross": [("cross", 90), ("circle", 10)],
    "filled": [("filled", 85), ("circle", 15)],
    "slash": [("slash", 90), ("tick", 10)],
    "mixed": [("circle", 40), ("tick", 25), ("cross", 15), ("filled", 10), ("slash", 10)],
}


def kind_label(pen, shape):
    fam = pen.family
    if fam in ("pencil", "felt", "gel-thin"):
        group = "circle" if "circle" in shape or shape in ("ellipse", "over-edge", "over-label") else \
            "tick" if "tick" in shape else "other"
        return f"{fam}-{group}"
    return shape


def grain_tile(rng):
    """The paper's tooth as graphite finds it: a 64x64 tile of 0.25..1."""
    g = np.random.default_rng(rng.randrange(1 << 30)).random((64, 64)).astype(np.float32)
    g = np.asarray(Image.fromarray((g * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.8)), np.float32) / 255
    g = (g - g.mean()) / (g.std() + 1e-6)
    return np.clip(0.72 + 0.28 * g, 0.25, 1.0).astype(np.float32)


def keep_out(template):
    """Rectangles voters are asked to keep clear of (corner squares, page code squares), with a margin."""
    m = 6 * MM
    return [(x0 - m, y0 - m, x1 + m, y1 + m) for x0, y0, x1, y1 in template["solids"]]


def hits(rect, zones):
    x0, y0, x1, y1 = rect
    return any(x0 < b[2] and b[0] < x1 and y0 < b[3] and b[1] < y1 for b in zones)


def make_ballot(templates, seed, i):
    rng = random.Random(f"heldout2-{seed}-ballot-{i}")
    t = templates[i % len(templates)]
    grain = grain_tile(rng)
    pen_name = pick(rng, VOTER_PENS)
    pressure = rng.uniform(0.85, 1.0) if PENS[pen_name][3] == "pencil" else 1.0
    pen = Pen(pen_name, rng, pressure)
    habit = pick(rng, HABITS)
    marks, truth, kinds, details = [], [], [], []
    boxes = t["boxes"]
    rows, cols = len(boxes), len(boxes[0])
    zones = keep_out(t)

    def lay(strokes, p, column, role="voter"):
        marks.append(Mark(p, strokes, rng, role=role, column=column, grain=grain))

    for r in range(rows):
        for c in range(cols):
            col = boxes[r][c]
            plan = pick(rng, COLUMN_PLAN)
            idx = r * cols + c
            if plan == "blank":
                truth.append("0"); kinds.append("blank"); details.append("blank")
                continue
            shape = pick(rng, SHAPES_BY_HABIT[habit])
            if plan == "mark":
                g = rng.randrange(4)
                p = pen if rng.random() < 0.95 else Pen(pick(rng, VOTER_PENS), rng)  # now and then a borrowed pen
                if shape == "over-edge":
                    strokes, shape = over_edge_strokes(rng, p, col[g], r == 0, g)
                else:
                    strokes = shape_strokes(rng, p, col[g], shape)
                lay(strokes, p, idx)
                truth.append(str(g + 1)); kinds.append(kind_label(p, shape)); details.append(f"{shape}@{g + 1}")
            elif plan == "two-marks":
                gs = rng.sample(range(4), 3 if rng.random() < 0.15 else 2)
                for g in gs:
                    s2 = shape if shape != "over-edge" else "circle"
                    if rng.random() < 0.2:
                        s2 = rng.choice(["circle", "tick", "cross"])
                    lay(shape_strokes(rng, pen, col[g], s2), pen, idx)
                truth.append("X"); kinds.append("two-marks"); details.append("marks@" + "".join(str(g + 1) for g in sorted(gs)))
            elif plan == "crossed-out":
                a, b = rng.sample(range(4), 2)
                first = shape if shape not in ("over-edge", "filled") else "circle"
                lay(shape_strokes(rng, pen, col[a], first), pen, idx)
                strokes, how = cancel_strokes(rng, pen, col[a])
                lay(strokes, pen, idx)
                lay(shape_strokes(rng, pen, col[b], "circle" if first == "filled" else first), pen, idx)
                truth.append("?"); kinds.append("crossed-out"); details.append(f"cancelled@{a + 1}:{how},new@{b + 1}")
            elif plan == "hesitant-light":
                # A faint touch: a short light stroke or a dot, plain to see (darker than a stain, so it survives every
                # capture) but nothing like a drawn mark: small and light.
                g = rng.randrange(4)
                cx, cy, s = geom(col[g])
                name = rng.choice(["pencil-HB", "ballpoint-black", "ballpoint-blue"])
                light = Pen(name, rng)
                light.amount = rng.uniform(0.5, 0.62) if name.startswith("pencil") else rng.uniform(0.38, 0.5)
                light.width = min(light.width, 0.42 * MM)  # a touch, not a drawn line: never a broad pencil
                what = rng.choice(["arc", "dash", "dot"])
                if what == "arc":
                    pts = resample(loop(rng, cx, cy, 0.22 * s, 0.22 * s, turns=rng.uniform(0.08, 0.14)))
                elif what == "dash":
                    a = rng.uniform(0, np.pi)
                    h = rng.uniform(0.05, 0.1) * s
                    pts = resample(line(rng, (cx - h * math.cos(a), cy - h * math.sin(a)),
                                        (cx + h * math.cos(a), cy + h * math.sin(a))))
                else:  # the pen rested: a ballpoint dot
                    light = Pen(name.replace("pencil-HB", "ballpoint-black"), rng)
                    light.amount = rng.uniform(0.4, 0.5)
                    light.width *= rng.uniform(1.4, 1.9)
                    pts = np.array([[cx + rng.uniform(-0.2, 0.2) * s, cy + rng.uniform(-0.2, 0.2) * s]] * 2)
                # even ink (no pressure ramp or skips): the mark is light all along
                lay([(pts, np.full(len(pts), light.width), np.full(len(pts), light.amount))], light, idx)
                truth.append("?"); kinds.append("hesitant-light"); details.append(f"light-{what}@{g + 1}")
            else:  # hesitant-between: a circle centred on the gap between two boxes of the column
                g = rng.randrange(3)
                (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = col[g], col[g + 1]
                cx = (ax1 + bx0) / 2 + rng.uniform(-0.06, 0.06) * (ax1 - ax0)
                cy = (ay0 + ay1) / 2 + rng.uniform(-0.1, 0.1) * (ay1 - ay0)
                d = rng.uniform(0.75, 1.05) * (ax1 - ax0)
                lay([stroke(rng, pen, loop(rng, cx, cy, d / 2, d / 2 * rng.uniform(0.85, 1.05), turns=rng.uniform(0.97, 1.1)))], pen, idx)
                truth.append("?"); kinds.append("hesitant-between"); details.append(f"between@{g + 1}-{g + 2}")

    near = [[] for _ in truth]
    noise = []
    box_h = boxes[0][0][0][3] - boxes[0][0][0][1]
    pitch = (boxes[-1][0][0][1] - boxes[0][0][0][1]) / max(rows - 1, 1)
    # Stray lines across rows: a slip of the pen through a row's boxes, or a line between rows.
    for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
        r = rng.randrange(rows)
        c0 = rng.randrange(cols - 3)
        c1 = min(cols - 1, c0 + rng.randint(3, cols))
        xa = boxes[r][c0][0][0] - rng.uniform(0, 30)
        xb = boxes[r][c1][3][2] + rng.uniform(0, 30)
        through = rng.random() < 0.5
        ybase = (boxes[r][c0][0][1] + boxes[r][c0][0][3]) / 2 if through else boxes[r][c0][0][3] + (pitch - box_h) / 2
        ya = ybase + rng.uniform(-0.2, 0.2) * box_h
        yb = ybase + rng.uniform(-0.35, 0.35) * box_h * (1 if through else 0.8)
        p = pen if rng.random() < 0.7 else Pen("ballpoint-black", rng)
        marks.append(Mark(p, [stroke(rng, p, line(rng, (xa, ya), (xb, yb), 0.02))], rng, role="noise", grain=grain))
        for c in range(c0, c1 + 1):
            near[r * cols + c].append("stray-line")
        noise.append(f"stray-line r{r + 1} c{c0 + 1}-{c1 + 1} {'through' if through else 'between'}")
    # Pen-rest dots outside the boxes and notes by the names.
    for _ in range(rng.choice([0, 1, 2, 3])):
        r, c = rng.randrange(rows), rng.randrange(cols)
        g = rng.randrange(4)
        x0, y0, x1, y1 = boxes[r][c][g]
        where = rng.choice(["below", "gap", "name"])
        if where == "below":
            x, y = rng.uniform(x0, x1), y1 + rng.uniform(0.2, 0.45) * (pitch - box_h)
        elif where == "gap" and g < 3:
            x, y = (x1 + boxes[r][c][g + 1][0]) / 2, rng.uniform(y0, y1)
        else:
            na = t["nameArea"][r]
            x, y = rng.uniform(na[0] + 20, na[2] - 20), rng.uniform(na[1] + 10, na[3] - 10)
        p = pen if rng.random() < 0.8 else Pen("ballpoint-blue", rng)
        dot = np.array([[x, y], [x + rng.uniform(-2, 2), y + rng.uniform(-2, 2)]])
        mk = stroke(rng, p, dot, lift=False)
        mk = (mk[0], mk[1] * rng.uniform(1.4, 2.4), mk[2])
        marks.append(Mark(p, [mk], rng, role="noise", grain=grain))
        near[r * cols + c].append("dot")
        noise.append(f"dot {where} r{r + 1} c{c + 1}")
    if rng.random() < 0.2:  # a note by a name: underline or a small tick
        r = rng.randrange(rows)
        na = t["nameArea"][r]
        y = na[3] - rng.uniform(8, 20)
        marks.append(Mark(pen, [stroke(rng, pen, line(rng, (na[0] + rng.uniform(40, 120), y),
                                                      (na[0] + rng.uniform(200, 330), y + rng.uniform(-6, 6)), 0.02))],
                          rng, role="noise", grain=grain))
        noise.append(f"name-note r{r + 1}")
    paper = {"tint": [rng.uniform(0.93, 0.985), rng.uniform(0.93, 0.98), rng.uniform(0.9, 0.975)],
             "stains": [], "folds": []}
    for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
        for _try in range(20):
            rad = rng.uniform(8, 22) * MM
            x, y = rng.uniform(0.15, 0.9) * t["width"], rng.uniform(0.25, 0.9) * t["height"]
            if not hits((x - rad, y - rad, x + rad, y + rad), zones):
                paper["stains"].append({"kind": rng.choice(["coffee", "coffee", "water"]), "x": x, "y": y, "r": rad,
                                        "seed": rng.randrange(1 << 30), "strength": rng.uniform(0.5, 1.0)})
                for rr in range(rows):
                    for c in range(cols):
                        bx0, by0, bx1, by1 = boxes[rr][c][0][0], boxes[rr][c][0][1], boxes[rr][c][3][2], boxes[rr][c][0][3]
                        if bx0 < x + rad and x - rad < bx1 and by0 < y + rad and y - rad < by1:
                            near[rr * cols + c].append("stain")
                noise.append("stain " + paper["stains"][-1]["kind"])
                break
    if rng.random() < 0.35:
        axis = rng.choice(["h", "h", "v"])
        at = rng.choice([1 / 3, 1 / 2, 2 / 3]) + rng.uniform(-0.03, 0.03)
        paper["folds"].append({"axis": axis, "at": at, "depth": rng.uniform(0.03, 0.08), "seed": rng.randrange(1 << 30)})
        noise.append(f"fold {axis} {at:.2f}")
    for m in marks:
        h_, w_ = m.cov.shape
        if m.role == "voter" and hits((m.x0, m.y0, m.x0 + w_, m.y0 + h_), keep_out(t)):
            raise AssertionError(f"ballot {i}: voter ink in a keep-out zone")
    return {"i": i, "template": t, "marks": marks, "truth": "".join(truth), "markKinds": kinds, "details": details,
            "near": near, "noise": noise, "pen": pen.name, "habit": habit, "paper": paper}


def paint(ballot):
    """The marked page as RGB float32 reflectance (0..1) at 300 dpi."""
    t = ballot["template"]
    gray = t["gray"].astype(np.float32) / 255
    h, w = gray.shape
    tint = np.array(ballot["paper"]["tint"], np.float32)
    rng = random.Random(f"paper-{ballot['i']}")
    field = np.asarray(Image.fromarray(np.random.default_rng(rng.randrange(1 << 30)).integers(
        0, 255, (8, 11), dtype=np.uint8)).resize((w, h), Image.BICUBIC), np.float32) / 255
    paper = tint[None, None, :] * (1 + 0.02 * (field[..., None] - 0.5))
    toner = np.minimum(1, gray * 1.02)  # the printed form: toner is nearly neutral
    page = paper * toner[..., None]
    for s in ballot["paper"]["stains"]:
        stain(page, s)
    for m in ballot["marks"]:
        hh, ww = m.cov.shape
        x0, y0 = max(0, m.x0), max(0, m.y0)
        x1, y1 = min(w, m.x0 + ww), min(h, m.y0 + hh)
        if x1 <= x0 or y1 <= y0:
            continue
        a = m.cov[y0 - m.y0:y1 - m.y0, x0 - m.x0:x1 - m.x0][..., None]
        page[y0:y1, x0:x1] *= 1 - a * (1 - m.pen.colour[None, None, :])
    for f in ballot["paper"]["folds"]:
        fold(page, f)
    return np.clip(page, 0, 1)


def stain(page, s):
    """Coffee: a translucent brown pool with a darker dried rim; water: a faint grey cockle with a rim."""
    h, w, _ = page.shape
    r = s["r"]
    x0, y0 = int(max(0, s["x"] - 1.3 * r)), int(max(0, s["y"] - 1.3 * r))
    x1, y1 = int(min(w, s["x"] + 1.3 * r)), int(min(h, s["y"] + 1.3 * r))
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    rng = np.random.default_rng(s["seed"])
    ang = np.arctan2(ys - s["y"], xs - s["x"])
    edge = r * (1 + sum(rng.normal(0, 0.06) * np.cos(k * ang + rng.uniform(0, 6.3)) for k in range(1, 6)))
    d = np.hypot(xs - s["x"], ys - s["y"]) / edge
    inside = np.clip((1 - d) * 8, 0, 1)
    rim = np.exp(-((d - 0.97) / 0.035) ** 2)
    k = s["strength"]
    if s["kind"] == "coffee":
        colour = np.array([0.55, 0.36, 0.18], np.float32)
        a = (0.10 * inside + 0.22 * rim) * k
    else:
        colour = np.array([0.75, 0.76, 0.78], np.float32)
        a = (0.05 * inside + 0.12 * rim) * k
    page[y0:y1, x0:x1] *= 1 - a[..., None] * (1 - colour[None, None, :])


def fold(page, f):
    """A fold pressed flat again: a crease line, a light and a shaded side that fade within a few centimetres."""
    h, w, _ = page.shape
    if f["axis"] == "h":
        pos = f["at"] * h
        u = np.arange(h, dtype=np.float32) - pos
    else:
        pos = f["at"] * w
        u = np.arange(w, dtype=np.float32) - pos
    depth = f["depth"]
    shade = 1 - depth * np.exp(-np.abs(u) / (12 * MM)) * np.where(u > 0, 1.0, -0.4)
    crease = 1 - 0.12 * np.exp(-(u / 2.0) ** 2) + 0.05 * np.exp(-((u - 4) / 2.5) ** 2)
    prof = (shade * crease).astype(np.float32)
    if f["axis"] == "h":
        page *= prof[:, None, None]
    else:
        page *= prof[None, :, None]


# ---------------------------------------------------------------------------------------------------------------------
# Captures.

def to_image(page):
    return Image.fromarray((np.clip(page, 0, 1) * 255 + 0.5).astype(np.uint8), "RGB")


def jpeg(image, quality):
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


SCANNERS = [("office-200-gray", 40), ("office-300-colour", 25), ("mfp-200-text", 15), ("sheetfed-200-gray", 20)]


def scan(page, rng):
    model = pick(rng, SCANNERS)
    dpi = 300 if "300" in model else 200
    colour = "colour" in model
    img = to_image(page)
    if not colour:  # a gray or text-mode scan keeps the sensor's luminance
        img = img.convert("L")
    w, h = img.size
    if dpi != DPI:
        img = img.resize((round(w * dpi / DPI), round(h * dpi / DPI)), Image.LANCZOS)
    # The sheet lies a little crooked and off the glass's corner; the lid is white.
    angle = rng.uniform(-1.0, 1.0)
    img = img.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=(250, 250, 250) if colour else 250,
                     translate=(rng.uniform(-10, 10), rng.uniform(-10, 10)))
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 0.8)))  # the scanner's optics
    a = np.asarray(img, np.float32)
    noise = np.random.default_rng(rng.randrange(1 << 30)).normal(0, rng.uniform(1.0, 2.5), a.shape[:2])
    a = a * rng.uniform(0.97, 1.02) + (noise[..., None] if colour else noise)
    info = {"model": model, "dpi": dpi, "skew": round(angle, 2)}
    if model == "sheetfed-200-gray":  # dust on the feeder's glass: a thin streak down the page
        x = rng.randrange(int(0.1 * a.shape[1]), int(0.9 * a.shape[1]))
        a[:, x:x + rng.randint(1, 2)] *= rng.uniform(0.82, 0.92)
        info["streak"] = x
    if model == "mfp-200-text":
        g = a
        bg = np.asarray(Image.fromarray(np.clip(g, 0, 255).astype(np.uint8)).filter(ImageFilter.BoxBlur(12)), np.float32)
        cut = rng.uniform(0.93, 0.95)  # light pencil must survive it (lower cuts leave 2H circles as specks)
        # text mode: darker than the paper around it, or simply dark (so solid squares and filled boxes stay solid)
        out = np.where((g < bg * cut) | (g < 0.5 * np.percentile(g[::4, ::4], 90)), 0, 255).astype(np.uint8)
        img = Image.fromarray(out, "L")
        q = rng.randint(80, 92)
        info.update(binarised=round(cut, 3), jpeg=q)
        return jpeg(img, q), info
    if not colour:
        g = a
        lo, hi = np.percentile(g[::4, ::4], 0.4), np.percentile(g[::4, ::4], 96)  # auto-contrast: paper white, ink black
        g = (g - lo) / max(hi - lo, 1) * 255
        g = 255 * (np.clip(g, 0, 255) / 255) ** rng.uniform(0.9, 1.15)
        img = Image.fromarray(np.clip(g, 0, 255).astype(np.uint8), "L")
    else:
        img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "RGB")
    q = rng.randint(70, 92)
    info["jpeg"] = q
    return jpeg(img, q), info


def solve_perspective(dst, src):
    """PIL PERSPECTIVE coefficients mapping output points `dst` to input points `src` (4 each)."""
    A, b = [], []
    for (x, y), (u, v) in zip(dst, src):
        A.append([x, y, 1, 0, 0, 0, -u * x, -u * y]); b.append(u)
        A.append([0, 0, 0, x, y, 1, -v * x, -v * y]); b.append(v)
    return np.linalg.solve(np.array(A, float), np.array(b, float)).tolist()


def photo(page, rng):
    W, H = 2000, 1500  # a 3-megapixel frame: more than the 1,400 px the browser keeps
    img = to_image(page)
    pw, ph = img.size
    fill = rng.uniform(0.76, 0.92)
    scale = fill * W / pw
    small = img.resize((round(pw * scale), round(ph * scale)), Image.LANCZOS)
    sw, sh = small.size
    cx, cy = W / 2 + rng.uniform(-0.04, 0.04) * W, H / 2 + rng.uniform(-0.04, 0.04) * H
    rot = math.radians(rng.uniform(-4, 4))
    corners = []
    tilt = rng.uniform(-0.06, 0.06), rng.uniform(-0.06, 0.06)  # camera not square to the page: one side nearer
    for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        x, y = sx * sw / 2, sy * sh / 2
        k = 1 + tilt[0] * sx + tilt[1] * sy
        x, y = x * (1 + tilt[1] * sy), y * (1 + tilt[0] * sx)
        x *= k ** 0.2; y *= k ** 0.2
        x += rng.uniform(-0.012, 0.012) * sw; y += rng.uniform(-0.012, 0.012) * sh
        corners.append((cx + x * math.cos(rot) - y * math.sin(rot), cy + x * math.sin(rot) + y * math.cos(rot)))
    coeffs = solve_perspective(corners, [(0, 0), (sw, 0), (sw, sh), (0, sh)])
    warped = np.asarray(small.transform((W, H), Image.PERSPECTIVE, coeffs, Image.BICUBIC), np.float32)
    mask = np.asarray(Image.new("L", small.size, 255).transform((W, H), Image.PERSPECTIVE, coeffs, Image.BILINEAR),
                      np.float32)[..., None] / 255
    desk = np.array(rng.choice([(0.45, 0.32, 0.2), (0.3, 0.3, 0.32), (0.62, 0.55, 0.45), (0.2, 0.22, 0.25),
                                (0.8, 0.8, 0.78)]), np.float32) * 255
    grain = np.asarray(Image.fromarray(np.random.default_rng(rng.randrange(1 << 30)).integers(
        0, 255, (H // 8, W // 8), dtype=np.uint8)).resize((W, H), Image.BICUBIC), np.float32)[..., None] / 255
    background = desk[None, None, :] * (0.85 + 0.3 * grain)
    a = warped * mask + background * (1 - mask)
    info = {"fill": round(fill, 2), "rotation": round(math.degrees(rot), 1)}
    if rng.random() < 0.45:  # moiré: the camera's pixel grid beating against the laser printer's screen
        ys, xs = np.mgrid[0:H, 0:W].astype(np.float32)
        f1, th = rng.uniform(0.28, 0.36), rng.uniform(0, np.pi)
        pattern = np.sin(2 * np.pi * f1 * (xs * math.cos(th) + ys * math.sin(th)))
        beat = np.sin(2 * np.pi * rng.uniform(0.003, 0.01) * (xs * math.sin(th) - ys * math.cos(th)))
        amp = rng.uniform(0.015, 0.04)
        a *= (1 + amp * pattern * beat * mask[..., 0])[..., None]
        info["moire"] = round(amp, 3)
        del xs, ys, pattern, beat
    # Light: a gradient across the page, vignetting, and maybe the shadow of the hand or the phone.
    ys, xs = np.mgrid[0:H:8, 0:W:8].astype(np.float32)
    gdir = rng.uniform(0, 2 * np.pi)
    light = 1 + rng.uniform(0.08, 0.22) * ((xs / W - 0.5) * math.cos(gdir) + (ys / H - 0.5) * math.sin(gdir))
    light *= 1 - rng.uniform(0.05, 0.18) * (((xs / W - 0.5) ** 2 + (ys / H - 0.5) ** 2) * 2)
    if rng.random() < 0.45:
        side = rng.randrange(4)
        depth = rng.uniform(0.15, 0.4)
        u = [xs / W, 1 - xs / W, ys / H, 1 - ys / H][side]
        v = [ys / H, ys / H, xs / W, xs / W][side]
        edge = depth + 0.12 * np.sin(2 * np.pi * (v * rng.uniform(0.5, 1.2) + rng.uniform(0, 1)))
        soft = rng.uniform(0.03, 0.08)
        inside = 1 / (1 + np.exp((u - edge) / soft))
        dark = rng.uniform(0.62, 0.8)
        light *= 1 - (1 - dark) * inside
        info["shadow"] = {"side": "left right top bottom".split()[side], "depth": round(depth, 2), "light": round(dark, 2)}
    light = np.asarray(Image.fromarray(light.astype(np.float32), "F").resize((W, H), Image.BILINEAR))
    a *= light[..., None] * rng.uniform(0.95, 1.08)
    a *= np.array([rng.uniform(0.95, 1.04), 1.0, rng.uniform(0.9, 1.05)], np.float32)[None, None, :]  # white balance
    img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "RGB")
    blur = rng.random()
    if blur < 0.35:  # the hand moved
        length, ang = rng.randint(2, 4), rng.uniform(0, np.pi)
        acc = np.zeros_like(np.asarray(img, np.float32))
        base = np.asarray(img, np.float32)
        for k in range(length):
            dx = int(round((k - (length - 1) / 2) * math.cos(ang)))
            dy = int(round((k - (length - 1) / 2) * math.sin(ang)))
            acc += np.roll(np.roll(base, dy, axis=0), dx, axis=1)
        img = Image.fromarray(np.clip(acc / length, 0, 255).astype(np.uint8), "RGB")
        info["motion"] = length
    elif blur < 0.6:
        img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 0.9)))
        info["defocus"] = True
    b = np.asarray(img, np.float32)
    sigma = rng.uniform(2, 5)
    b = b + np.random.default_rng(rng.randrange(1 << 30)).normal(0, sigma, b.shape[:2])[..., None] * (1.2 - b / 400)
    img = Image.fromarray(np.clip(b, 0, 255).astype(np.uint8), "RGB")
    img = img.filter(ImageFilter.UnsharpMask(radius=rng.uniform(1.0, 2.0), percent=rng.randint(40, 120), threshold=2))
    q = rng.randint(60, 90)
    info["jpeg"] = q
    return jpeg(img, q), info


# ---------------------------------------------------------------------------------------------------------------------
# Sets.

def make_one(job):
    """The pages of ballot i, one per capture kind asked for: one ballot, painted once, captured each way."""
    folder, seed, i, kinds = job
    templates = H.templates_from(folder)
    ballot = make_ballot(templates, seed, i)
    page = paint(ballot)
    out = []
    for kind in kinds:
        rng = random.Random(f"heldout2-{seed}-{kind}-{i}")
        data, info = (scan if kind == "scanner" else photo)(page, rng)
        out.append({"file": f"{kind}-{i:04d}.jpg", "kind": kind, "page": i, "template": ballot["template"]["file"],
                    "truth": ballot["truth"], "markKinds": ballot["markKinds"], "details": ballot["details"],
                    "near": ballot["near"], "noise": ballot["noise"], "pen": ballot["pen"], "habit": ballot["habit"],
                    "capture": info, "jpeg": data})
    return out


def make_pages(templates_dir, n, seed=DEFAULT_SEED, kind="scanner", workers=None):
    """n pages of capture `kind` (scanner or phone), or with kind "both" the n scanner pages then the n phone pages
    of the same ballots (each ballot drawn once). A page is the same whichever way it is asked for."""
    kinds = ("scanner", "phone") if kind == "both" else (kind,)
    jobs = [(templates_dir, seed, i, kinds) for i in range(n)]
    workers = workers or 1
    if workers <= 1:
        made = [make_one(j) for j in jobs]
    else:
        H.templates_from(templates_dir)  # loaded once before the fork
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            made = pool.map(make_one, jobs, chunksize=1)
    return [pages[k] for k in range(len(kinds)) for pages in made]


def cells(boxes, r):
    """Each box's share of the paper around it in row r: from the middle of the gap to its neighbours (boxes of the
    next column included) and half the way to the rows above and below; the first row reaches up over the labels."""
    row = [b for col in boxes[r] for b in col]
    s = row[0][2] - row[0][0]
    up = (boxes[r][0][0][1] - boxes[r - 1][0][0][3]) / 2 if r > 0 else 1.15 * s
    down = (boxes[r + 1][0][0][1] - boxes[r][0][0][3]) / 2 if r + 1 < len(boxes) else 0.6 * s
    out = []
    for k, (x0, y0, x1, y1) in enumerate(row):
        left = (row[k - 1][2] + x0) / 2 if k > 0 else x0 - 0.6 * s
        right = (x1 + row[k + 1][0]) / 2 if k + 1 < len(row) else x1 + 0.6 * s
        out.append((int(left), int(y0 - up), int(right), int(y1 + down)))
    return out


def ink_in(marks, rect):
    """(sum of coverage, peak coverage, centroid x, centroid y) of marks inside rect."""
    x0, y0, x1, y1 = rect
    total, peak, mx, my = 0.0, 0.0, 0.0, 0.0
    for m in marks:
        h, w = m.cov.shape
        a0, b0 = max(x0, m.x0), max(y0, m.y0)
        a1, b1 = min(x1, m.x0 + w), min(y1, m.y0 + h)
        if a1 <= a0 or b1 <= b0:
            continue
        win = m.cov[b0 - m.y0:b1 - m.y0, a0 - m.x0:a1 - m.x0]
        sw = float(win.sum())
        if sw <= 0:
            continue
        ys, xs = np.mgrid[b0:b1, a0:a1]
        mx += float((win * xs).sum()); my += float((win * ys).sum())
        total += sw; peak = max(peak, float(win.max()))
    return total, peak, (mx / total if total else 0.0), (my / total if total else 0.0)


CLEAR_INK = 60.0  # pixels of full ink in a box's cell: a small 2H circle lays about 90


def audit(ballot):
    """Problems where the truth disagrees with the voter's ink (an empty list when all is well)."""
    boxes = ballot["template"]["boxes"]
    cols = len(boxes[0])
    by_col = {}
    for m in ballot["marks"]:
        if m.role == "voter":
            by_col.setdefault(m.column, []).append(m)
    problems = []
    for idx, sym in enumerate(ballot["truth"]):
        r, c = divmod(idx, cols)
        marks = by_col.get(idx, [])
        col = boxes[r][c]
        row_cells = cells(boxes, r)
        ink = [ink_in(marks, cell) for cell in row_cells]
        mine = ink[4 * c:4 * c + 4]
        total = sum(k[0] for k in ink)
        elsewhere = total - sum(k[0] for k in mine)
        s = col[0][2] - col[0][0]

        def inside(k, g, slack=0.1):
            x0, y0, x1, y1 = col[g]
            return x0 - slack * s <= k[2] <= x1 + slack * s and y0 - slack * s <= k[3] <= y1 + slack * s

        clear = [k[0] >= CLEAR_INK and k[1] >= 0.25 and inside(k, g) for g, k in enumerate(mine)]
        touched = [k[0] > 2 for k in mine]
        kind, detail = ballot["markKinds"][idx], ballot["details"][idx]
        where = f"page {ballot['i']} r{r + 1} c{c + 1} {sym} {kind} {detail}: ink={[round(k[0]) for k in mine]}"
        if sym == "0":
            if marks:
                problems.append(where + " voter ink in a blank column")
            continue
        if elsewhere > 0.04 * total + 2:
            problems.append(where + f" {elsewhere:.0f} of its ink in another column's boxes")
        if sym in GRADE_SYMBOLS:
            g = int(sym) - 1
            others = max(k[0] for j, k in enumerate(mine) if j != g)
            if not clear[g] or others > 0.04 * mine[g][0] + 2:
                problems.append(where + " not one box with clear ink and the others clean")
        elif sym == "X":
            if sum(clear) < 2:
                problems.append(where + " fewer than two clearly marked boxes")
        elif kind == "crossed-out":
            if sum(clear) != 2:
                problems.append(where + " not a cancelled box and one new mark")
        elif kind == "hesitant-light":
            peak, ink_sum = max(k[1] for k in mine), max(k[0] for k in mine)
            if sum(touched) != 1 or not 0.3 <= peak <= 0.65 or not 6 <= ink_sum < CLEAR_INK:
                problems.append(where + f" not a faint touch in one box (peak {peak:.2f})")
        elif kind == "hesitant-between":
            k = sorted(range(4), key=lambda j: -mine[j][0])[:2]
            if abs(k[0] - k[1]) != 1 or mine[k[1]][0] < 0.35 * mine[k[0]][0]:
                problems.append(where + " not shared between two neighbouring boxes")
    return problems


GRADE_SYMBOLS = "1234"


def audit_one(job):
    """(problems, [(markKind, truth class)]) of ballot i."""
    folder, seed, i = job
    b = make_ballot(H.templates_from(folder), seed, i)
    return audit(b), [(k, s if s not in GRADE_SYMBOLS else "1-4") for k, s in zip(b["markKinds"], b["truth"])]


def check(templates_dir, n, seed, workers=2):
    H.templates_from(templates_dir)  # loaded once before the fork
    jobs = [(templates_dir, seed, i) for i in range(n)]
    if workers <= 1:
        results = [audit_one(j) for j in jobs]
    else:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(audit_one, jobs, chunksize=2)
    problems, counts = [], {}
    for found, kinds in results:
        problems += found
        for key in kinds:
            counts[key] = counts.get(key, 0) + 1
    for p in problems:
        print(p)
    for (k, s), v in sorted(counts.items(), key=lambda kv: -kv[1]):
        print(f"  {k:18s} {s:4s} {v}")
    print(f"{n} ballots, {sum(counts.values())} columns, {len(problems)} problems")
    return not problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("print")
    p.add_argument("--out", required=True)
    p = sub.add_parser("make")
    p.add_argument("--templates", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--pages", type=int, default=20)
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--kind", choices=["scanner", "phone", "both"], default="both")
    p.add_argument("--workers", type=int, default=2)
    p = sub.add_parser("check")
    p.add_argument("--templates", required=True)
    p.add_argument("--pages", type=int, default=40)
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    if args.cmd == "print":
        H.print_templates(args.out)
    elif args.cmd == "make":
        os.makedirs(args.out, exist_ok=True)
        path = os.path.join(args.out, "truth.json")
        entries = json.load(open(path)) if os.path.exists(path) else []
        for page in make_pages(args.templates, args.pages, args.seed, args.kind, workers=args.workers):
            with open(os.path.join(args.out, page["file"]), "wb") as fh:
                fh.write(page.pop("jpeg"))
            entries = [e for e in entries if e["file"] != page["file"]] + [page]
        with open(path, "w") as fh:
            json.dump(entries, fh, ensure_ascii=False, indent=1)
        print(f"wrote {len(entries)} pages to {args.out}", file=sys.stderr)
    else:
        sys.exit(0 if check(args.templates, args.pages, args.seed, args.workers) else 1)


if __name__ == "__main__":
    main()
