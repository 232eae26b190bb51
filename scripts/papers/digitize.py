"""The published curves of the authors' figures, as numbers.

    python3 scripts/papers/digitize.py KKT_REPO RELU_REPO

KKT_REPO is a checkout of github.com/Silentmoonlight/kkt-embedding-principle (commit 347d3ac),
RELU_REPO one of github.com/ZhengqingUUU/relu_like_NN_loss_landscape (commit fdcac59). Writes
examples/papers/published-curves.json.

Vector figures (the embedding notebooks' PDFs, written by matplotlib): the plotted line is a PDF
path whose vertices are data points (matplotlib's path simplification drops vertices, it does
not move them), in page coordinates printed with 6 decimals. The axes are calibrated from the
major tick marks (their positions and the values of their labels), so a vertex is read back to
1e-6 pt: on these axes an absolute 1e-8 on a linear axis, a relative 3e-8 on a log axis.

Raster figures (the saddle notebooks' PNG outputs, 300 dpi): the loss panel's line is the
matplotlib default blue; for every pixel column inside the axes frame the line's row is the
blue-weighted centroid of that column, mapped to data with the axis limits the notebook sets
(x of the 5-point figure: matplotlib's automatic limits, the data range ±5 %). Accuracy: about
one pixel (given per curve).
"""
import base64
import json
import os
import re
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "examples", "papers", "published-curves.json")
KKT = "github.com/Silentmoonlight/kkt-embedding-principle@347d3ac"
RELU = "github.com/ZhengqingUUU/relu_like_NN_loss_landscape@fdcac59"

# One entry per vector figure: the major tick values in drawing order (x ticks, then y ticks),
# the scales, and what the line is. x is the step index k of plt.plot(list) (k = 0, 1, …).
PDF_FIGURES = {
    "exp1-loss": ("figures/plot5_loss_loglog_final.pdf", [1, 10, 100, 1e3, 1e4, 1e5], "log", [1e-3, 1e-2, 1e-1], "log",
                  "exp1_mlp_gd_separable.ipynb cell 0: loss_history[k] = ℒ(θ_k), log–log"),
    "exp1-error": ("figures/plot1_error_logy_final.pdf", [0, 20000, 40000, 60000, 80000, 100000], "linear", [1e-15, 1e-14, 1e-13], "log",
                   "exp1_mlp_gd_separable.ipynb cell 0: error_history[k] = ‖η_{k+1} − Tθ_{k+1}‖, log y"),
    "exp2a-error": ("figures/exp2a_sgd_error_vs_steps.pdf", [0, 20000, 40000, 60000, 80000, 100000], "linear", [1e-16, 1e-15, 1e-14, 1e-13], "log",
                    "exp2a_mlp_sgd_identical.ipynb cell 0: error_history[k] = ‖η_{k+1} − Tθ_{k+1}‖ (the instantaneous curve), log y"),
    "exp2a-loss-epochs": ("figures/exp2a_sgd_loss_vs_epochs.pdf", [0, 2000, 4000, 6000, 8000, 10000, 12000, 14000], "linear", [1e-3, 1e-2, 1e-1], "log",
                          "exp2a_mlp_sgd_identical.ipynb cell 0: full-batch loss of the narrow net after epoch e (7 steps), x = e"),
    "exp2b-error": ("figures/exp2b_sgd_different_batches_error.pdf", [0, 20000, 40000, 60000, 80000, 100000], "linear",
                    [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3], "linear",
                    "code not published (the exp2b notebook is a copy of exp2a): ‖η_{k+1} − Tθ_{k+1}‖ with one DataLoader per network"),
    "exp3-loss": ("figures/exp3_gd_nonsep_loss.pdf", [0, 20000, 40000, 60000, 80000, 100000], "linear",
                  [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8], "linear", "exp3_mlp_gd_nonseparable.ipynb cell 0: loss_history[k] = ℒ(θ_k)"),
    "exp3-error": ("figures/exp3_gd_nonsep_error.pdf", [0, 20000, 40000, 60000, 80000, 100000], "linear", [1e-16, 1e-15, 1e-14, 1e-13], "log",
                   "exp3_mlp_gd_nonseparable.ipynb cell 0: error_history[k] = ‖η_{k+1} − Tθ_{k+1}‖, log y"),
    "exp4-loss": ("figures/exp4_cnn_gd_loss.pdf", [0, 20000, 40000, 60000, 80000, 100000], "linear", [0.7, 0.8, 0.9], "log",
                  "exp4_cnn_gd_separable.ipynb cell 0: loss_history[k] = ℒ(θ_k), log y"),
    "exp4-error": ("figures/exp4_cnn_gd_error.pdf", [0, 20000, 40000, 60000, 80000, 100000], "linear",
                   [1e-16, 1e-15, 1e-14, 1e-13, 1e-12, 1e-11, 1e-10], "log",
                   "exp4_cnn_gd_separable.ipynb cell 0: error_history[k] = ‖η_{k+1} − Tθ_{k+1}‖, log y"),
}

