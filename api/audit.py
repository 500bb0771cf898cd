"""The audit log over the API, for admins' tokens only: who did what, when, from where."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response
from flask_openapi3 import Tag
from pydantic import AwareDatetime, BaseModel, Field, model_validator

from api.paging import Paged, PageQuery, page_answer
from api.problems import Problem
from api.v1 import v1
from auth.access import ADMINS, requires
from data import audit as audit_log
from data.engine import connect

TAG = Tag(name="Audit", description="Every change and refusal, newest first (admins).")


class AuditQuery(PageQuery):
    action: str | None = Field(None, max_length=48, description="Actions starting with this.")
    user_id: int | None = Field(None, ge=1, le=2**31 - 1)
    since: AwareDatetime | None = None
    until: AwareDatetime | None = None

    @model_validator(mode="after")
    def ordered(self) -> AuditQuery:
        if self.since and self.until and self.since >= self.until:
            raise ValueError("until must be after since")
        return self


class AuditEntryOut(BaseModel):
    occurred_at: datetime
    email: str | None = Field(description="Who; for a token, the admin who owns it.")
    action: str
    entity_type: str | None
    entity_id: int | None
    ip_address: str | None
    detail: dict[str, Any] = Field(description="What changed; `token` names an API token.")


class AuditPage(Paged):
    items: list[AuditEntryOut]


@v1.get("/audit", tags=[TAG], summary="The audit log", responses={200: AuditPage, 403: Problem})
@requires(*ADMINS)
def entries(query: AuditQuery) -> Response:
    with connect() as conn:
        rows, total = audit_log.audit_log(
            conn=conn,
            user_id=query.user_id,
            action=query.action,
            since=query.since,
            until=query.until,
            limit=query.per_page,
            offset=query.offset,
        )
    return page_answer(rows, total, query)
