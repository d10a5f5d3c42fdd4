"""Charts of the annual report: one PNG per section, month by month, drawn with matplotlib's
Agg renderer (no display, no pyplot state: safe in a web worker) in Noto Sans CJK SC (Debian's
fonts-noto-cjk, as the PDFs use), embedded in the .docx and the .pdf. Counts are bars on the
left axis; a rate or an average is a line on the right axis. The numbers are the report's own
(the same figures as its tables and the dashboard)."""

import io
import math

CJK_FONT = "Noto Sans CJK SC"
COLOURS = ["#c0392b", "#e67e22", "#7f8c8d"]
LINE_COLOUR = "#2c3e50"


def render(months, bars, line=None, *, title=""):
    """PNG bytes. months: x labels; bars: [(label, [numbers])]; line: (label, [number or None]) or None."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    font = {"family": CJK_FONT}
    figure = Figure(figsize=(7.2, 2.8), dpi=150)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    x = list(range(len(months)))
    width = 0.8 / max(1, len(bars))
    for i, (label, values) in enumerate(bars):
        offset = (i - (len(bars) - 1) / 2) * width
        axes.bar([p + offset for p in x], [v or 0 for v in values], width=width, label=str(label),
                 color=COLOURS[i % len(COLOURS)])
    axes.set_xticks(x, [str(m) for m in months], fontfamily=CJK_FONT, fontsize=8)
    axes.tick_params(axis="y", labelsize=8)
    axes.spines[["top"]].set_visible(False)
    handles, labels = axes.get_legend_handles_labels()
    if line is not None:
        label, values = line
        right = axes.twinx()
        right.plot(x, [math.nan if v is None else float(v) for v in values], color=LINE_COLOUR, marker="o",
                   markersize=3, linewidth=1.5, label=str(label))
        right.tick_params(axis="y", labelsize=8)
        right.set_ylim(bottom=0)
        more_handles, more_labels = right.get_legend_handles_labels()
        handles, labels = handles + more_handles, labels + more_labels
    if title:
        axes.set_title(str(title), fontdict={**font, "fontsize": 10})
    if handles:
        axes.legend(handles, labels, prop={**font, "size": 8}, loc="upper left", frameon=False,
                    ncol=len(handles))
    axes.set_ylim(bottom=0, top=max([1] + [v or 0 for _label, values in bars for v in values]) * 1.25)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
