"""Numbers and dates formatted one way across the app."""

from __future__ import annotations

import re
from datetime import datetime

import pandas as pd

from settings import get_settings


def number(value: float | None, decimals: int = 0) -> str:
    if value is None or pd.isna(value):
        return "–"
    return f"{value:,.{decimals}f}"


# Written before the amount; any other currency is named after it ("1,250 CHF").
CURRENCY_SIGNS = {"GBP": "£", "EUR": "€", "USD": "$"}


def count_of(count: int, noun: str) -> str:
    """A whole count and its noun, singular for one: "1 session", "1,204 sessions"."""
    return f"{number(count)} {noun if count == 1 else noun + 's'}"


def money(value: float | None, decimals: int = 0) -> str:
    """An amount in the business's currency (BEACON_CURRENCY): "£1,250", "-£40", "1,250 CHF"."""
    if value is None or pd.isna(value):
        return "–"
    code = get_settings().currency
    amount = f"{abs(value):,.{decimals}f}"
    sign = "-" if value < 0 and float(amount.replace(",", "")) != 0 else ""
    symbol = CURRENCY_SIGNS.get(code)
    return f"{sign}{symbol}{amount}" if symbol else f"{sign}{amount} {code}"


def money_header(header: str) -> str:
    """A column of amounts names its currency once: "Principal (£)"."""
    code = get_settings().currency
    return f"{header} ({CURRENCY_SIGNS.get(code, code)})"


def percent(value: float | None) -> str:
    """A share (0.123) as a percentage with one decimal (12.3%)."""
    if value is None or pd.isna(value):
        return "–"
    return f"{value * 100:.1f}%"


def shown_change(change: float | None, *, scale: float = 100.0, decimals: int = 1) -> float | None:
    """A change as it is written (rounded): what its arrow and colour follow, so a change
    written "0.0" is no change, not a red fall."""
    if change is None or pd.isna(change):
        return None
    return round(change * scale, decimals)


def _signed(shown: float | None, text: str) -> str:
    if shown is None:
        return "no earlier data"
    arrow = "▲" if shown > 0 else "▼" if shown < 0 else "■"
    return f"{arrow} {text}"


def signed_percent(change: float | None) -> str:
    """A relative change (0.1 = +10%)."""
    shown = shown_change(change)
    return _signed(shown, f"{abs(shown or 0):.1f}%")


def signed_points(change: float | None) -> str:
    """A change of a rate, in percentage points (0.044 = 4.4 points): 65.7% to 61.4% is
    "▼ 4.3 pts", where a relative change (▼ 6.5%) reads as the rate's own fall."""
    shown = shown_change(change)
    return _signed(shown, f"{abs(shown or 0):.1f} pts")


def signed_count(change: float | None) -> str:
    shown = shown_change(change, scale=1.0, decimals=0)
    return _signed(shown, f"{abs(shown or 0):,.0f}")


def business_time(moment: datetime | pd.Timestamp) -> pd.Timestamp:
    """A moment on the business's clock (BEACON_TIMEZONE); naive values are taken as UTC."""
    stamp = pd.Timestamp(moment)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
    return stamp.tz_convert(get_settings().timezone)


def local_datetime(moment: datetime | pd.Timestamp | None) -> str:
    """Date and time as people at the business read them, the zone named ("... GMT")."""
    if moment is None or pd.isna(moment):
        return "no data yet"
    return business_time(moment).strftime("%Y-%m-%d %H:%M %Z")


