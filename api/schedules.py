"""Schedules over the API: the sessions in a date range, as the Schedules list shows them,
within the token's regions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Response
from flask_openapi3 import Tag
from pydantic import AwareDatetime, BaseModel, Field, model_validator

from api.paging import Paged, PageQuery, page_answer
from api.problems import Problem
from api.v1 import v1
from auth.access import EVERYONE, check_region, region_scope, requires
from data import schedules
from data.engine import connect
from vocabulary import ScheduleStatus

TAG = Tag(name="Schedules", description="Sessions booked, held and cancelled.")
MAX_DAYS = 93
Status = ScheduleStatus


class ScheduleQuery(PageQuery):
    since: AwareDatetime = Field(
        description="Sessions starting at or after (ISO 8601, with offset)."
    )
    until: AwareDatetime = Field(description=f"…and before this; at most {MAX_DAYS} days later.")
    status: Status | None = None
    region_id: int | None = Field(None, ge=1, le=2**31 - 1)
    room_id: int | None = Field(None, ge=1, le=2**31 - 1)

    @model_validator(mode="after")
    def a_short_range(self) -> ScheduleQuery:
        for bound in (self.since, self.until):
            try:  # 0001-01-01T00:00+01:00 is a valid time whose UTC falls before year 1
                bound.astimezone(UTC)
            except OverflowError:
                raise ValueError("since and until must be in years 1 to 9999 in UTC") from None
        if not timedelta(0) < self.until - self.since <= timedelta(days=MAX_DAYS):
            raise ValueError(f"until must be after since, and at most {MAX_DAYS} days later")
        return self


class Session(BaseModel):
    id: int
    title: str
    focus: str | None
    starts_at: datetime
    ends_at: datetime
    status: Status
    host: str
    host_name: str
    room: str | None
    region_id: int
    attendees: int


class SchedulePage(Paged):
    items: list[Session]


@v1.get(
    "/schedules",
    tags=[TAG],
    summary="Sessions in a range",
    responses={200: SchedulePage, 403: Problem},
)
@requires(*EVERYONE)
def in_range(query: ScheduleQuery) -> Response:
    """Sessions starting in [since, until), in start order, one page at a time."""
    if query.region_id is not None:
        check_region(query.region_id)
    regions = [query.region_id] if query.region_id is not None else region_scope()
    with connect() as conn:
        rows, total = schedules.listing(
            conn=conn,
            region_ids=regions,
            room_id=query.room_id,
            status=query.status,
            since=query.since.astimezone(UTC),
            until=query.until.astimezone(UTC),
            starting=True,
            limit=query.per_page,
            offset=query.offset,
        )
    return page_answer(rows, total, query)
