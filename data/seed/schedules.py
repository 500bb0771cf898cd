"""Rooms and group sessions over the past eight and the next four weeks, free of double bookings.

Each slot picks distinct hosts and distinct attendees per region, so the demo
data itself has no conflicts; conflicts only arise from what users book. About one
attendee in twelve misses a completed session (a no-show).
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from data.seed.common import Scale, happened_by, per_region, rng_for, week_starts

FOCUS = [
    "Exam technique",
    "Homework club",
    "Reading group",
    "Problem solving",
    "Revision",
    "Study skills",
    "Project work",
    "Speaking practice",
]


def schedule_frames(
    scale: Scale, seed: int, as_of: date, tutors: pd.DataFrame, students: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    rng = rng_for(seed, "schedules")
    rooms = per_region(scale.regions, scale.rooms_per_region)
    rooms["name"] = "Room " + (rooms["region_id"] * 100 + rooms["k"] + 1).astype(str)
    rooms["capacity"] = rng.choice([4, 6, 8, 12], len(rooms))

    weeks = week_starts(as_of, 8, 4)
    slots = pd.DatetimeIndex(
        [w + pd.Timedelta(days=d, hours=h) for w in weeks for d in range(5) for h in range(9, 18)]
    )
    now = happened_by(as_of)
    tutor_hired = pd.to_datetime(tutors["hired_on"]).dt.tz_localize("UTC")
    tutor_left = pd.to_datetime(tutors["left_on"]).dt.tz_localize("UTC")
    rows: list[tuple[object, ...]] = []
    attendees: list[tuple[int, int, bool | None]] = []
    next_id = 1
    for region_id, region_rooms in rooms.groupby("region_id"):
        in_region = tutors["region_id"].to_numpy() == region_id
        pupils = students.loc[students["region_id"] == region_id, "id"].to_numpy()
        for slot in slots:
            working = (
                in_region & (tutor_hired <= slot).to_numpy() & ~(tutor_left <= slot).to_numpy()
            )
            hosts = tutors["id"].to_numpy()[working]
            used = region_rooms[rng.random(len(region_rooms)) < 0.35]
            k = min(len(used), len(hosts))
            if k == 0:
                continue
            chosen = rng.choice(hosts, k, replace=False)
            sizes = rng.integers(1, 5, k)
            group = rng.choice(pupils, sizes.sum(), replace=False)
            for i, (room_id, host) in enumerate(zip(used["id"].iloc[:k], chosen, strict=True)):
                focus = FOCUS[rng.integers(len(FOCUS))]
                past = slot < now
                status = (
                    ("cancelled" if rng.random() < 0.12 else "completed") if past else "scheduled"
                )
                ends = slot + pd.Timedelta(minutes=int(rng.choice([45, 60])))
                if status == "completed" and ends > now:  # under way: not completed yet
                    status = "scheduled"
                rows.append(
                    (
                        next_id,
                        focus if focus.endswith((" group", " club")) else f"{focus} group",
                        focus,
                        int(host),
                        int(room_id),
                        slot,
                        ends,
                        status,
                        int(region_id),  # type: ignore[arg-type]
                    )
                )
                start = sizes[:i].sum()
                came = rng.random(sizes[i]) >= 0.08 if status == "completed" else [None] * sizes[i]
                attendees.extend(
                    (next_id, int(s), c)
                    for s, c in zip(group[start : start + sizes[i]], came, strict=True)
                )
                next_id += 1
    schedules = pd.DataFrame(
        rows,
        columns=[
            "id",
            "title",
            "focus",
            "host_tutor_id",
            "room_id",
            "starts_at",
            "ends_at",
            "status",
            "region_id",
        ],
    )
    schedules["description"] = ""
    # Booked a week ahead, or by now for those further out (they were dated in the future).
    booked = schedules["starts_at"] - pd.Timedelta(days=7)
    schedules["created_at"] = booked.where(booked <= now, now)
    # Completed as it ended; cancelled by its start at the latest, and never after now.
    starts = schedules["starts_at"]
    schedules["status_changed_at"] = schedules["ends_at"].where(
        schedules["status"] == "completed",
        starts.where(starts <= now, now).where(schedules["status"] == "cancelled"),
    )
    return {
        "rooms": rooms[["id", "name", "region_id", "capacity"]],
        "schedules": schedules,
        "schedule_attendees": pd.DataFrame(
            attendees, columns=["schedule_id", "student_id", "attended"]
        ),
    }
