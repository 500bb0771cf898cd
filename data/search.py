"""The global search: tutors, students, customers, PE classes and one's own share links whose
name contains a text, within the searcher's regions, a few of each kind."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Connection, String, Text, cast, literal, select, union_all
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import Label

from data.models import CreditCustomer, PEClass, School, Student, Tutor, ViewLink
from data.queries.sql import in_regions, read_frame

KINDS = ("tutor", "student", "customer", "class", "link")


def _named(kind: str, key: Any, name: Any, detail: Any) -> list[Label[Any]]:
    return [
        literal(kind).label("kind"),
        cast(key, String).label("key"),
        cast(name, String).label("name"),
        cast(detail, String).label("detail"),
    ]


def _first(stmt: Select, order: Any, limit: int) -> Select:
    return stmt.order_by(order).limit(limit).subquery().select()


def find_everywhere(
    *,
    conn: Connection,
    region_ids: Sequence[int] | None,
    text: str,
    user_id: int,
    limit: int = 5,
) -> pd.DataFrame:
    """Up to `limit` of each kind whose name contains `text` (already LIKE-escaped), in
    `region_ids` (None: every region). Share links are the user's own live and past ones,
    matched on their view and filters. Columns: kind, key, name, detail; in KINDS order,
    then by name."""
    pattern = f"%{text}%"
    tutors = in_regions(
        select(*_named("tutor", Tutor.id, Tutor.name, Tutor.subject)).where(
            Tutor.name.ilike(pattern, escape="\\")
        ),
        Tutor.region_id,
        region_ids,
    )
    students = in_regions(
        select(*_named("student", Student.id, Student.name, Student.grade)).where(
            Student.name.ilike(pattern, escape="\\")
        ),
        Student.region_id,
        region_ids,
    )
    customers = in_regions(
        select(*_named("customer", CreditCustomer.id, CreditCustomer.name, literal(""))).where(
            CreditCustomer.name.ilike(pattern, escape="\\")
        ),
        CreditCustomer.region_id,
        region_ids,
    )
    class_name = School.name + " · " + PEClass.name
    classes = in_regions(
        select(*_named("class", PEClass.id, class_name, PEClass.grade))
        .join(School, School.id == PEClass.school_id)
        .where(class_name.ilike(pattern, escape="\\")),
        School.region_id,
        region_ids,
    )
    address = ViewLink.view + cast(ViewLink.query, Text)
    links = select(*_named("link", ViewLink.code, address, ViewLink.kind)).where(
        ViewLink.created_by == user_id,
        ViewLink.kind == "share",
        ViewLink.revoked_at.is_(None),
        address.ilike(pattern, escape="\\"),
    )
    parts = [
        _first(tutors, Tutor.name, limit),
        _first(students, Student.name, limit),
        _first(customers, CreditCustomer.name, limit),
        _first(classes, class_name, limit),
        _first(links, ViewLink.created_at.desc(), limit),
    ]
    found = read_frame(conn, select(union_all(*parts).subquery()))
    found["rank"] = found["kind"].map({k: i for i, k in enumerate(KINDS)})
    return found.sort_values(["rank", "name"], ignore_index=True).drop(columns="rank")
