"""Each area's headline numbers with their period, as the Home page shows them, within the
token's regions."""

from __future__ import annotations

from datetime import date
from typing import Literal

from flask import Response, jsonify
from flask_openapi3 import Tag
from pydantic import BaseModel, Field

from analytics import home_kpis
from api.v1 import v1
from auth.access import EVERYONE, region_scope, requires
from auth.requests import now
from data.engine import connect
from data.queries import home

TAG = Tag(name="KPIs", description="Each area's headline numbers and their period.")
Area = Literal["tutoring", "pe", "schedules", "credit"]


class AreaPath(BaseModel):
    area: Area


class KpiOut(BaseModel):
    key: str
    title: str
    unit: Literal["count", "rate", "rating", "hours"] = Field(description="A rate is 0-1.")
    value: float | None = Field(description="null when the period has nothing to measure.")
    previous: float | None = Field(description="The same length of time just before.")
    change: float | None = Field(description="Relative to previous (0.1 = +10 %).")
    first_day: date | None = Field(description="The period, both days included (UTC).")
    last_day: date | None
    compared_with: str | None
    note: str | None


class AreaKpis(BaseModel):
    area: Area
    data_as_of: date | None = Field(description="The newest day with data; null when empty.")
    kpis: list[KpiOut]


@v1.get("/kpis/<area>", tags=[TAG], summary="One area's KPIs", responses={200: AreaKpis})
@requires(*EVERYONE)
def area_kpis(path: AreaPath) -> Response:
    with connect() as conn:
        end = home.home_end(conn=conn)
        if end is None:
            return jsonify(area=path.area, data_as_of=None, kpis=[])
        frames = home.area_frames(
            conn=conn, section=path.area, end=end, region_ids=region_scope(), now=now()
        )
    kpis, _rows = home_kpis.AREAS[path.area](frames, end, weeks=home.CHART_WEEKS)
    return jsonify(
        area=path.area,
        data_as_of=end.date().isoformat(),
        kpis=[
            {
                "key": k.key,
                "title": k.title,
                "unit": k.unit,
                "value": k.value,
                "previous": k.previous if k.compare else None,
                "change": k.change,
                "first_day": k.first_day.isoformat() if k.first_day else None,
                "last_day": k.last_day.isoformat() if k.last_day else None,
                "compared_with": k.against if k.compare else None,
                "note": k.note,
            }
            for k in kpis
        ],
    )
