"""A fourth held-out set of marked paper-ballot pages: a fresh judge for Pingyi's paper reader.

Written without reading the reader (Sources/), the tuning generator (e2e/omr_pages.py) or the marks and captures of
the other held-out generators (bench/omr_heldout*.py). It shares with them only the plumbing: the printed templates
and their found boxes (omr_heldout.templates_from) and the upload format (omr_heldout.as_upload). Every pen, mark,
stain, fold, scanner and phone camera here is drawn in its own way.

  python3 bench/omr_heldout4.py --templates DIR --pages N --seed S [--debug OUT] [--out OUT]
      makes N ballots, each captured once by an office scanner and once by a phone, audits every column's truth
      against the ink laid, prints a summary; --debug writes previews (clean page with the truth written over each
      column, both captures, full-resolution crops) and audit.json; --out writes the JPEGs and truth.json.

Python API (as bench/omr.py's both_kinds_pages expects): make_pages(folder, n, seed, "both", workers=1) -> 2n dicts
{"truth", "markKinds", "kind", "jpeg", ...}: n ballots, one printed form page each, every ballot drawn once and
captured both ways ("scanner" and "phone"); kind "scanner" or "phone" gives n pages of that capture only.
as_upload(jpeg) is omr_heldout's.

Truth, one symbol per (row, column) of the form, row-major; a column is the four grade boxes of one person and one
question: '0' no mark, '1'..'4' one clear mark in that box, 'X' two or more clear marks (void), '?' a person would
hesitate (a choice crossed out or scribbled over, alone or beside another mark; a faint touch of the pen; a circle or
tick sitting between two boxes). Stains, folds, shadows, scanner streaks and stray lines or dots away from the boxes
never change the truth. markKinds names what was drawn in each column (pen-shape for a clear single mark, e.g.
"pencil-tick", "felt-fill", "ballpoint-big-circle"; "two-marks"; "crossed-out"; "overwritten"; "hesitant-touch";
"hesitant-between"; "blank"; a blank column with a stray mark near it is "stray"; a column under a coffee stain is
"stain" when blank, "stain-mark" otherwise)."""
import argparse
import io
import json
import math
import multiprocessing
import os
import random
import sys
import time
from collections import Counter

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import omr_heldout as H  # noqa: E402  (plumbing only: templates_from, as_upload)

as_upload = H.as_upload
templates_from = H.templates_from

# The judge's seed. Its author looked at seed 11000's pages while writing it (previews, audit); nobody looks at 12000's.
DEFAULT_SEED = 12000
DPI = 300
MM = DPI / 25.4
KINDS = ("scanner", "phone")


def lum(rgb):
    return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]


# =====================================================================================================================
# Instruments. A pen lays ink of one colour (transmission per channel at full strength) along a path.

class Pen:
    def __init__(self, family, name, width, strength, colour, soft=0.9, skip=0.0, grain=0.0, bleed=0.0):
        self.family, self.name = family, name
        self.width = width  # stroke width in page pixels (300 dpi)
        self.strength = strength  # absorption at full pressure, 0..1
        self.colour = colour  # transmission of a fully absorbing layer, per channel
        self.soft = soft  # edge ramp in pixels
        self.skip = skip  # ballpoint: how much the ink skips along the stroke
        self.grain = grain  # pencil: how much the paper tooth breaks the line
        self.bleed = bleed  # felt: how far the dye creeps

    def __repr__(self):
        return f"{self.name}(w={self.width:.1f}px s={self.strength:.2f})"


PEN_TABLE = [  # (family, variant, weight in percent)
    ("ballpoint", "black", 19), ("ballpoint", "blue", 24), ("ballpoint", "red", 4), ("ballpoint", "green", 1),
    ("pencil", "HB", 8), ("pencil", "F", 5), ("pencil", "H", 5), ("pencil", "2H", 4),
    ("gel", "black", 8), ("gel", "blue", 6),
    ("felt", "black", 8), ("felt", "blue", 5), ("felt", "purple", 2), ("felt", "green", 1),
]


def pick(rng, table):
    total = sum(row[-1] for row in table)
    x = rng.uniform(0, total)
    for row in table:
        x -= row[-1]
        if x <= 0:
            return row[:-1] if len(row) > 2 else row[0]
    return table[-1][:-1] if len(table[-1]) > 2 else table[-1][0]


def make_pen(rng, family, variant, pressure=1.0):
    u = rng.uniform
    if family == "ballpoint":
        colour = {"black": (0.14, 0.13, 0.17), "blue": (u(0.18, 0.34), u(0.24, 0.40), u(0.62, 0.82)),
                  "red": (0.90, 0.20, 0.24), "green": (0.30, 0.58, 0.38)}[variant]
        return Pen(family, f"ballpoint-{variant}", u(0.3, 0.62) * MM, min(0.97, u(0.78, 0.97) * pressure), colour,
                   soft=u(0.7, 1.1), skip=u(0.1, 0.6))
    if family == "pencil":
        lo, hi = {"HB": (0.46, 0.62), "F": (0.40, 0.52), "H": (0.34, 0.45), "2H": (0.30, 0.38)}[variant]
        g = u(0.28, 0.34)
        return Pen(family, f"pencil-{variant}", u(0.40, 0.95) * MM, min(0.75, u(lo, hi) * (0.85 + 0.15 * pressure)),
                   (g, g, g + 0.03), soft=u(1.0, 1.6), grain=u(0.45, 0.8))
    if family == "gel":
        colour = {"black": (0.08, 0.08, 0.10), "blue": (0.16, 0.20, 0.58)}[variant]
        return Pen(family, f"gel-{variant}", u(0.20, 0.34) * MM, u(0.86, 0.98), colour, soft=u(0.6, 0.9))
    colour = {"black": (0.10, 0.10, 0.12), "blue": (0.15, 0.25, 0.62), "purple": (0.40, 0.18, 0.52),
              "green": (0.22, 0.52, 0.32)}[variant]
    return Pen(family, f"felt-{variant}", u(0.85, 1.75) * MM, u(0.78, 0.95), colour, soft=u(1.3, 2.4),
               bleed=u(0.0, 1.0))


# =====================================================================================================================
# Paths: arrays of points (N x 2, page pixels) with a pressure profile; drawn by rasterizing discs along the path.

def lowfreq(g, n, terms=4, amp=1.0):
    t = np.linspace(0.0, 1.0, n)
    out = np.zeros(n)
    for k in range(1, terms + 1):
        out += g.normal() / k * np.sin(2 * np.pi * (k * t * g.uniform(0.6, 1.4)) + g.uniform(0, 2 * np.pi))
    return out * amp


def resample(pts, step):
    pts = np.asarray(pts, float)
    d = np.hypot(*np.diff(pts, axis=0).T)
    s = np.concatenate([[0.0], np.cumsum(d)])
    length = s[-1]
    n = max(2, int(length / step) + 1)
    v = np.linspace(0, length, n)
    out = np.stack([np.interp(v, s, pts[:, 0]), np.interp(v, s, pts[:, 1])], 1)
    return out, v / max(length, 1e-6), length


def ellipse_path(g, cx, cy, rx, ry, tilt, start, sweep, drift=0.0, wobble=0.03, n=None):
    n = n or max(24, int(abs(sweep) * max(rx, ry) / 2))
    t = start + np.linspace(0.0, sweep, n)
    grow = 1 + drift * np.linspace(-0.5, 0.5, n) + lowfreq(g, n, 4, wobble)
    x, y = rx * grow * np.cos(t), ry * grow * np.sin(t)
    c, s = math.cos(tilt), math.sin(tilt)
    return np.stack([cx + c * x - s * y, cy + s * x + c * y], 1)


