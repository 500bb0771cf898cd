"""Five themes for the whole app, chrome and Plotly figures alike, and one meaning per colour.

Each theme is a palette; the stylesheet (`theme_css`) and the figure styling (`themed`)
are both made from it, so the page and its charts can never disagree.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeAlias, TypeVar

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from _plotly_utils.basevalidators import DataArrayValidator
from _plotly_utils.utils import convert_to_base64

# A figure: plotly's object, or its plain data ({"data": [trace, ...], "layout": {...}}, each
# trace with its "type"), which pages build where plotly's validation buys nothing (#26: a
# bar chart made with `add_bar` and `update_layout` took 3-6 ms, its plain dict 0.002 ms).
Figure: TypeAlias = go.Figure | dict[str, Any]
FigureT = TypeVar("FigureT", go.Figure, dict[str, Any])


@dataclass(frozen=True)
class Palette:
    label: str
    base: str  # Bootstrap's own colour mode underneath: "light" or "dark"
    page: str  # the page background behind the cards
    surface: str  # cards, navigation, top bar
    text: str
    muted: str  # secondary text
    border: str
    accent: str  # links, active navigation, focus ring
    button: str  # primary button background
    button_text: str
    grid: str  # chart grid lines
    series: tuple[str, ...]
    font: str = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
    underline_links: bool = False


# Series colours of the default theme, chosen to stay distinguishable for the common
# colour-vision deficiencies.
SERIES_COLORS = ("#1c7ed6", "#f59f00", "#12b886", "#ae3ec9", "#868e96", "#e64980")

PALETTES: dict[str, Palette] = {
    "default": Palette(
        label="Default",
        base="light",
        page="#f8f9fa",
        surface="#ffffff",
        text="#212529",
        muted="#5c636a",
        border="#dee2e6",
        accent="#0b5ed7",
        button="#0b5ed7",
        button_text="#ffffff",
        grid="#e9ecef",
        series=SERIES_COLORS,
    ),
    "dark": Palette(
        label="Dark",
        base="dark",
        page="#1a1d20",
        surface="#212529",
        text="#dee2e6",
        muted="#adb5bd",
        border="#495057",
        accent="#6ea8fe",
        button="#0b5ed7",
        button_text="#ffffff",
        grid="#343a40",
        series=("#4dabf7", "#ffc078", "#63e6be", "#da77f2", "#ced4da", "#f783ac"),
    ),
    "high-contrast": Palette(
        label="High contrast",
        base="dark",
        page="#000000",
        surface="#000000",
        text="#ffffff",
        muted="#e9ecef",
        border="#ffffff",
        accent="#ffff00",
        button="#ffff00",
        button_text="#000000",
        grid="#8c8c8c",
        series=("#ffff00", "#00ffff", "#ff80ff", "#80ff80", "#ffffff", "#ffa94d"),
        underline_links=True,
    ),
    "professional": Palette(
        label="Professional",
        base="light",
        page="#eef1f4",
        surface="#ffffff",
        text="#1b2733",
        muted="#4a5a6a",
        border="#cfd6dd",
        accent="#1f4e79",
        button="#1f3a5f",
        button_text="#ffffff",
        grid="#e3e8ed",
        series=("#1f4e79", "#7a9cc6", "#2a9d8f", "#b08d57", "#6c757d", "#8d5a97"),
        font="'Segoe UI', 'Helvetica Neue', Arial, sans-serif",
    ),
    "colourful": Palette(
        label="Colourful",
        base="light",
        page="#fff7ed",
        surface="#ffffff",
        text="#2b2d42",
        muted="#5a5470",
        border="#f1d9c4",
        accent="#7b2cbf",
        button="#7b2cbf",
        button_text="#ffffff",
        grid="#f3e8dc",
        series=("#7b2cbf", "#ff6b35", "#00a6a6", "#f72585", "#3a86ff", "#e9a100"),
    ),
}
THEMES = tuple(PALETTES)
DEFAULT_THEME = "default"
FOLLOW_SYSTEM = "system"  # no theme chosen yet: the browser picks dark or default from the OS

# Risk bands keep these colours everywhere, in every theme (all readable on white and on dark).
RISK_COLORS = {"low": "#2f9e44", "medium": "#f08c00", "high": "#e8590c", "critical": "#c92a2a"}
# Text on those colours with at least 4.5:1 contrast (WCAG AA): black 5.9-8.4:1, white 5.5:1.
RISK_TEXT = {"low": "#000000", "medium": "#000000", "high": "#000000", "critical": "#ffffff"}
STATUS_COLORS = {
    "completed": "#1c7ed6",
    "approved": "#1c7ed6",
    "scheduled": "#12b886",
    "no_show": "#f59f00",
    "declined": "#f59f00",
    "rescheduled": "#ae3ec9",
    "cancelled": "#868e96",
    "withdrawn": "#868e96",
    "submitted": "#12b886",
}


def valid_theme(theme: str | None) -> str:
    """A known theme name; anything else (an old "light", a forged value) is the default."""
    if theme == "light":
        return DEFAULT_THEME
    return theme if theme in PALETTES else DEFAULT_THEME


def theme_bases() -> dict[str, str]:
    """Theme name -> Bootstrap colour mode, for the script that switches themes in the browser."""
    return {name: palette.base for name, palette in PALETTES.items()}


# The top margin of a figure with its own title: the title sits below the chart's toolbar
# (shown on hover, and always on a touch screen) and above the legend, not under either.
TITLED_TOP = 96


@cache
def figure_template(theme: str) -> go.layout.Template:
    """The Plotly template of a theme: Plotly's light or dark base with the palette's colours,
    font, transparent background, margins and horizontal legend. Made once per theme."""
    palette = PALETTES[valid_theme(theme)]
    template = go.layout.Template(
        pio.templates["plotly_dark" if palette.base == "dark" else "plotly_white"]
    )
    axis = {"gridcolor": palette.grid, "zerolinecolor": palette.grid, "linecolor": palette.border}
    template.layout.update(
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"color": palette.text, "family": palette.font},
        margin={"l": 48, "r": 16, "t": 64, "b": 40},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        colorway=list(palette.series),
        xaxis=axis,
        yaxis=axis,
    )
    return template


@cache
def template_data(theme: str) -> dict[str, Any]:
    """A theme's template as plain data, made once per theme. Every themed figure holds this
    one dict rather than a copy, so nothing may change it."""
    return figure_template(theme).to_plotly_json()


def themed(figure: FigureT, theme: str | None) -> FigureT:
    """Give a figure the active theme (its template); what the figure sets itself wins.

    The template was validated when it was made, so it is attached as plain data without
    validating or copying it (#26): a validated assignment took 20-40 ms per chart, and an
    unvalidated one of the template object still copied it whole (about 1 ms).

    So every themed figure holds the theme's one template: never change a themed figure's
    `layout.template` (`template_layout_...` updates included), or every chart of every
    user changes with it. Set the figure's own layout instead, which wins over the
    template. (The test session checks at its end that no template was changed.)
    """
    template = template_data(valid_theme(theme))
    if isinstance(figure, dict):
        figure.setdefault("layout", {})["template"] = template
        return figure
    layout = figure.layout
    layout._validate = False
    try:
        layout.template = template
    finally:
        layout._validate = True
    return figure


_DATA_ARRAY = DataArrayValidator("x", "scatter")


def values(array: Any) -> np.ndarray | list[Any]:
    """A plain figure's data array as plotly's validation stores a `go.Figure`'s (a numpy or
    pandas array as a read-only numpy array, dates as naive UTC times; a list as a list):
    the same JSON either way."""
    numeric = isinstance(array, pd.Series | pd.Index | np.ndarray) and (
        isinstance(array.dtype, np.dtype) and array.dtype.kind in "iuf"
    )
    if numeric:
        # Numbers: what plotly's reading gives, without the dataframe-library layer it
        # reads them through (half a millisecond an array, more than the chart's build).
        numbers = np.ascontiguousarray(np.array(array, copy=True))
        numbers.flags.writeable = False
        return numbers
    coerced: np.ndarray | list[Any] = _DATA_ARRAY.validate_coerce(array)
    return coerced


def figure_parts(figure: Figure) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """A figure's traces and layout as plain dicts, read without copying: never change
    them."""
    if isinstance(figure, dict):
        return figure.get("data", []), figure.get("layout", {})
    return figure._data, figure._layout


def plain_figure(figure: Figure) -> dict[str, Any]:
    """`figure.to_dict()` (its data and layout copied, numbers as typed arrays) without
    copying its template: a themed figure's template is the theme's one shared dict
    (`template_data`), and copying it was most of the cost of `to_dict` (#26)."""
    data, whole = figure_parts(figure)
    layout = {k: v if k == "template" else deepcopy(v) for k, v in whole.items()}
    own = {k: v for k, v in layout.items() if k != "template"}
    plain = {"data": deepcopy(data), "layout": own}
    if isinstance(figure, go.Figure) and figure.frames:
        plain["frames"] = deepcopy([frame.to_plotly_json() for frame in figure.frames])
    convert_to_base64(plain)
    layout.update(own)  # the keys in the figure's order, the template among them
    plain["layout"] = layout
    return plain


def _rgb(hex_colour: str) -> str:
    value = hex_colour.lstrip("#")
    return ", ".join(str(int(value[i : i + 2], 16)) for i in (0, 2, 4))


def palette_css(name: str, palette: Palette) -> str:
    """The CSS variables of one theme, scoped to `[data-beacon-theme=name]` so a preview card
    can wear a theme of its own inside the page."""
    links = "underline" if palette.underline_links else "none"
    tint = "255, 255, 255" if palette.base == "dark" else "0, 18, 77"
    # `html[...]` outranks the `:root` defaults of Dash's own components (dropdowns, dates).
    return f"""html[data-beacon-theme="{name}"], [data-beacon-theme="{name}"] {{
  --bs-body-bg: {palette.surface}; --bs-body-bg-rgb: {_rgb(palette.surface)};
  --bs-body-color: {palette.text}; --bs-body-color-rgb: {_rgb(palette.text)};
  --bs-emphasis-color: {palette.text}; --bs-secondary-color: {palette.muted};
  --bs-code-color: {palette.accent};
  --bs-tertiary-bg: {palette.page}; --bs-border-color: {palette.border};
  --bs-primary: {palette.button}; --bs-primary-rgb: {_rgb(palette.button)};
  --bs-link-color: {palette.accent}; --bs-link-color-rgb: {_rgb(palette.accent)};
  --bs-link-hover-color: {palette.accent}; --bs-link-hover-color-rgb: {_rgb(palette.accent)};
  --bs-body-font-family: {palette.font}; --bs-card-bg: {palette.surface};
  --beacon-accent: {palette.accent}; --beacon-page: {palette.page};
  --Dash-Fill-Inverse-Strong: {palette.surface}; --Dash-Text-Strong: {palette.text};
  --Dash-Text-Primary: {palette.text}; --Dash-Text-Weak: {palette.muted};
  --Dash-Text-Disabled: {palette.muted}; --Dash-Fill-Disabled: {palette.page};
  --Dash-Stroke-Strong: {palette.muted}; --Dash-Stroke-Weak: {palette.border};
  --Dash-Fill-Interactive-Strong: {palette.accent};
  --Dash-Fill-Interactive-Weak: rgba({tint}, 0.06); --Dash-Fill-Primary-Hover: rgba({tint}, 0.08);
  --Dash-Fill-Primary-Active: rgba({tint}, 0.14);
  color: var(--bs-body-color); font-family: var(--bs-body-font-family);
}}
[data-beacon-theme="{name}"] .btn-outline-secondary {{
  --bs-btn-color: {palette.text}; --bs-btn-border-color: {palette.muted};
  --bs-btn-hover-bg: {palette.text}; --bs-btn-hover-color: {palette.surface};
  --bs-btn-disabled-color: {palette.muted}; --bs-btn-disabled-border-color: {palette.border};
}}
[data-beacon-theme="{name}"] .btn-outline-primary {{
  --bs-btn-color: {palette.accent}; --bs-btn-border-color: {palette.accent};
  --bs-btn-hover-bg: {palette.button}; --bs-btn-hover-color: {palette.button_text};
  --bs-btn-hover-border-color: {palette.button}; --bs-btn-active-bg: {palette.button};
  --bs-btn-active-color: {palette.button_text}; --bs-btn-active-border-color: {palette.button};
}}
[data-beacon-theme="{name}"] .btn-primary {{
  --bs-btn-bg: {palette.button}; --bs-btn-border-color: {palette.button};
  --bs-btn-color: {palette.button_text}; --bs-btn-hover-color: {palette.button_text};
  --bs-btn-hover-bg: {palette.button}; --bs-btn-hover-border-color: {palette.text};
  --bs-btn-active-bg: {palette.button}; --bs-btn-active-color: {palette.button_text};
}}
[data-beacon-theme="{name}"] .nav-pills {{
  --bs-nav-pills-link-active-bg: {palette.button};
  --bs-nav-pills-link-active-color: {palette.button_text};
}}
[data-beacon-theme="{name}"] a {{ text-decoration: {links}; }}
[data-beacon-theme="{name}"] .text-secondary {{ color: {palette.muted} !important; }}
[data-beacon-theme="{name}"] .text-bg-primary {{ color: {palette.button_text} !important; }}
"""


def theme_css() -> str:
    """The stylesheet of every theme, served as /theme.css."""
    return "\n".join(palette_css(name, palette) for name, palette in PALETTES.items())


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two opaque hex colours, from 1 to 21."""

    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
