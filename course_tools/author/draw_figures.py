"""Draw the assignment's figures into source/<assignment>/images/.

Run ``python -m course_tools.author.draw_figures`` (``make figures``). The PNGs are
committed; a test redraws them and checks they are byte-for-byte the same, so the
drawing must be deterministic: fixed numbers, no timestamps in the PNG metadata.
"""
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from course_tools.course import ROOT  # noqa: E402

PNG_METADATA = {"Software": None}  # keeps the matplotlib version out of the file
PAD_COLOUR = "#d9d9d9"
VALUE_COLOUR = "#cfe2f3"
WINDOW_COLOURS = ["#e06666", "#6aa84f", "#3d85c6", "#f1c232"]


def draw_grid(ax, values, origin=(0, 0), fill=None, fontsize=10):
    """Draw a table of numbers as cells, row 0 at the top."""
    x0, y0 = origin
    for r, row in enumerate(values):
        for c, value in enumerate(row):
            colour = fill(r, c) if fill else VALUE_COLOUR
            ax.add_patch(Rectangle((x0 + c, y0 - r - 1), 1, 1, facecolor=colour, edgecolor="black", lw=0.8))
            text = value if isinstance(value, str) else f"{value:g}"
            ax.text(x0 + c + 0.5, y0 - r - 0.5, text, ha="center", va="center", fontsize=fontsize)


def outline(ax, top_left, rows, cols, colour, lw=3.0):
    x0, y0 = top_left
    ax.add_patch(Rectangle((x0, y0 - rows), cols, rows, fill=False, edgecolor=colour, lw=lw))


def finish(fig, ax, name, xlim, ylim):
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    return name, fig


def zero_padding():
    image = [[3, 1, 4, 1], [5, 9, 2, 6], [5, 3, 5, 8], [9, 7, 9, 3]]
    padded = [[0] * 6] + [[0] + row + [0] for row in image] + [[0] * 6]
    fig, ax = plt.subplots(figsize=(7, 3.2))
    draw_grid(ax, image, origin=(0, 5))
    ax.text(2, 5.4, "input, 4x4", ha="center")
    ax.annotate("", xy=(6.3, 2.5), xytext=(4.6, 2.5), arrowprops={"arrowstyle": "->", "lw": 2})
    ax.text(5.45, 2.8, "pad = 1", ha="center")
    draw_grid(ax, padded, origin=(7, 6), fill=lambda r, c: PAD_COLOUR if r in (0, 5) or c in (0, 5) else VALUE_COLOUR)
    ax.text(10, 6.4, "padded, 6x6", ha="center")
    return finish(fig, ax, "zero_padding.png", (-0.2, 13.2), (-0.2, 7))


def conv_window():
    size, pad, f, stride, h, w = 7, 1, 3, 2, 1, 2
    fig, ax = plt.subplots(figsize=(9, 4.6))
    grid = [["0" if r in (0, size - 1) or c in (0, size - 1) else "" for c in range(size)] for r in range(size)]
    draw_grid(ax, grid, origin=(0, size),
              fill=lambda r, c: PAD_COLOUR if r < pad or c < pad or r >= size - pad or c >= size - pad else VALUE_COLOUR)
    vs, hs = h * stride, w * stride
    outline(ax, (hs, size - vs), f, f, WINDOW_COLOURS[0])
    for r in range(size + 1):
        ax.text(-0.3, size - r, str(r), ha="right", va="center", fontsize=8, color="gray")
        ax.text(r, size + 0.3, str(r), ha="center", va="bottom", fontsize=8, color="gray")
    ax.annotate(f"vert_start = h*stride = {vs}", xy=(hs, size - vs), xytext=(-6.4, size - vs + 0.6),
                arrowprops={"arrowstyle": "->"}, fontsize=9)
    ax.annotate(f"vert_end = vert_start + f = {vs + f}", xy=(hs, size - vs - f), xytext=(-6.4, size - vs - f - 0.6),
                arrowprops={"arrowstyle": "->"}, fontsize=9)
    ax.annotate(f"horiz_start = w*stride = {hs}", xy=(hs, size - vs - f), xytext=(hs - 2.5, -1.1),
                arrowprops={"arrowstyle": "->"}, fontsize=9)
    ax.annotate(f"horiz_end = {hs + f}", xy=(hs + f, size - vs - f), xytext=(hs + 2.2, -0.6),
                arrowprops={"arrowstyle": "->"}, fontsize=9)
    ax.text(3.5, -2.0, f"padded input ({size}x{size}, pad {pad}), f = {f}, stride = {stride}", ha="center")
    n_out = (size - f) // stride + 1
    out = [["" for _ in range(n_out)] for _ in range(n_out)]
    draw_grid(ax, out, origin=(10, 5), fill=lambda r, c: WINDOW_COLOURS[0] if (r, c) == (h, w) else "white")
    for k in range(n_out):
        ax.text(9.7, 5 - k - 0.5, f"h={k}", ha="right", va="center", fontsize=8, color="gray")
        ax.text(10 + k + 0.5, 5.3, f"w={k}", ha="center", va="bottom", fontsize=8, color="gray")
    ax.text(11.5, 0.9, f"output ({n_out}x{n_out}):\n(h, w) = ({h}, {w})", ha="center", va="top")
    return finish(fig, ax, "conv_window.png", (-6.6, 14), (-2.5, 8.3))


