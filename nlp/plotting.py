"""Matplotlib setup shared by the report and the notebook: a bundled CJK font and PNG embedding.

The font is Noto Sans CJK (SIL OFL 1.1) shipped inside the `noto-cjk-sans-otc` wheel, a
runtime dependency of jixiao, so Chinese labels render on machines without system CJK fonts.
Nothing is downloaded at run time.
"""

from __future__ import annotations

import base64
import functools
import io
import logging
from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure

log = logging.getLogger(__name__)

CJK_FAMILY = "Noto Sans CJK SC"
KIND_COLORS = {  # value kinds (TAXONOMY §3): measurable in greens/blues, not measurable in orange/red
    "rate": "#2e7d32",
    "count": "#66bb6a",
    "threshold": "#1e88e5",
    "qualitative": "#fb8c00",
    "unspecified": "#c62828",
}


class CJKFontMissingError(RuntimeError):
    """The bundled CJK font package is not installed."""


def _font_path() -> Path:
    try:
        import noto_cjk_sans_otc
    except ImportError as err:
        raise CJKFontMissingError(
            "Chinese chart labels need the font package 'noto-cjk-sans-otc' (a jixiao dependency); "
            "install it with: pip install noto-cjk-sans-otc  (or pip install -e . in the repository)"
        ) from err
    path = Path(str(noto_cjk_sans_otc.FONT_PATH))
    if not path.is_file():
        raise CJKFontMissingError(f"font file {path} listed by noto-cjk-sans-otc is missing; reinstall it")
    return path


@functools.lru_cache(maxsize=1)
def use_cjk_font() -> str:
    """Register the bundled Noto Sans CJK font with matplotlib and make it the default; return its family."""
    path = _font_path()
    font_manager.fontManager.addfont(str(path))
    mpl.rcParams["font.family"] = "sans-serif"
    mpl.rcParams["font.sans-serif"] = [CJK_FAMILY, *mpl.rcParams["font.sans-serif"]]
    mpl.rcParams["axes.unicode_minus"] = False  # keep ASCII minus signs, like every other label
    log.debug("registered CJK font %s from %s", CJK_FAMILY, path)
    return CJK_FAMILY


def new_figure(width: float, height: float) -> tuple[Figure, Axes]:
    """A figure with one axes, outside pyplot (no backend, no window, nothing left open)."""
    fig = Figure(figsize=(width, height))
    return fig, fig.subplots()


def figure_to_png_base64(fig: Figure) -> str:
    """Render a figure as PNG and return it base64-encoded, for an inline <img src="data:...">."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")