NUM = r"(-?[\d.]+)"


def streams(pdf):
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            yield zlib.decompress(m.group(1)).decode("latin1")
        except zlib.error:
            continue


def major_ticks(content):
    """Positions of the labelled tick marks: 3.5 pt (major) or 2 pt (minor) segments followed by
    an upright label placed next to them."""
    xs, ys = [], []
    seg = re.compile(NUM + " " + NUM + r" m\s+" + NUM + " " + NUM + r" l\s+B")
    lab = re.compile(r"^\s*1 w\s+q\s+1 0 -?0 1 " + NUM + " " + NUM + r" cm\s+BT")
    for m in seg.finditer(content):
        x0, y0, x1, y1 = map(float, m.groups())
        label = lab.match(content[m.end():m.end() + 200])
        if not label:
            continue
        lx, ly = map(float, label.groups())
        tick = lambda d: min(abs(d - 3.5), abs(d - 2)) < 1e-6
        if abs(x0 - x1) < 1e-9 and tick(abs(y0 - y1)) and abs(lx - x0) < 20:
            xs.append(x0)
        elif abs(y0 - y1) < 1e-9 and tick(abs(x0 - x1)) and abs(ly - y0) < 10:
            ys.append(y0)
    return xs, ys


def axis_map(positions, values, scale):
    """Page coordinate → data value from the first and last labelled tick (checked on all)."""
    import math
    f = (lambda v: math.log10(v)) if scale == "log" else (lambda v: v)
    p0, p1, v0, v1 = positions[0], positions[-1], f(values[0]), f(values[-1])
    slope = (v1 - v0) / (p1 - p0)
    for p, v in zip(positions, values):
        assert abs(v0 + slope * (p - p0) - f(v)) < 1e-6 * max(1.0, abs(v1 - v0)), "ticks are not evenly spaced"
    inv = (lambda u: 10 ** u) if scale == "log" else (lambda u: u)
    return lambda p: inv(v0 + slope * (p - p0)), abs(slope)


def pdf_curve(path, xs, xscale, ys, yscale):
    pdf = open(path, "rb").read()
    content = max(streams(pdf), key=lambda s: s.count(" l\n"))
    tx, ty = major_ticks(content)
    assert len(tx) == len(xs) and len(ty) == len(ys), f"{path}: {len(tx)} x and {len(ty)} y labelled ticks, expected {len(xs)} and {len(ys)}"
    fx, sx = axis_map(tx, xs, xscale)
    fy, sy = axis_map(ty, ys, yscale)
    runs = [m.group(0) for m in re.finditer(r"(?:-?[\d.]+ -?[\d.]+ [ml]\s*\n){20,}", content)]
    line = max(runs, key=len)
    pts = [(float(a), float(b)) for a, b in re.findall(NUM + " " + NUM + r" [ml]", line)]
    out = []
    for px, py in pts:
        k = fx(px)
        if xscale == "log" and k < 0.5:
            continue  # the k = 0 vertex of a log-x plot is clipped to the axis edge: not a data point
        out.append([round(k), fy(py)])
    # reading resolution of one coordinate (1e-6 pt)
    res = {"x": 1e-6 * sx if xscale == "linear" else None, "y": 1e-6 * sy}
    return out, res