def relative_time(moment: datetime | pd.Timestamp, now: datetime) -> str:
    """Feeds say "5 min ago", "3 h ago", "2 days ago", then the date."""
    seconds = (pd.Timestamp(now) - pd.Timestamp(moment)).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86_400:
        return f"{int(seconds // 3600)} h ago"
    if seconds < 7 * 86_400:
        days = int(seconds // 86_400)
        return f"{days} day{'s' if days > 1 else ''} ago"
    return business_time(moment).strftime("%Y-%m-%d")


def factor_line(factor: dict) -> str:
    """A tutor-risk factor as people read it: "Rating trend (30 vs 90 days): -0.71"."""
    return f"{factor['label']}: {factor_value(factor['feature'], factor['value'])}"


def factor_value(feature: str, value: float | None) -> str:
    """A tutor-risk factor's value as people read it: rates as percentages, ratings with
    two decimals, counts whole."""
    if value is None:
        return "no data"
    if "rate" in feature or feature.startswith(("first_session", "load")):
        return percent(value)
    if feature == "volume_trend":
        return f"{value:.2f}× the 90-day pace"
    if feature.startswith("volume_z"):
        return f"{value:+.1f} sd"
    if feature.startswith("missed_change"):
        return f"{value * 100:+.0f} points"
    if feature.startswith("rating_change"):
        return f"{value:+.2f}"
    return number(value, 2 if "rating" in feature else 0)


_BROWSERS = (  # the first that matches names the browser (Edge and Opera say Chrome too)
    (re.compile(r"Edg(?:e|A|iOS)?/(\d+)"), "Edge"),
    (re.compile(r"OPR/(\d+)"), "Opera"),
    (re.compile(r"Firefox/(\d+)"), "Firefox"),
    (re.compile(r"HeadlessChrome/(\d+)"), "Chrome (headless)"),
    (re.compile(r"(?:Chrome|CriOS)/(\d+)"), "Chrome"),
    (re.compile(r"Version/(\d+)[.\d]* (?:Mobile/\S+ )?Safari/"), "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def browser_name(user_agent: str | None) -> str:
    """'Chrome 131 on Windows' from a browser's User-Agent header; 'Unknown browser' when it
    names none we know (the full header stays available to show on hover)."""
    agent = user_agent or ""
    browser = next(
        (f"{name} {m.group(1)}" for pattern, name in _BROWSERS if (m := pattern.search(agent))),
        None,
    )
    system = next((name for key, name in _SYSTEMS if key in agent), None)
    if browser is None:
        return f"Unknown browser on {system}" if system else "Unknown browser"
    return f"{browser} on {system}" if system else browser


def readable_detail(detail: object, *, limit: int = 300) -> str:
    """An audit entry's detail as a person reads it: 'What: pe widget · Widget: incident_log',
    changes as 'After: amount 5000, term months 12'; numbers exactly as recorded."""

    def label(key: object) -> str:
        return str(key).replace("_", " ")

    def value(item: object) -> str:
        if isinstance(item, bool):
            return "yes" if item else "no"
        if isinstance(item, int):
            return str(item)  # ids and counts as recorded
        if isinstance(item, float):
            return repr(item) if not item.is_integer() else str(int(item))
        if item is None:
            return "none"
        if isinstance(item, dict):
            return ", ".join(f"{label(k)} {value(v)}" for k, v in item.items()) or "nothing"
        if isinstance(item, list | tuple):
            return ", ".join(value(v) for v in item) or "none"
        return str(item)

    if not isinstance(detail, dict) or not detail:
        return ""
    text = " · ".join(f"{label(k).capitalize()}: {value(v)}" for k, v in detail.items())
    return text if len(text) <= limit else text[: limit - 1] + "…"


_ABBREVIATIONS = {
    "id": "ID",
    "pd": "PD",
    "psi": "PSI",
    "auc": "AUC",
    "roc": "ROC",
    "ks": "KS",
    "bmi": "BMI",
    "hr": "HR",
    "ip": "IP",
    "url": "URL",
    "dti": "DTI",
}


def column_label(name: object) -> str:
    """A data column as its header reads: 'risk_before' is 'Risk before', 'tutor_id' is
    'Tutor ID', 'pd' is 'PD'. Exports and reports head their tables with it."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", str(name)):
        return str(name)  # a date, a number or a label already: as it is
    words = [w for w in str(name).split("_") if w]
    shown = [_ABBREVIATIONS.get(w.lower(), w) for w in words]
    first = shown[0]
    return " ".join([first if first.isupper() else first.capitalize(), *shown[1:]])