def curve(g, a, b, bend=0.06, n=None):
    """A hand line from a to b: a quadratic curve bent to one side by bend times its length."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    d = b - a
    length = float(np.hypot(*d)) + 1e-6
    n = n or max(8, int(length / 2))
    normal = np.array([-d[1], d[0]]) / length
    mid = (a + b) / 2 + normal * length * g.normal(0, bend)
    t = np.linspace(0, 1, n)[:, None]
    return (1 - t) ** 2 * a + 2 * (1 - t) * t * mid + t ** 2 * b


def tremble(g, pts, amp):
    """Hand tremor: a smooth random displacement of a few tenths of a millimetre at most."""
    n = len(pts)
    return pts + np.stack([lowfreq(g, n, 7, amp), lowfreq(g, n, 7, amp)], 1)


def pressure_profile(g, n, attack=0.08, release=0.12, flick=False, base=1.0):
    u = np.linspace(0, 1, n)
    p = np.ones(n) * base
    p *= np.clip(0.35 + 0.65 * u / max(attack, 1e-3), 0, 1)
    if flick:  # the pen leaves the paper while still moving: a thinning tail
        p *= np.clip((1 - u) / max(release, 1e-3), 0.05, 1) ** 0.7
    else:
        p *= np.clip(0.5 + 0.5 * (1 - u) / max(release, 1e-3), 0, 1)
    p *= 1 + lowfreq(g, n, 3, 0.08)
    return np.clip(p, 0, 1.2)


class Canvas:
    """The ballot's page in reflectance (float32 RGB, 300 dpi) and every mark's ink for the audit."""

    def __init__(self, template, paper, g):
        gray = template["gray"].astype(np.float32) / 255.0
        h, w = gray.shape
        self.h, self.w = h, w
        toner = g.uniform(0.82, 1.0)  # a printer with a tired or a fresh cartridge
        printed = 1 - (1 - gray) * toner
        self.rgb = printed[:, :, None] * np.asarray(paper, np.float32)[None, None, :]
        self.records = []  # (mark id, x0, y0, luminance-absorption patch)
        self.g = g
        self._tooth = None

    def tooth(self, x0, y0, x1, y1):
        """The paper's tooth (0..1), fixed for the page, where pencil graphite catches."""
        if self._tooth is None:
            g = self.g
            small = g.random((self.h // 2 + 1, self.w // 2 + 1)).astype(np.float32)
            im = Image.fromarray(small, "F").resize((self.w, self.h), Image.BILINEAR)
            t = np.asarray(im)
            fine = g.random((self.h, self.w), dtype=np.float32)
            self._tooth = np.clip(0.65 * t + 0.35 * fine, 0, 1).astype(np.float32)
        return self._tooth[y0:y1, x0:x1]

    def lay(self, pen, pts, pressure, mark):
        """Rasterizes one stroke and multiplies it into the page. Returns its luminance absorption patch."""
        g = self.g
        step = max(0.35, min(0.8, pen.width / 4))
        pts, u, length = resample(pts, step)
        if length < 0.5:
            pts = np.vstack([pts[:1], pts[:1] + 0.6])
            u = np.array([0.0, 1.0])
        p = np.interp(u, np.linspace(0, 1, len(pressure)), pressure)
        n = len(pts)
        if pen.family == "felt":
            widths = pen.width * (0.82 + 0.18 * np.clip(p, 0, 1)) + pen.bleed
            amt = pen.strength * np.clip(0.75 + 0.25 * p, 0, 1)
        elif pen.family == "pencil":
            widths = pen.width * (0.75 + 0.25 * np.clip(p, 0, 1))
            amt = pen.strength * np.clip(p, 0, 1.1)
        else:
            widths = pen.width * (0.9 + 0.1 * np.clip(p, 0, 1))
            amt = pen.strength * np.clip(0.55 + 0.45 * p, 0, 1)
        if pen.skip > 0:  # ballpoint: the ball runs dry in places
            wave = lowfreq(g, n, 9, 1.0)
            amt = amt * (1 - pen.skip * np.clip(wave - 0.4, 0, 1))
        amt = np.clip(amt, 0, 1)
        x0, y0, patch = rasterize(pts, widths, amt, pen.soft)
        h, w = patch.shape
        cx0, cy0, cx1, cy1 = max(0, x0), max(0, y0), min(self.w, x0 + w), min(self.h, y0 + h)
        if cx1 <= cx0 or cy1 <= cy0:
            return None
        patch = patch[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0]
        if pen.grain > 0:
            tooth = self.tooth(cx0, cy0, cx1, cy1)
            patch = patch * np.clip(1 - pen.grain + pen.grain * 1.9 * tooth, 0, 1.15)
        elif pen.family == "ballpoint":
            patch = patch * (0.88 + 0.12 * g.random(patch.shape, dtype=np.float32))
        patch = np.clip(patch, 0, 1).astype(np.float32)
        colour = np.asarray(pen.colour, np.float32)
        self.rgb[cy0:cy1, cx0:cx1] *= 1 - patch[:, :, None] * (1 - colour)[None, None, :]
        la = patch * (1 - lum(pen.colour))
        self.records.append((mark, cx0, cy0, la))
        return la


def rasterize(pts, widths, amt, soft):
    r = float(widths.max()) / 2 + soft + 1.5
    x0, y0 = int(math.floor(pts[:, 0].min() - r)), int(math.floor(pts[:, 1].min() - r))
    x1, y1 = int(math.ceil(pts[:, 0].max() + r)), int(math.ceil(pts[:, 1].max() + r))
    patch = np.zeros((y1 - y0, x1 - x0), np.float32)
    chunk = 40
    for k in range(0, len(pts), chunk):
        P, W, A = pts[k:k + chunk + 1], widths[k:k + chunk + 1], amt[k:k + chunk + 1]
        bx0, by0 = int(math.floor(P[:, 0].min() - r)), int(math.floor(P[:, 1].min() - r))
        bx1, by1 = int(math.ceil(P[:, 0].max() + r)), int(math.ceil(P[:, 1].max() + r))
        xs = np.arange(bx0, bx1, dtype=np.float32) + 0.5
        ys = np.arange(by0, by1, dtype=np.float32) + 0.5
        dx = xs[None, :, None] - P[None, None, :, 0].astype(np.float32)
        dy = ys[:, None, None] - P[None, None, :, 1].astype(np.float32)
        d = np.sqrt(dx * dx + dy * dy)
        c = (np.clip((W[None, None, :] / 2 - d) / soft + 0.5, 0, 1) * A[None, None, :]).max(2)
        sub = patch[by0 - y0:by1 - y0, bx0 - x0:bx1 - x0]
        np.maximum(sub, c, out=sub)
    return x0, y0, patch


# =====================================================================================================================
# The voter's hand: shapes of marks. Each returns a list of (points, pressure) strokes.

class Hand:
    def __init__(self, rng, g):
        self.rng, self.g = rng, g
        self.scale = rng.uniform(0.85, 1.18)  # how big this voter draws
        self.shake = rng.uniform(0.4, 2.2)  # tremor in pixels
        self.press = rng.uniform(0.8, 1.15)
        self.ccw = rng.random() < 0.7
        self.left = rng.random() < 0.1
        self.slant = rng.gauss(0, 0.25)
        self.half_width = 0.0  # of the pen in hand

    def stroke(self, pts, flick=False, base=1.0, attack=0.08):
        pts = tremble(self.g, pts, self.shake)
        return pts, pressure_profile(self.g, len(pts), attack=attack, flick=flick, base=base * min(1.1, self.press))


def circle_strokes(hand, geo, g_box, variant):
    rng, g = hand.rng, hand.g
    cx, cy = geo.centre(g_box)
    s = geo.size
    sc = hand.scale
    off = 0.08
    aspect = rng.uniform(0.82, 1.2)
    drift = rng.uniform(-0.12, 0.12)
    sweep = 2 * np.pi * rng.uniform(1.0, 1.22)
    tilt = rng.uniform(-0.6, 0.6)
    if variant == "circle":
        r = s * rng.uniform(0.40, 0.60) * sc
        if rng.random() < 0.3:  # drawn off centre but plainly about this box
            off = 0.24
            r = s * rng.uniform(0.38, 0.52)
        if rng.random() < 0.12:  # round and round
            sweep = 2 * np.pi * rng.uniform(1.6, 2.3)
    elif variant == "ellipse":
        r = s * rng.uniform(0.42, 0.58) * sc
        aspect = rng.choice([rng.uniform(0.5, 0.72), rng.uniform(1.35, 1.6)])
        tilt = rng.gauss(0, 0.25)
    elif variant == "small-circle":
        r = s * rng.uniform(0.17, 0.32)
        off = 0.14
    elif variant == "big-circle":
        r = s * rng.uniform(0.66, 0.9)
        off = 0.06
    else:  # open-circle: a C, a U or a circle not closed
        r = s * rng.uniform(0.40, 0.60) * sc
        sweep = 2 * np.pi * rng.uniform(0.62, 0.86)
    # a grown ellipse must not reach over the gap into a neighbour's inner half
    rx = r * math.sqrt(aspect)
    ry = r / math.sqrt(aspect)
    # over the edge and into the gap, a big one even a little over the next box's edge, never into its middle
    ox = rng.uniform(-off, off) * s
    oy = rng.uniform(-off, off) * s
    left, right, up, down = geo.room(g_box)
    extra = (0.08 if variant == "big-circle" else -0.1) * s - hand.half_width
    rx = max(0.15 * s, min(rx, min(left, right) + extra - abs(ox)))
    ry = max(0.15 * s, min(ry, min(up, down) - 0.15 * s - hand.half_width - abs(oy)))
    start = rng.uniform(0, 2 * np.pi)
    pts = ellipse_path(g, cx + ox, cy + oy, rx, ry, tilt, start, sweep if hand.ccw else -sweep, drift=drift,
                       wobble=rng.uniform(0.015, 0.05))
    return [hand.stroke(pts, flick=rng.random() < 0.4)]


def tick_strokes(hand, geo, g_box):
    rng, g = hand.rng, hand.g
    cx, cy = geo.centre(g_box)
    s = geo.size
    sc = hand.scale
    v = np.array([cx + rng.uniform(-0.18, 0.08) * s, cy + rng.uniform(0.0, 0.3) * s])
    a1 = math.radians(rng.uniform(200, 250))  # short arm: up and to the left of the vertex
    l1 = s * rng.uniform(0.18, 0.45) * sc
    a2 = math.radians(-rng.uniform(35, 70))  # long arm: up and to the right
    l2 = s * rng.uniform(0.55, 1.15) * sc
    rot = rng.uniform(-0.3, 0.3)
    p1 = v + l1 * np.array([math.cos(a1 + rot), math.sin(a1 + rot)])
    p2 = v + l2 * np.array([math.cos(a2 + rot), math.sin(a2 + rot)])
    if hand.left:  # a mirrored tick
        p1[0], p2[0] = 2 * v[0] - p1[0], 2 * v[0] - p2[0]
    # the long arm may leave the box but never reaches into the next box or the next row
    centre = np.array([cx, cy])
    left, right, up, down = geo.room(g_box)
    reach = np.array([min(left, right), min(up, down)]) - 0.12 * s - hand.half_width
    for p in (p1, p2):
        d = p - v
        f = 1.0
        for axis in (0, 1):  # shorten the arm (keeping its angle) until its end is within reach
            end = v[axis] + d[axis] - centre[axis]
            if abs(end) > reach[axis] and abs(d[axis]) > 1e-6:
                f = min(f, (math.copysign(reach[axis], end) - (v[axis] - centre[axis])) / d[axis])
        p[:] = v + d * max(f, 0.2)
    first = curve(g, p1, v, 0.05)
    second = curve(g, v, p2, 0.07)
    pts = np.vstack([first, second[1:]])
    return [hand.stroke(pts, flick=True, attack=0.15)]


def cross_strokes(hand, geo, g_box):
    rng, g = hand.rng, hand.g
    cx, cy = geo.centre(g_box)
    s = geo.size
    c = np.array([cx, cy]) + g.uniform(-0.1, 0.1, 2) * s
    out = []
    for base in (45, 135):
        a = math.radians(base + rng.uniform(-14, 14))
        half = s * rng.uniform(0.3, 0.6) * hand.scale
        left, right, _, _ = geo.room(g_box)
        half = min(half, (min(left, right) - 0.12 * s - hand.half_width) / max(abs(math.cos(a)), 0.3))
        d = np.array([math.cos(a), math.sin(a)]) * half
        out.append(hand.stroke(curve(g, c - d, c + d, 0.04), flick=rng.random() < 0.5))
    return out


def fill_strokes(hand, geo, g_box, pen):
    rng, g = hand.rng, hand.g
    x0, y0, x1, y1 = geo.rect(g_box)
    s = geo.size
    inset = rng.uniform(-0.04, 0.14) * s
    x0, y0, x1, y1 = x0 + inset, y0 + inset, x1 - inset, y1 - inset
    spacing = max(pen.width * rng.uniform(0.6, 1.3), 2.5)
    angle = rng.uniform(-0.5, 0.5) + (math.pi / 2 if rng.random() < 0.5 else 0)
    c, sn = math.cos(angle), math.sin(angle)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half = (x1 - x0) / 2
    pts = []
    k = -half
    side = 1
    while k <= half:
        # a zigzag of passes across the box, clipped to the (unrotated) square
        for t in (-side * half, side * half):
            x, y = cx + c * t - sn * k, cy + sn * t + c * k
            pts.append((min(max(x, x0), x1), min(max(y, y0), y1)))
        side = -side
        k += spacing
    pts = np.asarray(pts)
    dense = np.vstack([curve(g, pts[i], pts[i + 1], 0.02, n=max(4, int(np.hypot(*(pts[i + 1] - pts[i])) / 2)))
                       for i in range(len(pts) - 1)])
    strokes = [hand.stroke(dense, base=1.0)]
    if rng.random() < 0.4:  # a second pass
        strokes.append(hand.stroke(dense[::-1] + g.uniform(-2, 2, 2), base=0.9))
    return strokes


def slash_strokes(hand, geo, g_box):
    rng, g = hand.rng, hand.g
    cx, cy = geo.centre(g_box)
    s = geo.size
    a = math.radians(rng.choice([rng.uniform(-70, -32), rng.uniform(32, 70)]))
    half = s * rng.uniform(0.4, 0.68) * hand.scale
    left, right, _, _ = geo.room(g_box)
    half = min(half, (min(left, right) - 0.12 * s - hand.half_width) / max(abs(math.cos(a)), 0.3))
    d = np.array([math.cos(a), math.sin(a)]) * half
    c = np.array([cx, cy]) + g.uniform(-0.08, 0.08, 2) * s
    return [hand.stroke(curve(g, c - d, c + d, 0.05), flick=rng.random() < 0.6)]


def mark_strokes(hand, geo, g_box, shape, pen):
    hand.half_width = pen.width / 2 + pen.bleed
    if shape in ("circle", "ellipse", "small-circle", "big-circle", "open-circle"):
        return circle_strokes(hand, geo, g_box, shape)
    if shape == "tick":
        return tick_strokes(hand, geo, g_box)
    if shape == "cross":
        return cross_strokes(hand, geo, g_box)
    if shape == "fill":
        return fill_strokes(hand, geo, g_box, pen)
    return slash_strokes(hand, geo, g_box)


def cancel_strokes(hand, geo, g_box, how):
    """Crossing out a choice: an X over it, strike lines through it, or a dense scribble that buries it."""
    rng, g = hand.rng, hand.g
    cx, cy = geo.centre(g_box)
    s = geo.size
    out = []
    if how == "x":
        for base in (45, 135):
            a = math.radians(base + rng.uniform(-12, 12))
            half = s * rng.uniform(0.55, 0.8)
            d = np.array([math.cos(a), math.sin(a)]) * half
            out.append(hand.stroke(curve(g, (cx - d[0], cy - d[1]), (cx + d[0], cy + d[1]), 0.03)))
    elif how == "strike":
        for k in range(rng.choice([2, 2, 3])):
            y = cy + (k - 1) * s * 0.18 + rng.uniform(-0.05, 0.05) * s
            half = s * rng.uniform(0.55, 0.75)
            out.append(hand.stroke(curve(g, (cx - half, y + rng.uniform(-4, 4)), (cx + half, y + rng.uniform(-4, 4)),
                                         0.02)))
    else:  # scribble: loops back and forth over the whole box
        n = rng.randint(6, 11)
        xs = cx + np.array([(-1) ** k for k in range(n)]) * s * rng.uniform(0.45, 0.6)
        ys = cy + np.linspace(-0.45, 0.45, n) * s
        pts = np.stack([xs, ys], 1)
        dense = np.vstack([curve(g, pts[i], pts[i + 1], 0.1) for i in range(n - 1)])
        out.append(hand.stroke(dense))
        out.append(hand.stroke(dense[::-1] + g.normal(0, 3, 2)))
    return out


def touch_strokes(hand, geo, g_box, pen):
    """The pen put down and lifted: a short light dash or dot somewhere in the box."""
    rng, g = hand.rng, hand.g
    x0, y0, x1, y1 = geo.rect(g_box)
    s = geo.size
    p = np.array([rng.uniform(x0 + 0.2 * s, x1 - 0.2 * s), rng.uniform(y0 + 0.2 * s, y1 - 0.2 * s)])
    length = s * rng.uniform(0.1, 0.26) if pen.family != "felt" else s * rng.uniform(0.0, 0.1)
    a = rng.uniform(0, 2 * np.pi)
    q = p + length * np.array([math.cos(a), math.sin(a)])
    pts = curve(g, p, q, 0.1, n=8)
    light = rng.uniform(0.5, 0.75) if pen.family != "pencil" else rng.uniform(0.8, 1.0)
    return [(pts, np.full(len(pts), light))]


def between_strokes(hand, geo, g_box):
    """A circle or a cross centred between box g_box and g_box + 1, owning neither."""
    rng, g = hand.rng, hand.g
    (ax, ay), (bx, by) = geo.centre(g_box), geo.centre(g_box + 1)
    mx, my = (ax + bx) / 2 + rng.uniform(-0.05, 0.05) * geo.size, (ay + by) / 2 + rng.uniform(-0.08, 0.08) * geo.size
    s = geo.size
    if rng.random() < 0.75:
        rx = geo.pitch / 2 + s * rng.uniform(0.15, 0.42)
        ry = s * rng.uniform(0.38, 0.6)
        pts = ellipse_path(g, mx, my, rx, ry, rng.gauss(0, 0.08), rng.uniform(0, 2 * np.pi),
                           2 * np.pi * rng.uniform(1.0, 1.15) * (1 if hand.ccw else -1), wobble=0.03)
        return [hand.stroke(pts)], "circle"
    out = []
    for base in (1, -1):  # an X as wide as both halves
        half_x = geo.pitch * rng.uniform(0.45, 0.6)
        half_y = s * rng.uniform(0.3, 0.5)
        out.append(hand.stroke(curve(g, (mx - half_x, my - base * half_y), (mx + half_x, my + base * half_y), 0.03)))
    return out, "cross"


# =====================================================================================================================
# A form's geometry as found in the printed template.

class Geometry:
    def __init__(self, template):
        self.boxes = template["boxes"]  # [row][column][grade] -> [x0, y0, x1, y1]
        self.rows, self.columns = len(self.boxes), len(self.boxes[0])
        self.size = float(template.get("boxSize") or np.median([b[2] - b[0] for r in self.boxes for c in r
                                                                 for b in c]))
        pitches = [c[k + 1][0] - c[k][0] for r in self.boxes for c in r for k in range(3)]
        self.pitch = float(np.median(pitches))
        if self.rows > 1:
            self.row_pitch = float(np.median([self.boxes[r + 1][0][0][1] - self.boxes[r][0][0][1]
                                              for r in range(self.rows - 1)]))
        else:
            self.row_pitch = 2 * self.size
        self.cell = None
        self._room = {}

    def at(self, r, c):
        self.cell = self.boxes[r][c]
        return self

    def rect(self, g):
        return self.cell[g]

    def centre(self, g):
        x0, y0, x1, y1 = self.cell[g]
        return (x0 + x1) / 2, (y0 + y1) / 2

    def room(self, g):
        """From box g's centre to the nearest other box's edge: (left, right, up, down), in pixels."""
        key = (id(self.cell), g)
        if key in self._room:
            return self._room[key]
        x0, y0, x1, y1 = self.cell[g]
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        left = right = up = down = 4 * self.size
        for row in self.boxes:
            for col in row:
                for b in col:
                    if b is self.cell[g]:
                        continue
                    if b[1] < y1 and b[3] > y0:  # same row
                        if b[0] >= x1:
                            right = min(right, b[0] - cx)
                        elif b[2] <= x0:
                            left = min(left, cx - b[2])
                    if b[0] < x1 and b[2] > x0:  # same place in another row
                        if b[1] >= y1:
                            down = min(down, b[1] - cy)
                        elif b[3] <= y0:
                            up = min(up, cy - b[3])
        self._room[key] = (left, right, up, down)
        return left, right, up, down

    def all_rects(self):
        return [(r, c, k, b) for r, row in enumerate(self.boxes) for c, col in enumerate(row)
                for k, b in enumerate(col)]


# =====================================================================================================================
# A ballot: who votes how, with what, and what happens to the paper.

COLUMN_PLAN = [("blank", 12), ("clear", 75), ("two-marks", 6.5), ("crossed-out", 2), ("overwritten", 1),
               ("hesitant-touch", 1.5), ("hesitant-between", 2)]
SHAPE_HABIT = [("circle", 44), ("ellipse", 5), ("small-circle", 5), ("big-circle", 5), ("open-circle", 4),
               ("tick", 23), ("cross", 5), ("fill", 5), ("slash", 4)]


def pick_pen(rng, pressure):
    family, variant = pick(rng, PEN_TABLE)
    return make_pen(rng, family, variant, pressure)


def draw_ballot(template, seed, i):
    rng = random.Random(f"heldout4-{seed}-{i}")
    g = np.random.default_rng(rng.getrandbits(63))
    geo = Geometry(template)
    tint = rng.choice([(0.95, 0.95, 0.94), (0.96, 0.95, 0.91), (0.92, 0.92, 0.92), (0.94, 0.93, 0.89),
                       (0.97, 0.97, 0.97)])
    paper = [c * rng.uniform(0.97, 1.01) for c in tint]
    canvas = Canvas(template, paper, g)
    hand = Hand(rng, g)
    pen = pick_pen(rng, hand.press)
    second = pick_pen(rng, hand.press) if rng.random() < 0.08 else None  # a pen swapped part way
    switch_at = rng.randint(10, 60)
    habit = pick(rng, SHAPE_HABIT)
    mixed = rng.random() < 0.12  # a voter who does not draw the same mark twice
    blank_rate = rng.choice([0.03, 0.08, 0.12, 0.2, 0.45])
    straight = rng.random() < 0.15  # same grade along a row
    grade_weights = [rng.uniform(0.5, 3.0), rng.uniform(0.5, 2.5), rng.uniform(0.3, 1.6), rng.uniform(0.2, 1.2)]

    truth, kinds, marks = [], [], []  # marks: (mark id, cell, role, box(es), shape)
    mid = 0
    for r in range(geo.rows):
        row_grade = rng.choices(range(4), grade_weights)[0]
        for c in range(geo.columns):
            geo.at(r, c)
            cell_pen = second if second is not None and (r * geo.columns + c) > switch_at else pen
            plan = pick(rng, COLUMN_PLAN)
            if plan == "clear" and rng.random() < blank_rate - 0.12:
                plan = "blank"
            shape = pick(rng, SHAPE_HABIT) if mixed or rng.random() < 0.08 else habit
            if plan == "blank":
                truth.append("0")
                kinds.append("blank")
                continue
            if plan == "clear":
                grade = row_grade if straight and rng.random() < 0.8 else rng.choices(range(4), grade_weights)[0]
                for pts, pr in mark_strokes(hand, geo, grade, shape, cell_pen):
                    canvas.lay(cell_pen, pts, pr, mid)
                marks.append((mid, (r, c), "clear", grade, shape))
                mid += 1
                truth.append(str(grade + 1))
                kinds.append(f"{cell_pen.family}-{shape}")
                continue
            if plan == "two-marks":
                chosen = rng.sample(range(4), 3 if rng.random() < 0.12 else 2)
                for grade in chosen:
                    sh = shape if rng.random() < 0.75 else pick(rng, SHAPE_HABIT)
                    if sh == "big-circle":
                        sh = "circle"  # two big circles side by side would each swallow the other's box
                    for pts, pr in mark_strokes(hand, geo, grade, sh, cell_pen):
                        canvas.lay(cell_pen, pts, pr, mid)
                    marks.append((mid, (r, c), "clear", grade, sh))
                    mid += 1
                truth.append("X")
                kinds.append("two-marks")
                continue
            if plan in ("crossed-out", "overwritten"):
                a, b = rng.sample(range(4), 2)
                first = shape if shape not in ("fill", "big-circle") else "circle"
                for pts, pr in mark_strokes(hand, geo, a, first, cell_pen):
                    canvas.lay(cell_pen, pts, pr, mid)
                marks.append((mid, (r, c), "cancelled", a, first))
                mid += 1
                how = "scribble" if plan == "overwritten" else rng.choice(["x", "x", "strike"])
                if how == "x" and first in ("cross", "slash"):  # an X over a cross is only a bigger cross
                    how = "strike"
                for pts, pr in cancel_strokes(hand, geo, a, how):
                    canvas.lay(cell_pen, pts, pr, mid)
                marks.append((mid, (r, c), "cancel", a, how))
                mid += 1
                if rng.random() < 0.85:  # and the new choice beside it
                    sh = first if rng.random() < 0.8 else pick(rng, SHAPE_HABIT)
                    if sh in ("big-circle", "fill"):  # a filled box beside a scribbled one reads as two marks
                        sh = "circle"
                    for pts, pr in mark_strokes(hand, geo, b, sh, cell_pen):
                        canvas.lay(cell_pen, pts, pr, mid)
                    marks.append((mid, (r, c), "beside", b, sh))
                    mid += 1
                truth.append("?")
                kinds.append(plan)
                continue
            if plan == "hesitant-touch":
                grade = rng.randrange(4)
                for pts, pr in touch_strokes(hand, geo, grade, cell_pen):
                    canvas.lay(cell_pen, pts, pr, mid)
                marks.append((mid, (r, c), "touch", grade, "touch"))
                mid += 1
                truth.append("?")
                kinds.append(plan)
                continue
            grade = rng.randrange(3)
            strokes, what = between_strokes(hand, geo, grade)
            for pts, pr in strokes:
                canvas.lay(cell_pen, pts, pr, mid)
            marks.append((mid, (r, c), "between", grade, what))
            mid += 1
            truth.append("?")
            kinds.append(plan)

    # What happens to the paper after: strays, stains, a fold.
    strays = draw_strays(canvas, geo, template, hand, pen, rng, g, mid) if rng.random() < 0.24 else []
    for s in strays:
        marks.append(s)
    stains = draw_stains(canvas, geo, rng, g) if rng.random() < 0.17 else []
    fold = draw_fold(canvas, rng, g) if rng.random() < 0.22 else None

    # kinds that tell what else is on a column
    for k, (r, c) in enumerate((r, c) for r in range(geo.rows) for c in range(geo.columns)):
        cell = geo.boxes[r][c]
        x0, y0 = min(b[0] for b in cell), min(b[1] for b in cell)
        x1, y1 = max(b[2] for b in cell), max(b[3] for b in cell)
        if any(circle_hits_rect(st, (x0, y0, x1, y1)) for st in stains):
            kinds[k] = "stain" if truth[k] == "0" else "stain-mark"
        elif truth[k] == "0":
            near = 1.3 * geo.size
            for m in strays:
                bx0, by0, bx1, by1 = m[4]
                if bx0 < x1 + near and bx1 > x0 - near and by0 < y1 + near and by1 > y0 - near:
                    kinds[k] = "stray"
    return {"index": i, "template": template["file"], "canvas": canvas, "geo": geo, "truth": "".join(truth),
            "markKinds": kinds, "marks": marks, "pens": [pen.name] + ([second.name] if second else []),
            "stains": stains, "fold": fold, "strays": len(strays), "habit": "mixed" if mixed else habit,
            "rng": rng}


def circle_hits_rect(stain, rect):
    cx, cy, rad = stain
    x0, y0, x1, y1 = rect
    dx = max(x0 - cx, 0, cx - x1)
    dy = max(y0 - cy, 0, cy - y1)
    return dx * dx + dy * dy < rad * rad


def clear_of(pts, rects, margin):
    for x0, y0, x1, y1 in rects:
        inside = ((pts[:, 0] > x0 - margin) & (pts[:, 0] < x1 + margin) & (pts[:, 1] > y0 - margin)
                  & (pts[:, 1] < y1 + margin))
        if inside.any():
            return False
    return True


def draw_strays(canvas, geo, template, hand, pen, rng, g, mid):
    """Lines and dots away from the boxes: an underlined name, a pen tried in the margin, a dot, a slip."""
    s = geo.size
    boxes = [b for _, _, _, b in geo.all_rects()]
    solids = [tuple(x) for x in template.get("solids", [])]
    margin_box = 0.4 * s
    out = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        for attempt in range(25):
            what = rng.choice(["line", "line", "dot", "dot", "scribble"])
            x = rng.uniform(0.04, 0.96) * canvas.w
            y = rng.uniform(0.04, 0.96) * canvas.h
            if what == "line":
                length = rng.uniform(8, 55) * MM
                a = rng.gauss(0, 0.15) if rng.random() < 0.7 else rng.uniform(0, np.pi)
                pts = curve(g, (x, y), (x + length * math.cos(a), y + length * math.sin(a)), 0.03)
            elif what == "dot":
                pts = curve(g, (x, y), (x + rng.uniform(0.5, 2.5), y + rng.uniform(0.5, 2.5)), 0.0, n=3)
            else:
                n = rng.randint(4, 8)
                pts = np.cumsum(np.vstack([[x, y], g.normal(0, 2.5 * MM, (n, 2))]), 0)
                pts = np.vstack([curve(g, pts[k], pts[k + 1], 0.15) for k in range(n)])
            if pts[:, 0].min() < 5 * MM or pts[:, 1].min() < 5 * MM or pts[:, 0].max() > canvas.w - 5 * MM \
                    or pts[:, 1].max() > canvas.h - 5 * MM:
                continue
            if not clear_of(pts, boxes, margin_box) or not clear_of(pts, solids, 4 * MM):
                continue
            for p, pr in [hand.stroke(pts)] if what != "dot" else [(pts, np.full(len(pts), 1.2))]:
                if what == "dot":
                    canvas.lay(Pen(pen.family, pen.name, pen.width * rng.uniform(1.4, 2.6), min(1, pen.strength * 1.1),
                                   pen.colour, pen.soft, 0, pen.grain), p, pr, mid)
                else:
                    canvas.lay(pen, p, pr, mid)
            bbox = (pts[:, 0].min(), pts[:, 1].min(), pts[:, 0].max(), pts[:, 1].max())
            out.append((mid, None, "stray", None, what, bbox))
            mid += 1
            break
    return [(m[0], m[1], m[2], m[3], m[5]) for m in out]


def draw_stains(canvas, geo, rng, g):
    """Coffee: a pale pool with a darker rim where it dried, sometimes only the ring of a cup, and splashes."""
    out = []
    for _ in range(rng.choice([1, 1, 2])):
        rad = rng.uniform(5, 19) * MM
        if rng.random() < 0.7:
            r, c = rng.randrange(geo.rows), rng.randrange(geo.columns)
            b = geo.boxes[r][c][rng.randrange(4)]
            cx = (b[0] + b[2]) / 2 + rng.uniform(-1, 1) * rad * 0.5
            cy = (b[1] + b[3]) / 2 + rng.uniform(-1, 1) * rad * 0.5
        else:
            cx, cy = rng.uniform(0.1, 0.9) * canvas.w, rng.uniform(0.1, 0.9) * canvas.h
        ring_only = rng.random() < 0.3
        inner = 0 if ring_only else rng.uniform(0.08, 0.34)
        rim = rng.uniform(0.22, 0.55)
        rim_w = rng.uniform(0.02, 0.09)
        colour = np.array([rng.uniform(0.55, 0.7), rng.uniform(0.40, 0.52), rng.uniform(0.22, 0.35)], np.float32)
        pad = int(rad * 1.25) + 4
        x0, y0 = int(cx) - pad, int(cy) - pad
        x1, y1 = int(cx) + pad, int(cy) + pad
        X0, Y0, X1, Y1 = max(0, x0), max(0, y0), min(canvas.w, x1), min(canvas.h, y1)
        if X1 <= X0 or Y1 <= Y0:
            continue
        ys, xs = np.mgrid[Y0:Y1, X0:X1].astype(np.float32)
        dx, dy = xs - cx, ys - cy
        theta = np.arctan2(dy, dx)
        edge = np.ones_like(theta)
        for k in range(2, 7):
            edge += rng.gauss(0, 0.05 / (k - 1) ** 0.5) * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
        rho = np.sqrt(dx * dx + dy * dy) / (rad * edge)
        inside = np.clip((1 - rho) * rad / 2.0, 0, 1)  # soft 2-pixel edge
        a = inner * (0.8 + 0.2 * np.cos(rho * rng.uniform(3, 7))) + rim * np.exp(-((1 - rho) / rim_w) ** 2)
        a = (a * inside).astype(np.float32)
        if not ring_only and rng.random() < 0.5:  # splashes around
            for _ in range(rng.randint(1, 5)):
                ang, dist = rng.uniform(0, 2 * np.pi), rad * rng.uniform(1.05, 1.2)
                sx, sy, sr = cx + dist * math.cos(ang), cy + dist * math.sin(ang), rng.uniform(0.6, 2.2) * MM
                d = np.sqrt((xs - sx) ** 2 + (ys - sy) ** 2)
                a = np.maximum(a, rim * 0.8 * np.clip((sr - d) / 2, 0, 1))
        canvas.rgb[Y0:Y1, X0:X1] *= 1 - a[:, :, None] * (1 - colour)[None, None, :]
        out.append((cx, cy, rad * 1.15))
    return out


def draw_fold(canvas, rng, g):
    """A crease where the ballot was folded to go in the box: a thin line and a shaded band on one side."""
    horizontal = rng.random() < 0.6
    n = canvas.h if horizontal else canvas.w
    at = n * rng.choice([0.5, 0.5, 1 / 3, 2 / 3]) + rng.uniform(-0.03, 0.03) * n
    t = np.arange(n, dtype=np.float32) - at
    line = rng.uniform(0.03, 0.12) * np.exp(-(t / rng.uniform(1.2, 3.0)) ** 2)
    side = 1 if rng.random() < 0.5 else -1
    band = rng.uniform(0.01, 0.05) * np.exp(-np.clip(side * t, 0, None) / (rng.uniform(3, 14) * MM)) * (side * t > 0)
    keep = (1 - line - band).astype(np.float32)
    if horizontal:
        canvas.rgb *= keep[:, None, None]
    else:
        canvas.rgb *= keep[None, :, None]
    return {"horizontal": horizontal, "at": float(at), "side": side}


# =====================================================================================================================
# Audit: every column's truth against the ink laid.

def audit(ballot):
    """Returns a list of problems (empty when every truth agrees with the ink)."""
    geo, canvas = ballot["geo"], ballot["canvas"]
    s = geo.size
    z = 0.55 * s  # a box and a hair around it
    rects = geo.all_rects()
    zones = {(r, c, k): ((b[0] + b[2]) / 2 - z, (b[1] + b[3]) / 2 - z, (b[0] + b[2]) / 2 + z, (b[1] + b[3]) / 2 + z)
             for r, c, k, b in rects}
    by_mark = {}
    for m, x0, y0, la in canvas.records:
        by_mark.setdefault(m, []).append((x0, y0, la))
    info = {m[0]: m for m in ballot["marks"]}

    def mass_in(m, rect):
        total = 0.0
        for x0, y0, la in by_mark.get(m, []):
            h, w = la.shape
            X0, Y0 = max(int(rect[0]), x0), max(int(rect[1]), y0)
            X1, Y1 = min(int(rect[2]), x0 + w), min(int(rect[3]), y0 + h)
            if X1 > X0 and Y1 > Y0:
                total += float(la[Y0 - y0:Y1 - y0, X0 - x0:X1 - x0].sum())
        return total

    def stats(m):
        mass, sx, sy, core, core_sum = 0.0, 0.0, 0.0, 0, 0.0
        for x0, y0, la in by_mark.get(m, []):
            ys, xs = np.nonzero(la > 0.02)
            wts = la[ys, xs]
            mass += float(wts.sum())
            sx += float((wts * (xs + x0)).sum())
            sy += float((wts * (ys + y0)).sum())
            strong = la[la > 0.5 * la.max()] if la.size else la
            core += strong.size
            core_sum += float(strong.sum())
        if mass == 0:
            return 0.0, (0.0, 0.0), 0.0
        return mass, (sx / mass, sy / mass), core_sum / max(core, 1)

    def extent(m):
        xs0, ys0, xs1, ys1 = [], [], [], []
        for x0, y0, la in by_mark.get(m, []):
            ys, xs = np.nonzero(la > 0.05)
            if len(xs):
                xs0.append(x0 + xs.min())
                xs1.append(x0 + xs.max())
                ys0.append(y0 + ys.min())
                ys1.append(y0 + ys.max())
        return (min(xs0), min(ys0), max(xs1), max(ys1)) if xs0 else (0, 0, 0, 0)

    # which marks reach into each zone
    reach = {}
    for m, x0, y0, la in canvas.records:
        h, w = la.shape
        for key, (a, b, c, d) in zones.items():
            if a < x0 + w and c > x0 and b < y0 + h and d > y0:
                reach.setdefault(key, set()).add(m)
    problems = []
    cells = [(r, c) for r in range(geo.rows) for c in range(geo.columns)]
    for k, (r, c) in enumerate(cells):
        t = ballot["truth"][k]
        geo.at(r, c)
        own = [info[m] for m in info if info[m][1] == (r, c)]
        clear = [m for m in own if m[2] == "clear"]
        where = f"ballot {ballot['index']} row {r} column {c} truth {t} ({ballot['markKinds'][k]})"
        if t == "0":
            for gk in range(4):
                ink = sum(mass_in(m, zones[(r, c, gk)]) for m in reach.get((r, c, gk), ()))
                if ink > 0.3 * s:
                    problems.append(f"{where}: ink {ink:.0f} in box {gk + 1}")
            continue
        if t in "1234X":
            if (t == "X") != (len(clear) >= 2) or (t != "X" and len(clear) != 1):
                problems.append(f"{where}: {len(clear)} clear marks")
                continue
            for m in clear:
                mass, (mx, my), core = stats(m[0])
                gk = m[3]
                centres = [geo.centre(q) for q in range(4)]
                nearest = min(range(4), key=lambda q: (centres[q][0] - mx) ** 2 + (centres[q][1] - my) ** 2)
                if nearest != gk:
                    problems.append(f"{where}: mark for box {gk + 1} centred nearer box {nearest + 1}")
                x0, y0, x1, y1 = geo.rect(gk)
                if not (x0 - 0.12 * s < mx < x1 + 0.12 * s and y0 - 0.12 * s < my < y1 + 0.12 * s):
                    problems.append(f"{where}: mark for box {gk + 1} centred outside it")
                if mass < 0.6 * s:
                    problems.append(f"{where}: mark in box {gk + 1} too little ink ({mass:.0f})")
                if core < 0.12:
                    problems.append(f"{where}: mark in box {gk + 1} too faint ({core:.2f})")
                if t != "X":
                    for q in range(4):
                        if q == gk:
                            continue
                        foreign = sum(mass_in(o, zones[(r, c, q)]) for o in reach.get((r, c, q), ()) if o != m[0])
                        spill = mass_in(m[0], zones[(r, c, q)])
                        if foreign > 0.3 * s or spill > 0.3 * mass:
                            problems.append(f"{where}: box {q + 1} has ink {foreign:.0f}+{spill:.0f} "
                                            f"beside the mark ({mass:.0f})")
            continue
        # '?': the hesitation is in the ink
        kind = ballot["markKinds"][k].replace("stain-mark", "")
        for m in own:
            mass, (mx, my), core = stats(m[0])
            if m[2] == "touch":
                x0, y0, x1, y1 = extent(m[0])
                if max(x1 - x0, y1 - y0) > 0.45 * s or mass < 0.05 * s or core < 0.1:
                    problems.append(f"{where}: touch of mass {mass:.0f} core {core:.2f} size {x1 - x0}x{y1 - y0}")
            if m[2] == "between":
                (ax, _), (bx, _) = geo.centre(m[3]), geo.centre(m[3] + 1)
                if abs(mx - (ax + bx) / 2) > 0.22 * (bx - ax):
                    problems.append(f"{where}: between-mark leans to one box ({mx - (ax + bx) / 2:.0f} px)")
            if m[2] == "cancel" and mass < 1.0 * s:
                problems.append(f"{where}: crossing-out too light")
        if not own and kind:
            problems.append(f"{where}: no ink")
    return problems


# =====================================================================================================================
# Captures.

def page_image(canvas):
    return Image.fromarray(np.clip(canvas.rgb * 255 + 0.5, 0, 255).astype(np.uint8), "RGB")


def jpeg(image, quality, subsampling=2):
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=int(quality), subsampling=subsampling, optimize=False)
    return buf.getvalue()


def smooth(g, w, h, cells, amount):
    """A smooth random field of about 1 +- amount, w x h."""
    small = (1 + amount * g.uniform(-1, 1, (cells[1], cells[0]))).astype(np.float32)
    return np.asarray(Image.fromarray(small, "F").resize((w, h), Image.BICUBIC))


def add_noise(arr, g, sigma):
    return np.clip(arr.astype(np.float32) + g.normal(0, sigma, arr.shape).astype(np.float32), 0, 255).astype(np.uint8)


def scanner(ballot, page):
    """An office scanner: its own resolution, a sheet laid a little crooked, its optics, its tone curve, JPEG."""
    rng = random.Random(f"heldout4-{ballot['seed']}-{ballot['index']}-scanner")
    g = np.random.default_rng(rng.getrandbits(63))
    dpi = rng.choice([150, 150, 200, 200, 200, 240, 300]) if rng.random() < 0.8 else rng.randint(150, 300)
    scale = dpi / DPI
    w, h = page.size
    tw, th = round(w * scale), round(h * scale)
    small = page.resize((tw, th), Image.LANCZOS if rng.random() < 0.5 else Image.BOX)
    skew = rng.gauss(0, 0.7)
    skew = max(-2.0, min(2.0, skew))
    dark_lid = rng.random() < 0.1
    lid = (rng.randint(35, 70),) * 3 if dark_lid else (rng.randint(228, 252),) * 3
    dx, dy = rng.uniform(-2.5, 2.5) * MM * scale, rng.uniform(-2.5, 2.5) * MM * scale
    extra_w = int(rng.uniform(0, 8) * MM * scale) if rng.random() < 0.3 else 0
    extra_h = int(rng.uniform(0, 8) * MM * scale) if rng.random() < 0.3 else 0
    out_w, out_h = tw + extra_w, th + extra_h
    # rotate about the sheet's centre and place it on the bed (output -> input affine)
    a = math.radians(skew)
    ca, sa = math.cos(a), math.sin(a)
    cx, cy = tw / 2, th / 2
    ox, oy = cx + dx, cy + dy
    coeffs = (ca, sa, cx - ca * ox - sa * oy, -sa, ca, cy + sa * ox - ca * oy)
    img = small.transform((out_w, out_h), Image.AFFINE, coeffs, Image.BICUBIC, fillcolor=lid)
    blur = rng.uniform(0.25, 1.15) * (dpi / 200) ** 0.5
    img = img.filter(ImageFilter.GaussianBlur(blur))
    if rng.random() < 0.3:  # a scanner that sharpens text
        img = img.filter(ImageFilter.UnsharpMask(rng.uniform(0.8, 1.6), rng.randint(40, 120), 2))
    # the scanner's tone curve: black point, white point (never so low that a light pencil line vanishes), gamma,
    # sometimes an S-curve, sometimes a colour drift
    black = rng.uniform(0.0, 0.12)
    white = rng.uniform(0.86, 1.02)
    gamma = rng.uniform(0.72, 1.35)
    s_curve = rng.uniform(0, 0.35) if rng.random() < 0.5 else 0
    drift = [rng.uniform(0.97, 1.03) for _ in range(3)]
    luts = []
    for ch in range(3):
        x = np.arange(256) / 255.0 * drift[ch]
        y = np.clip((x - black) / (white - black), 0, 1) ** gamma
        if s_curve:
            y = y + s_curve * (y - 0.5) * (1 - np.abs(2 * y - 1)) * 0.8
        luts += list(np.clip(y * 255 + 0.5, 0, 255).astype(np.uint8))
    img = img.point(luts)
    gray = rng.random() < 0.55
    if gray:
        img = img.convert("L")
    arr = np.asarray(img)
    arr = add_noise(arr, g, rng.uniform(0.6, 3.2))
    if rng.random() < 0.08:  # dust on the glass: a faint streak the length of the page
        x = rng.randrange(int(0.1 * out_w), int(0.9 * out_w))
        width = rng.randint(1, 2)
        k = rng.uniform(0.06, 0.18)
        arr = arr.astype(np.float32)
        arr[:, x:x + width] *= 1 - k
        arr = arr.clip(0, 255).astype(np.uint8)
        streak = True
    else:
        streak = False
    img = Image.fromarray(arr)
    q = rng.randint(50, 92)
    sub = rng.choice([0, 2, 2])
    return jpeg(img, q, sub), {"kind": "scanner", "dpi": dpi, "skew": round(skew, 2), "blur": round(blur, 2),
                               "gamma": round(gamma, 2), "white": round(white, 2), "black": round(black, 2),
                               "gray": gray, "quality": q, "lid": "dark" if dark_lid else "light", "streak": streak}


def perspective_coeffs(dst, src):
    """PIL's PERSPECTIVE coefficients taking output points dst to input points src."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rhs.append(u)
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs.append(v)
    return tuple(np.linalg.solve(np.asarray(rows, float), np.asarray(rhs, float)))


def table(rng, g, w, h):
    kind = rng.choice(["wood", "wood", "grey", "dark", "cloth", "white"])
    if kind == "wood":
        base = np.array([rng.uniform(0.45, 0.65), rng.uniform(0.30, 0.42), rng.uniform(0.16, 0.25)])
        ys = np.linspace(0, 1, h, dtype=np.float32)[:, None]
        xs = np.linspace(0, 1, w, dtype=np.float32)[None, :]
        warp = smooth(g, w, h, (5, 4), 1.0) - 1
        rings = np.sin(2 * np.pi * (ys * rng.uniform(25, 70) + warp * 3 + xs * 0.3))
        grain = 0.9 + 0.1 * rings * smooth(g, w, h, (9, 7), 0.5)
        field = grain[:, :, None] * base[None, None, :]
    else:
        base = {"grey": [rng.uniform(0.45, 0.65)] * 3, "dark": [rng.uniform(0.08, 0.2)] * 3,
                "cloth": [rng.uniform(0.2, 0.5), rng.uniform(0.25, 0.5), rng.uniform(0.3, 0.6)],
                "white": [rng.uniform(0.8, 0.9)] * 3}[kind]
        field = smooth(g, w, h, (8, 6), 0.08)[:, :, None] * np.asarray(base, np.float32)[None, None, :]
    return field.astype(np.float32), kind


def curl(rng, src, sheet):
    """Bows the sheet: every point moves by a smooth field (a few millimetres at most at the edges)."""
    sw, sh = src.size
    a = rng.uniform(0.004, 0.014) * sh * rng.choice([-1, 1])  # top and bottom edges bow
    b = rng.uniform(0.0, 0.008) * sw * rng.choice([-1, 1])  # left and right edges bow
    c = rng.uniform(0.0, 0.01) * sh  # one corner lifts
    corner = rng.randrange(4)

    def source(x, y):
        u, v = 2 * x / sw - 1, 2 * y / sh - 1
        dy = a * (1 - u * u) * v
        dx = b * (1 - v * v) * u
        cu, cv = (-1, -1, 1, 1)[corner], (-1, 1, -1, 1)[corner]
        lift = max(0.0, (u * cu + v * cv) / 2) ** 3 * c
        return x - dx - lift * cu * 0.3, y - dy - lift * cv
    nx, ny = 14, 10
    mesh = []
    for j in range(ny):
        for i in range(nx):
            x0, x1 = round(i * sw / nx), round((i + 1) * sw / nx)
            y0, y1 = round(j * sh / ny), round((j + 1) * sh / ny)
            quad = [*source(x0, y0), *source(x0, y1), *source(x1, y1), *source(x1, y0)]
            mesh.append(((x0, y0, x1, y1), quad))
    return (src.transform((sw, sh), Image.MESH, mesh, Image.BICUBIC),
            sheet.transform((sw, sh), Image.MESH, mesh, Image.BILINEAR))


def phone(ballot, page):
    """A phone photo: the sheet on a table, seen at an angle, under a lamp or a window, maybe a shadow, moiré,
    out of focus in part, the phone's denoise and sharpening, JPEG."""
    rng = random.Random(f"heldout4-{ballot['seed']}-{ballot['index']}-phone")
    g = np.random.default_rng(rng.getrandbits(63))
    pw, ph = page.size
    long_side = rng.choice([1600, 1800, 2000, 2400, 2560, 3000])
    aspect = rng.choice([4 / 3, 4 / 3, 4 / 3, 16 / 9, 3 / 2])
    if pw >= ph:
        fw, fh = long_side, round(long_side / aspect)
    else:
        fw, fh = round(long_side / aspect), long_side
    info = {"kind": "phone", "frame": [fw, fh]}
    for attempt in range(30):
        fill = rng.uniform(0.72, 0.95) if attempt < 20 else 0.7
        sc = fill * min(fw / pw, fh / ph)
        rot = math.radians(rng.gauss(0, 3.0))
        tilt_x, tilt_y = rng.gauss(0, 0.06), rng.gauss(0, 0.06)  # keystone from the phone's tilt
        cx, cy = fw / 2 + rng.uniform(-0.05, 0.05) * fw, fh / 2 + rng.uniform(-0.05, 0.05) * fh
        corners = []
        for ux, uy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
            x, y = ux * pw * sc / 2, uy * ph * sc / 2
            x *= 1 + tilt_y * uy
            y *= 1 + tilt_x * ux
            x += rng.gauss(0, 0.008) * fw
            y += rng.gauss(0, 0.008) * fh
            corners.append((cx + x * math.cos(rot) - y * math.sin(rot), cy + x * math.sin(rot) + y * math.cos(rot)))
        if all(0.01 * fw < x < 0.99 * fw and 0.01 * fh < y < 0.99 * fh for x, y in corners):
            break
    top = math.hypot(corners[1][0] - corners[0][0], corners[1][1] - corners[0][1])
    bottom = math.hypot(corners[2][0] - corners[3][0], corners[2][1] - corners[3][1])
    pre = min(1.0, 1.15 * max(top, bottom) / pw)
    src = page.resize((round(pw * pre), round(ph * pre)), Image.LANCZOS if rng.random() < 0.3 else Image.BOX)
    sw, sh = src.size
    fold = ballot["fold"]
    if fold is not None:  # the two halves of a folded sheet face the light differently
        k = rng.uniform(0.86, 0.97)
        at = int(fold["at"] * pre)
        box = ((0, at, sw, sh) if fold["side"] > 0 else (0, 0, sw, at)) if fold["horizontal"] else \
            ((at, 0, sw, sh) if fold["side"] > 0 else (0, 0, at, sh))
        if box[2] > box[0] and box[3] > box[1]:
            src.paste(src.crop(box).point(lambda v: int(v * k)), box[:2])
        info["fold"] = True
    sheet = Image.new("L", (sw, sh), 255)
    if rng.random() < 0.35:  # the sheet does not lie flat: it bows and curls a little
        src, sheet = curl(rng, src, sheet)
        info["curl"] = True
    coeffs = perspective_coeffs(corners, [(0, 0), (sw, 0), (sw, sh), (0, sh)])
    warped = src.transform((fw, fh), Image.PERSPECTIVE, coeffs, Image.BICUBIC)
    mask = sheet.transform((fw, fh), Image.PERSPECTIVE, coeffs, Image.BILINEAR)
    bg, bg_kind = table(rng, g, fw, fh)
    info["table"] = bg_kind
    # the sheet's own shadow on the table
    quarter = (fw // 4, fh // 4)
    shadow = mask.resize(quarter, Image.BILINEAR).filter(ImageFilter.GaussianBlur(rng.uniform(1, 3.5)))
    shadow = np.asarray(shadow.resize((fw, fh), Image.BILINEAR)).astype(np.float32) * (0.35 / 255.0)
    shift = (rng.randint(-8, 8), rng.randint(2, 12))
    shadow = np.roll(shadow, shift, axis=(1, 0))
    np.subtract(1.0, shadow, out=shadow)
    bg *= shadow[:, :, None]
    m = np.asarray(mask).astype(np.float32)[:, :, None] * (1 / 255.0)
    frame = np.asarray(warped).astype(np.float32) * (1 / 255.0)
    frame -= bg
    frame *= m
    frame += bg
    del bg, m, shadow
    # light: a lamp or window on one side, vignetting, a colour cast, exposure: one field over the frame
    ys = np.linspace(-1, 1, fh, dtype=np.float32)[:, None]
    xs = np.linspace(-1, 1, fw, dtype=np.float32)[None, :]
    a = rng.uniform(0, 2 * np.pi)
    slope = rng.uniform(0.05, 0.35)
    exposure = rng.uniform(0.78, 1.12)
    light = (1 + slope * (xs * math.cos(a) + ys * math.sin(a)) / 2) * exposure
    light *= smooth(g, fw, fh, (5, 4), rng.uniform(0.02, 0.1))
    light *= 1 - rng.uniform(0.05, 0.3) * (xs ** 2 + ys ** 2) / 2
    cast = rng.choice([(1.0, 0.93, 0.78), (1.0, 0.97, 0.9), (0.92, 0.97, 1.0), (1.0, 1.0, 1.0), (0.97, 1.0, 0.95)])
    if rng.random() < 0.35:  # the phone's or the hand's shadow over part of the sheet
        k = rng.uniform(0.55, 0.85)
        sm = Image.new("L", (fw, fh), 0)
        d = ImageDraw.Draw(sm)
        quarter = (fw // 4, fh // 4)
        side = rng.randrange(4)
        depth = rng.uniform(0.15, 0.5)
        x_a, x_b = sorted(rng.uniform(0, 1) for _ in range(2))
        if side == 0:
            poly = [(x_a * fw, -10), (x_b * fw + 0.3 * fw, -10), (x_b * fw, depth * fh),
                    (x_a * fw - 0.1 * fw, depth * fh * 0.8)]
        elif side == 1:
            poly = [(fw + 10, x_a * fh), (fw + 10, x_b * fh + 0.3 * fh), ((1 - depth) * fw, x_b * fh),
                    ((1 - depth * 0.8) * fw, x_a * fh)]
        elif side == 2:
            poly = [(x_a * fw, fh + 10), (x_b * fw + 0.3 * fw, fh + 10), (x_b * fw, (1 - depth) * fh),
                    (x_a * fw, (1 - depth * 0.7) * fh)]
        else:
            poly = [(-10, x_a * fh), (-10, x_b * fh + 0.3 * fh), (depth * fw, x_b * fh), (depth * 0.7 * fw, x_a * fh)]
        d.polygon(poly, fill=255)
        sm = sm.resize(quarter, Image.BILINEAR).filter(ImageFilter.GaussianBlur(rng.uniform(0.01, 0.05) * fw / 4))
        sm = sm.resize((fw, fh), Image.BILINEAR)
        sm = np.asarray(sm).astype(np.float32) * ((1 - k) / 255.0)
        light *= 1 - sm
        info["shadow"] = round(k, 2)
    if rng.random() < 0.1:  # a glare: a soft bright patch where a lamp reflects off the sheet
        gx, gy = rng.uniform(-0.6, 0.6), rng.uniform(-0.6, 0.6)
        gr = rng.uniform(0.15, 0.4)
        glare = rng.uniform(0.06, 0.16) * np.exp(-((xs - gx) ** 2 + (ys - gy) ** 2) / (2 * gr * gr))
        for ch in range(3):  # the reflection adds light and flattens what is under it
            frame[:, :, ch] = frame[:, :, ch] * (1 - glare) + glare
        info["glare"] = True
    if rng.random() < 0.2:  # moiré: slow curved bands and a fine beat
        period = rng.uniform(25, 110) * fw / 2000
        ang = rng.uniform(0, np.pi)
        bend = (smooth(g, fw, fh, (4, 3), 1.0) - 1) * rng.uniform(6, 16)
        X = np.arange(fw, dtype=np.float32)[None, :]
        Y = np.arange(fh, dtype=np.float32)[:, None]
        phase = (2 * np.pi / period) * (X * math.cos(ang) + Y * math.sin(ang)) + bend
        fine = (2 * np.pi / rng.uniform(2.1, 3.2)) * (X * math.cos(ang + 0.3) + Y * math.sin(ang + 0.3))
        amp = rng.uniform(0.005, 0.016)
        light *= 1 + amp * np.cos(phase) + 0.4 * amp * np.cos(fine)
        info["moire"] = round(amp, 3)
        del phase, fine, bend
    light *= 255.0
    for ch in range(3):
        frame[:, :, ch] *= light * cast[ch]
    del light
    np.clip(frame, 0, 255, out=frame)
    # sensor noise, louder in the dark
    sigma = rng.uniform(1.0, 4.5)
    noise = g.standard_normal((fh, fw), dtype=np.float32)
    noise *= sigma * (1.3 - frame[:, :, 1] * (0.6 / 255))
    frame += noise[:, :, None]
    del noise
    chroma = g.normal(0, sigma * 0.4, (fh // 4 + 1, fw // 4 + 1, 3)).astype(np.float32)
    chroma = np.asarray(Image.fromarray(np.clip(chroma + 128, 0, 255).astype(np.uint8), "RGB")
                        .resize((fw, fh), Image.BILINEAR)).astype(np.float32) - 128
    frame += chroma
    frame = np.clip(frame, 0, 255).astype(np.uint8)
    img = Image.fromarray(frame, "RGB")
    # defocus, stronger on one side (the sheet is not parallel to the sensor); sometimes a shaken hand
    r = rng.uniform(0.3, 2.6) * fw / 2400
    blurred = img.filter(ImageFilter.GaussianBlur(r))
    grad = np.clip(0.5 + 0.7 * (xs * math.cos(a + 1) + ys * math.sin(a + 1)), 0, 1)
    focus = Image.fromarray((grad * 255).astype(np.uint8), "L")
    img = Image.composite(blurred, img, focus)
    info["defocus"] = round(r, 2)
    if rng.random() < 0.12:
        n = rng.randint(2, 5)
        ang = rng.uniform(0, np.pi)
        base = np.asarray(img).astype(np.float32)
        acc = np.zeros_like(base)
        for k in range(n):
            acc += np.roll(base, (round(k * math.sin(ang)), round(k * math.cos(ang))), axis=(0, 1))
        img = Image.fromarray((acc / n).astype(np.uint8), "RGB")
        info["shake"] = n
    img = img.filter(ImageFilter.UnsharpMask(rng.uniform(0.8, 2.5), rng.randint(40, 170), rng.randint(0, 4)))
    q = rng.randint(60, 93)
    info["quality"] = q
    data = jpeg(img, q, 2)
    if rng.random() < 0.2:  # sent on through a chat app: smaller and compressed again
        img = Image.open(io.BytesIO(data))
        side = rng.choice([1280, 1600, 1920])
        if max(img.size) > side:
            k = side / max(img.size)
            img = img.resize((round(img.size[0] * k), round(img.size[1] * k)), Image.BILINEAR)
        q2 = rng.randint(55, 80)
        data = jpeg(img, q2, 2)
        info["forwarded"] = q2
    return data, info


# =====================================================================================================================
# Making pages.

_JOB = {}


def make_ballot(templates, seed, i):
    template = templates[i % len(templates)]
    ballot = draw_ballot(template, seed, i)
    ballot["seed"] = seed
    return ballot


def capture(ballot, kind, page=None):
    page = page or page_image(ballot["canvas"])
    data, info = scanner(ballot, page) if kind == "scanner" else phone(ballot, page)
    return {"truth": ballot["truth"], "markKinds": list(ballot["markKinds"]), "kind": kind, "jpeg": data,
            "capture": info, "template": ballot["template"], "index": ballot["index"], "pens": ballot["pens"]}


def make_one(i):
    templates, seed, kinds = _JOB["templates"], _JOB["seed"], _JOB["kinds"]
    ballot = make_ballot(templates, seed, i)
    page = page_image(ballot["canvas"])
    return [capture(ballot, k, page) for k in kinds]


def make_pages(folder, n, seed, kind="both", workers=1):
    """n ballots (ballot i on form i mod the number of forms), each captured as kind says: "both" gives 2n pages,
    ballot i's scanner page and then its phone page; "scanner" or "phone" n pages."""
    kinds = KINDS if kind == "both" else (kind,)
    _JOB.update(templates=templates_from(folder), seed=seed, kinds=kinds)
    if not workers or workers <= 1:
        made = [make_one(i) for i in range(n)]
    else:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            made = pool.map(make_one, range(n), chunksize=1)
    return [p for pages in made for p in pages]


# =====================================================================================================================
# Self-check.

def overlay(ballot, scale=0.4):
    img = page_image(ballot["canvas"])
    img = img.resize((round(img.size[0] * scale), round(img.size[1] * scale)), Image.BOX)
    d = ImageDraw.Draw(img)
    try:
        font = ImageFont.load_default(size=13)
    except TypeError:
        font = ImageFont.load_default()
    geo = ballot["geo"]
    k = 0
    for r in range(geo.rows):
        for c in range(geo.columns):
            cell = geo.boxes[r][c]
            x, y = cell[0][0] * scale, cell[0][3] * scale + 1
            colour = {"0": (0, 140, 0), "X": (200, 0, 0), "?": (220, 120, 0)}.get(ballot["truth"][k], (0, 0, 220))
            d.text((x, y), f"{ballot['truth'][k]} {ballot['markKinds'][k]}", fill=colour, font=font)
            k += 1
    return img


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--templates", required=True)
    ap.add_argument("--pages", type=int, default=10, help="ballots (each captured by scanner and by phone)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--debug", help="folder for previews and the audit")
    ap.add_argument("--out", help="folder for the JPEGs and truth.json")
    args = ap.parse_args()
    templates = templates_from(args.templates)
    print(f"{len(templates)} forms in {args.templates}", file=sys.stderr)
    if args.debug:
        os.makedirs(args.debug, exist_ok=True)
    if args.out:
        os.makedirs(args.out, exist_ok=True)
    start = time.time()
    problems, entries = [], []
    kinds, truths, captures = Counter(), Counter(), Counter()
    draw_s = capture_s = 0.0
    for i in range(args.pages):
        t0 = time.time()
        ballot = make_ballot(templates, args.seed, i)
        t1 = time.time()
        found = audit(ballot)
        problems += found
        page = page_image(ballot["canvas"])
        pages = [capture(ballot, k, page) for k in KINDS]
        t2 = time.time()
        draw_s += t1 - t0
        capture_s += t2 - t1
        kinds.update(ballot["markKinds"])
        truths.update(ballot["truth"])
        for p in pages:
            info = p["capture"]
            if p["kind"] == "scanner":
                captures.update([f"scanner-dpi-{info['dpi']}", "scanner-gray" if info["gray"] else "scanner-colour",
                                 f"scanner-lid-{info['lid']}"] + (["scanner-streak"] if info["streak"] else []))
            else:
                captures.update([f"phone-table-{info['table']}"] + [f"phone-{k}" for k in
                                ("fold", "curl", "shadow", "glare", "moire", "shake", "forwarded") if k in info])
            as_upload(p["jpeg"])  # decodes as the browser would
            if args.out:
                name = f"{p['kind']}-{i:04d}.jpg"
                with open(os.path.join(args.out, name), "wb") as fh:
                    fh.write(p["jpeg"])
                entries.append({"file": name, **{k: v for k, v in p.items() if k != "jpeg"}})
        print(f"ballot {i}: {ballot['template']} pens={ballot['pens']} habit={ballot['habit']} "
              f"stains={len(ballot['stains'])} fold={ballot['fold'] is not None} strays={ballot['strays']} "
              f"truth={ballot['truth']} audit_problems={len(found)} "
              f"scanner={pages[0]['capture']} phone={pages[1]['capture']}", file=sys.stderr)
        if args.debug and i < 4:
            overlay(ballot).save(os.path.join(args.debug, f"ballot-{i:02d}-truth.png"))
            for p in pages:
                with open(os.path.join(args.debug, f"ballot-{i:02d}-{p['kind']}.jpg"), "wb") as fh:
                    fh.write(p["jpeg"])
            # full-resolution crops of the first rows of marks
            geo = ballot["geo"]
            for r in (0, min(4, geo.rows - 1)):
                row = geo.boxes[r]
                x0, y0 = int(row[0][0][0] - 0.5 * geo.size), int(row[0][0][1] - 1.2 * geo.size)
                x1, y1 = int(row[min(2, geo.columns - 1)][3][2] + 0.5 * geo.size), int(row[0][0][3] + 1.2 * geo.size)
                page.crop((x0, y0, x1, y1)).save(os.path.join(args.debug, f"ballot-{i:02d}-row{r}-crop.png"))
    seconds = time.time() - start
    if args.out:
        with open(os.path.join(args.out, "truth.json"), "w") as fh:
            json.dump(entries, fh, ensure_ascii=False, indent=1)
    if args.debug:
        with open(os.path.join(args.debug, "audit.json"), "w") as fh:
            json.dump({"problems": problems, "markKinds": kinds, "truth": truths}, fh, ensure_ascii=False, indent=1)
    for p in problems[:40]:
        print("  audit:", p)
    print(f"made {args.pages} ballots = {2 * args.pages} pages in {seconds:.1f} s "
          f"({seconds / max(1, 2 * args.pages):.2f} s per page; drawing {draw_s / max(1, args.pages):.2f} s and "
          f"capturing {capture_s / max(1, args.pages):.2f} s per ballot)")
    print("truth:", dict(sorted(truths.items())))
    print("markKinds:", dict(kinds.most_common()))
    print("captures:", dict(sorted(captures.items())))
    print(f"audit: {len(problems)} problems in {sum(truths.values())} columns")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
