"""The one look of every chart: journal sizes, a colour-blind-safe palette, embedded fonts.

Figures are drawn at their printed size (a single column is 8.5 cm wide, a double 17.8 cm) so
that no text is smaller than 7 pt in print. Colours are Okabe and Ito's palette, which stays
distinguishable under the common colour-vision deficiencies and in greyscale by lightness.
DejaVu Sans ships with matplotlib, so the same glyphs are used on every machine; PDF embeds
them as TrueType (fonttype 42, editable in Illustrator), SVG draws them as paths (identical
everywhere), and file metadata carries no dates, so the same numbers give the same files.
"""

from contextlib import contextmanager
from io import BytesIO

import matplotlib

CM = 1 / 2.54  # inches per centimetre
SINGLE_COLUMN = 8.5 * CM
DOUBLE_COLUMN = 17.8 * CM
MIN_FONT_PT = 7.0
DPI = 300

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
GREY = "#7A7A7A"  # neutral things and reference lines; not a data colour of the palette
LIGHT_GREY = "#BDBDBD"

STANCE_COLOURS = {
    "support": OKABE_ITO["bluish_green"],
    "sceptical": OKABE_ITO["vermillion"],
    "neutral": GREY,
}
# Line colours in a fixed order (yellow is left out: too pale for thin lines on white).
SERIES_COLOURS = [
    OKABE_ITO[name]
    for name in ("blue", "orange", "bluish_green", "vermillion", "reddish_purple", "sky_blue")
]
MARKERS = ["o", "s", "^", "D", "v", "P"]

RC = {
    "font.family": "DejaVu Sans",
    "font.size": MIN_FONT_PT,
    "axes.titlesize": MIN_FONT_PT + 0.5,
    "axes.titleweight": "normal",
    "axes.titlelocation": "left",
    "axes.titlepad": 3.0,
    "axes.labelsize": MIN_FONT_PT,
    "xtick.labelsize": MIN_FONT_PT,
    "ytick.labelsize": MIN_FONT_PT,
    "legend.fontsize": MIN_FONT_PT,
    "legend.frameon": False,
    "legend.handlelength": 1.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.linewidth": 0.6,
    "axes.edgecolor": "#333333",
    "axes.labelcolor": "#222222",
    "axes.grid": False,
    "axes.prop_cycle": matplotlib.cycler(color=SERIES_COLOURS),
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.minor.width": 0.4,
    "xtick.major.size": 2.5,
    "ytick.major.size": 2.5,
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "lines.linewidth": 1.1,
    "lines.markersize": 3.0,
    "errorbar.capsize": 0,
    "patch.linewidth": 0.6,
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.fonttype": "path",
    "svg.hashsalt": "discourse",
    "savefig.dpi": DPI,
    "savefig.bbox": None,  # keep the exact printed width; constrained layout fits the content
    "figure.dpi": 100,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
}

# Metadata without creation dates, so identical charts are identical files.
METADATA = {
    "pdf": {"CreationDate": None, "ModDate": None, "Producer": "discourse (matplotlib)"},
    "svg": {"Date": None, "Creator": "discourse (matplotlib)"},
    "png": {"Software": "discourse (matplotlib)"},
}


@contextmanager
def project_style():
    """Apply the project style to the figures made and saved inside the block."""
    with matplotlib.rc_context(RC):
        yield


def render(figure, fmt: str) -> bytes:
    """A figure as PDF, SVG or PNG bytes, saved in the project style without dates."""
    buffer = BytesIO()
    with project_style():
        figure.savefig(buffer, format=fmt, metadata=METADATA[fmt])
    return buffer.getvalue()


class Inline:
    """A figure that shows itself in a notebook as SVG: `Inline(figure)` as a cell's result."""

    def __init__(self, figure):
        self.figure = figure

    def _repr_svg_(self) -> str:
        return render(self.figure, "svg").decode("utf-8")