def png_rgba(data):
    """Decode an 8-bit RGBA, non-interlaced PNG into rows of (r, g, b, a) tuples."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype == 6 and interlace == 0
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, stride, rows, prev = zlib.decompress(idat), 4 * w, [], bytearray(4 * w)
    for r in range(h):
        ftype, line = raw[r * (stride + 1)], bytearray(raw[r * (stride + 1) + 1:(r + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - 4] if i >= 4 else 0
            b, c = prev[i], prev[i - 4] if i >= 4 else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[4 * x:4 * x + 4]) for x in range(w)])
        prev = line
    return rows


def frame(rows, x_from):
    """The first axes frame right of column x_from: the spans of its dark top/bottom and left/right spines."""
    h, w = len(rows), len(rows[0])
    dark = lambda p: p[3] > 200 and max(p[:3]) < 60
    cols = [x for x in range(x_from, w) if sum(dark(rows[y][x]) for y in range(h)) > 0.5 * h]
    left = cols[0]
    right = next(x for x in cols if x > left + 50)
    span = [y for y in range(h) if sum(dark(rows[y][x]) for x in range(left, right)) > 0.8 * (right - left)]
    # the spines are a few pixels thick: take the inner edges
    lefts = [x for x in cols if x < left + 10]
    rights = [x for x in cols if right <= x < right + 10]
    tops = [y for y in span if y < span[0] + 10]
    bottoms = [y for y in span if y > span[-1] - 10]
    return (lefts[-1] + 1, rights[0] - 1, tops[-1] + 1, bottoms[0] - 1), (sum(lefts) / len(lefts), sum(rights) / len(rights), sum(tops) / len(tops), sum(bottoms) / len(bottoms))


def png_curve(nb_path, cell, xlim, ylim):
    nb = json.load(open(nb_path))
    png = next(base64.b64decode(o["data"]["image/png"]) for o in nb["cells"][cell]["outputs"] if "data" in o and "image/png" in o["data"])
    rows = png_rgba(png)
    (x0, x1, y0, y1), (cl, cr, ct, cb) = frame(rows, 0)
    blue = (31, 119, 180)
    pts = []
    for x in range(x0 + 2, x1 - 1):
        wsum = ysum = 0.0
        for y in range(y0, y1 + 1):
            r, g, b, a = rows[y][x]
            if a < 50:
                continue
            dist = abs(r - blue[0]) + abs(g - blue[1]) + abs(b - blue[2])
            white = 765 - (r + g + b)
            wgt = white if dist < 0.25 * 765 and b > r + 60 else 0.0
            wsum += wgt
            ysum += wgt * y
        if wsum > 0:
            py = ysum / wsum
            k = xlim[0] + (x - cl) / (cr - cl) * (xlim[1] - xlim[0])
            v = ylim[0] + (cb - py) / (cb - ct) * (ylim[1] - ylim[0])
            pts.append([round(k), v])
    px = {"x": (xlim[1] - xlim[0]) / (cr - cl), "y": (ylim[1] - ylim[0]) / (cb - ct)}
    return pts, px


# Rounding-level error curves are kept as their upper envelope (the largest vertex of each of
# ENVELOPE buckets of consecutive vertices): they are drawn for comparison, not compared point by point.
ENVELOPE = 1500
ENVELOPED = {"exp1-error", "exp2a-error", "exp3-error", "exp4-error"}


def envelope(pts, buckets):
    size = max(1, -(-len(pts) // buckets))
    return [max(pts[i:i + size], key=lambda p: p[1]) for i in range(0, len(pts), size)]


def compact(pts):
    return [[x, float(f"{y:.12g}")] for x, y in pts]


def main():
    kkt, relu = sys.argv[1], sys.argv[2]
    out = {}
    for key, (rel, xs, xscale, ys, yscale, what) in PDF_FIGURES.items():
        pts, res = pdf_curve(os.path.join(kkt, rel), xs, xscale, ys, yscale)
        if key in ENVELOPED:
            what += f"; upper envelope: the largest of each run of {-(-len(pts) // ENVELOPE)} consecutive vertices ({len(pts)} in the figure)"
            pts = envelope(pts, ENVELOPE)
        out[key] = {"source": f"{KKT} {rel}", "what": what, "kind": "vector", "xScale": xscale, "yScale": yscale,
                    "resolution": res, "points": compact(pts)}
    # saddle notebooks: loss panel of Figure 3 (5 points, cell 6) and Figure 11 (3-D, cell 6)
    span5 = 598000 - 2000
    for key, nbname, xlim, ylim in [
        ("saddles-5pt-loss", "01_2D_input_1D_output.ipynb", (2000 - 0.05 * span5, 598000 + 0.05 * span5), (0.0, 0.045)),
        ("saddles-3d-loss", "02_3D_input_1D_output.ipynb", (0.0, 6e5), (0.0, 0.24)),
    ]:
        pts, px = png_curve(os.path.join(relu, nbname), 6, xlim, ylim)
        out[key] = {"source": f"{RELU} {nbname} cell 6 (PNG output, loss panel)", "what": "mean squared error (torch mse_loss, float32) recorded every 2,000 steps, plotted against the step",
                    "kind": "raster", "xScale": "linear", "yScale": "linear", "resolution": px, "points": compact(pts)}
    with open(OUT, "w") as f:
        f.write("{\n" + ",\n".join(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False, separators=(',', ':'))}" for k, v in out.items()) + "\n}\n")
    for k, v in out.items():
        print(k, len(v["points"]), v["resolution"])


if __name__ == "__main__":
    main()