def pooling():
    x = [[1, 3, 2, 9], [4, 6, 1, 1], [7, 2, 5, 3], [0, 5, 8, 4]]
    window = lambda r, c: WINDOW_COLOURS[(r // 2) * 2 + c // 2]  # noqa: E731
    blocks = [[[x[r][c] for r in range(2 * i, 2 * i + 2) for c in range(2 * j, 2 * j + 2)] for j in range(2)]
              for i in range(2)]
    maxima = [[max(b) for b in row] for row in blocks]
    means = [[sum(b) / 4 for b in row] for row in blocks]
    fig, ax = plt.subplots(figsize=(8, 3.2))
    draw_grid(ax, x, origin=(0, 4), fill=window)
    ax.text(2, 4.35, "input (f = 2, stride = 2)", ha="center")
    for origin, values, title in (((6.5, 3), maxima, "max pooling"), ((10.5, 3), means, "average pooling")):
        draw_grid(ax, values, origin=origin, fill=lambda r, c: window(2 * r, 2 * c))
        ax.text(origin[0] + 1, origin[1] + 0.35, title, ha="center")
    ax.annotate("", xy=(6.2, 2), xytext=(4.3, 2), arrowprops={"arrowstyle": "->", "lw": 2})
    return finish(fig, ax, "pooling.png", (-0.2, 13.2), (-0.2, 4.9))


def pool_backward():
    window = [[1, 3], [6, 2]]
    fig, ax = plt.subplots(figsize=(8.5, 3.4))
    draw_grid(ax, window, origin=(0, 3))
    ax.text(1, 3.35, "window of A_prev", ha="center")
    draw_grid(ax, [[8]], origin=(3.5, 2.5), fill=lambda r, c: WINDOW_COLOURS[3])
    ax.text(4, 2.85, "dA[i, h, w, c]", ha="center")
    max_grad = [[0, 0], [8, 0]]
    draw_grid(ax, max_grad, origin=(7, 3), fill=lambda r, c: WINDOW_COLOURS[0] if (r, c) == (1, 0) else "white")
    ax.text(8, 3.35, "max: where the max was", ha="center")
    draw_grid(ax, [[2, 2], [2, 2]], origin=(11, 3), fill=lambda r, c: WINDOW_COLOURS[1])
    ax.text(12, 3.35, "average: 8 / (2*2) each", ha="center")
    ax.annotate("", xy=(6.7, 2), xytext=(4.7, 2), arrowprops={"arrowstyle": "->", "lw": 2})
    ax.text(10, 2, "or", ha="center", va="center", fontsize=12)
    return finish(fig, ax, "pool_backward.png", (-0.2, 13.4), (0.6, 3.9))


def model():
    """A whole network: the layers of this notebook stacked, fully connected layers at the end."""
    layers = [("CONV", "#cfe2f3"), ("RELU", "#d9ead3"), ("POOL", "#fce5cd"), ("CONV", "#cfe2f3"),
              ("RELU", "#d9ead3"), ("POOL", "#fce5cd"), ("FLATTEN", "#eeeeee"), ("FC", "#ead1dc"),
              ("FC", "#ead1dc"), ("SOFTMAX", "#fff2cc")]
    fig, ax = plt.subplots(figsize=(11, 1.9))
    ax.text(-0.3, 0.5, "image", ha="right", va="center", fontsize=10)
    for index, (label, colour) in enumerate(layers):
        x = index * 1.5
        ax.add_patch(Rectangle((x, 0), 1.15, 1, facecolor=colour, edgecolor="black", lw=0.8))
        ax.text(x + 0.575, 0.5, label, ha="center", va="center", fontsize=7 if len(label) > 4 else 10)
        if index:
            ax.annotate("", xy=(x, 0.5), xytext=(x - 0.35, 0.5), arrowprops={"arrowstyle": "->", "lw": 1.2})
    ax.text(len(layers) * 1.5 - 0.2, 0.5, "class\nprobabilities", ha="left", va="center", fontsize=10)
    ax.text(1.5 * 1.5 + 0.575, 1.25, "this notebook: CONV and POOL, forward and backward", ha="center", fontsize=9)
    return finish(fig, ax, "model.png", (-1.6, 17.2), (-0.2, 1.6))


def digits_network():
    """Part 2's network, with the shape of one example's data between the layers."""
    layers = [("CONV\n8 filters 3x3\npad 1", "#cfe2f3", "8x8x8"), ("RELU", "#d9ead3", "8x8x8"),
              ("MAXPOOL\n2x2, stride 2", "#fce5cd", "4x4x8"), ("FLATTEN", "#eeeeee", "128"),
              ("FC\n128 → 10", "#ead1dc", "10"), ("SOFTMAX", "#fff2cc", "10")]
    fig, ax = plt.subplots(figsize=(12, 2.0))
    ax.text(-0.3, 0.5, "digit\n8x8x1", ha="right", va="center", fontsize=10)
    step, width = 2.7, 1.7
    for index, (label, colour, shape) in enumerate(layers):
        x = index * step
        ax.add_patch(Rectangle((x, 0), width, 1, facecolor=colour, edgecolor="black", lw=0.8))
        ax.text(x + width / 2, 0.5, label, ha="center", va="center", fontsize=8)
        ax.annotate("", xy=(x + step - 0.05, 0.5), xytext=(x + width + 0.05, 0.5),
                    arrowprops={"arrowstyle": "->", "lw": 1.2})
        ax.text(x + (width + step) / 2, 0.62, shape, ha="center", va="bottom", fontsize=7, color="#444444")
    ax.text(len(layers) * step + 0.05, 0.5, "loss: cross-entropy\nwith the one-hot label", ha="left", va="center",
            fontsize=9)
    return finish(fig, ax, "digits_network.png", (-1.6, 19.6), (-0.2, 1.3))


# Each assignment's figures, drawn into source/<assignment>/images/.
FIGURES = {"cnn_step_by_step": [zero_padding, conv_window, pooling, pool_backward, model],
           "cnn_application": [digits_network]}


def images_of(assignment, root=ROOT / "source"):
    return Path(root) / assignment / "images"


def draw_all(root=ROOT / "source"):
    """Draw every assignment's figures under `root`; {assignment: [file names]}."""
    drawn = {}
    with plt.rc_context({"font.family": "DejaVu Sans"}):
        for assignment, figures in FIGURES.items():
            out_dir = images_of(assignment, root)
            out_dir.mkdir(parents=True, exist_ok=True)
            for draw in figures:
                name, fig = draw()
                fig.savefig(out_dir / name, dpi=100, metadata=PNG_METADATA, bbox_inches="tight")
                plt.close(fig)
            drawn[assignment] = [draw.__name__ + ".png" for draw in figures]
    return drawn


def main():
    for assignment, names in draw_all().items():
        print(f"drew {', '.join(names)} into {images_of(assignment).relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
