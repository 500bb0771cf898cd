"""Beacon's shared words, defined once: risk bands, roles, channels and intervention kinds,
each with the label a
person reads. Every layer may import this module; it imports nothing of Beacon."""

from __future__ import annotations

from typing import Literal, get_args

Band = Literal["low", "medium", "high", "critical"]
BANDS: tuple[Band, ...] = get_args(Band)  # best first: tutor risk, credit PD, alerts, safety
BAND_LABELS: dict[str, str] = {band: band.capitalize() for band in BANDS}

# How much a PE safety incident weighs, by its severity (the safety risk and its tables).
SEVERITY_WEIGHTS: dict[str, float] = {"minor": 1.0, "moderate": 3.0, "serious": 9.0}

Role = Literal["admin", "manager", "analyst", "viewer"]
ROLES: tuple[Role, ...] = get_args(Role)
ROLE_LABELS: dict[str, str] = {role: role.capitalize() for role in ROLES}
STAFF: tuple[Role, ...] = ("admin", "manager", "analyst")  # everyone but viewers
MANAGERS: tuple[Role, ...] = ("admin", "manager")  # who books, plans, shares and writes notes
ADMINS: tuple[Role, ...] = ("admin",)

Channel = Literal["web", "mobile", "partner_school", "branch"]
CHANNELS: tuple[Channel, ...] = get_args(Channel)
CHANNEL_LABELS: dict[str, str] = {
    "web": "Web",
    "mobile": "Mobile",
    "partner_school": "Partner school",
    "branch": "Branch",
}

InterventionKind = Literal[
    "coaching",
    "scheduling_support",
    "peer_mentoring",
    "workload_review",
    "recognition",
    "retention_interview",
]
INTERVENTION_KINDS: tuple[InterventionKind, ...] = get_args(InterventionKind)
INTERVENTION_LABELS: dict[str, str] = {
    "coaching": "Coaching",
    "scheduling_support": "Scheduling support",
    "peer_mentoring": "Peer mentoring",
    "workload_review": "Workload review",
    "recognition": "Recognition",
    "retention_interview": "Retention interview",
}


def band_rank(band: str) -> int:
    """0 for low up to 3 for critical; a ValueError names anything else."""
    if band not in BANDS:
        raise ValueError(f"band must be one of {BANDS}; got {band!r}")
    return BANDS.index(band)


# Statuses: each tuple is the column's allowed values (the models' CHECK constraints),
# each label what a person reads.

TutorStatus = Literal["active", "left"]
TUTOR_STATUSES: tuple[TutorStatus, ...] = get_args(TutorStatus)

SessionStatus = Literal["completed", "no_show", "rescheduled", "cancelled", "scheduled"]
SESSION_STATUSES: tuple[SessionStatus, ...] = get_args(SessionStatus)  # tutoring sessions

ScheduleStatus = Literal["scheduled", "completed", "cancelled"]
SCHEDULE_STATUSES: tuple[ScheduleStatus, ...] = get_args(ScheduleStatus)  # group sessions

InterventionStatus = Literal["planned", "in_progress", "done", "dismissed"]
INTERVENTION_STATUSES: tuple[InterventionStatus, ...] = get_args(InterventionStatus)
OPEN_INTERVENTIONS: tuple[InterventionStatus, ...] = ("planned", "in_progress")

ApplicationStatus = Literal["submitted", "approved", "declined", "withdrawn"]
APPLICATION_STATUSES: tuple[ApplicationStatus, ...] = get_args(ApplicationStatus)

LoanStatus = Literal["active", "repaid", "defaulted"]
LOAN_STATUSES: tuple[LoanStatus, ...] = get_args(LoanStatus)

RunStatus = Literal["running", "succeeded", "failed", "skipped", "cancelled"]
RUN_STATUSES: tuple[RunStatus, ...] = get_args(RunStatus)  # refresh and training runs

DeliveryStatus = Literal["pending", "delivered", "failed"]
DELIVERY_STATUSES: tuple[DeliveryStatus, ...] = get_args(DeliveryStatus)  # webhooks

STATUS_LABELS: dict[str, str] = {
    str(status): status.replace("_", " ").capitalize()
    for statuses in (
        TUTOR_STATUSES,
        SESSION_STATUSES,
        SCHEDULE_STATUSES,
        INTERVENTION_STATUSES,
        APPLICATION_STATUSES,
        LOAN_STATUSES,
        RUN_STATUSES,
        DELIVERY_STATUSES,
    )
    for status in statuses
} | {"no_show": "No-show"}
