"""`python -m beacon`: set up, check and run Beacon. `--help` on every command.

Exit codes: 0 done, 1 refused or failed (with a message saying why), 2 wrong usage.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import Any

import click
from sqlalchemy.exc import SQLAlchemyError

from settings import load_settings_or_exit

PASSWORD_ENV = "BEACON_ADMIN_PASSWORD"


def friendly(command: Callable[..., Any]) -> Callable[..., Any]:
    """Settings and database trouble become one line of advice, never a traceback."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        load_settings_or_exit()
        try:
            return command(*args, **kwargs)
        except SQLAlchemyError as error:
            reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            raise click.ClickException(
                f"the database did not answer: {reason}\n"
                "  Check DATABASE_URL, and that the server runs; `python -m beacon doctor` helps."
            ) from None

    return run


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
def cli() -> None:
    """Beacon's operator commands: set up a database, create the first admin, check a
    deployment, and run the jobs by hand."""


@cli.command()
@click.option(
    "--admin-email",
    envvar="BEACON_ADMIN_EMAIL",
    help=f"Create this admin when there is none yet (password from a prompt or {PASSWORD_ENV}).",
)
@friendly
def init(admin_email: str | None) -> None:
    """Migrate to the newest schema, create the first admin, train both models when there is
    data. Safe to run again: a second run changes nothing."""
    from beacon.first_start import ensure_models
    from data.accounts import admin_ids
    from data.engine import connect
    from data.migrate import schema_state, upgrade_head

    before = schema_state().current
    upgrade_head()
    after = schema_state()
    moved = "already there" if before == after.current else f"from {before or 'empty'}"
    click.echo(f"schema   at {after.head} ({moved})")
    with connect() as conn:
        admins = len(admin_ids(conn=conn))
    if admins:
        click.echo(f"admin    {admins} admin account(s) exist")
    elif admin_email:
        _create_admin(admin_email, "")
    else:
        click.echo("admin    none yet: run `python -m beacon create-admin --email you@example.org`")
    for model, outcome in ensure_models(lambda text: click.echo(f"         {text}")).items():
        click.echo(f"{model:<8} {outcome}")


@cli.command("create-admin")
@click.option("--email", required=True, help="The admin's email address (their sign-in name).")
@click.option("--name", default="", help="Display name (default: the part before the @).")
@friendly
def create_admin(email: str, name: str) -> None:
    """Create a local admin account. The password comes from a prompt, or from
    BEACON_ADMIN_PASSWORD for automation, and must pass the password rules."""
    _create_admin(email, name)


def _create_admin(email: str, name: str) -> None:
    from actions.base import Refused
    from actions.users import create_admin as create

    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        try:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        except click.Abort:  # no terminal to ask (a script, a container): say how instead
            raise click.ClickException(
                f"no password: set {PASSWORD_ENV}, or run in a terminal"
            ) from None
    result = create(
        actor=None, email=email, display_name=name, password=password, now=datetime.now(UTC)
    )
    if isinstance(result, Refused):
        raise click.ClickException(result.message)
    click.echo(f"admin    {result.email} created: sign in at {_public_url()}login")


@cli.command("create-token")
@click.option("--owner", required=True, help="Email of the active admin the token belongs to.")
@click.option("--name", required=True, help="What the token is for, e.g. 'loan origination'.")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["admin", "manager", "analyst", "viewer"]),
    help="What it may do: the same as a user of this role.",
)
@click.option("--region", "regions", multiple=True, help="A region code (managers; repeat).")
@click.option("--days", default=90, show_default=True, help="Days until it expires (1-366).")
@click.option("--allow", multiple=True, help="An address or network it may come from (repeat).")
@friendly
def create_token(
    owner: str, name: str, role: str, regions: tuple[str, ...], days: int, allow: tuple[str, ...]
) -> None:
    """Create an API token and print it once: only its hash is kept."""
    from actions.api_tokens import create_token as create
    from actions.base import Actor, Refused
    from data import accounts
    from data.engine import connect

    with connect() as conn:
        account = accounts.account_by_email(conn=conn, email=owner)
        codes = accounts.regions_table(conn=conn)
    if account is None or not account.is_active or account.role != "admin":
        raise click.ClickException(f"{owner} is not an active admin: a token belongs to one")
    by_code = {str(c).lower(): int(i) for c, i in zip(codes["code"], codes["id"], strict=True)}
    unknown = [r for r in regions if r.lower() not in by_code]
    if unknown:
        raise click.ClickException(
            f"unknown region {', '.join(unknown)}; regions are {', '.join(sorted(codes['code']))}"
        )
    actor = Actor(user_id=account.id, display_name=account.display_name, role="admin")
    result = create(
        actor=actor,
        name=name,
        role=role,
        regions=[by_code[r.lower()] for r in regions],
        days=days,
        allow=list(allow),
        now=datetime.now(UTC),
    )
    if isinstance(result, Refused):
        raise click.ClickException(result.message)
    click.echo(f"token    {result.secret}")
    click.echo(
        f"         '{name}' ({role}) expires {result.expires_at:%Y-%m-%d}. It is shown only "
        f"now: keep it in a secret store. Use it as 'Authorization: Bearer <token>' at "
        f"{_public_url()}api/v1 (docs: {_public_url()}api/docs)."
    )


def _public_url() -> str:
    from settings import get_settings

    return get_settings().base_url.rstrip("/") + "/"


@cli.command()
@friendly
def doctor() -> None:
    """Check the settings, database, Redis, Celery workers and beat, Chromium, mail and the
    sign-in providers. One line per check; exit code 1 when something is wrong."""
    from beacon.doctor import run_checks

    failed = 0
    for check in run_checks():
        mark = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}[check.status]
        click.echo(f"{mark}  {check.name:<10} {check.detail}")
        if check.fix and check.status != "ok":
            click.echo(f"      {'':<10} fix: {check.fix}")
        failed += check.status == "fail"
    if failed:
        raise click.exceptions.Exit(1)


@cli.command()
@friendly
def migrate() -> None:
    """Bring the database to the newest schema (a one-off step before each rollout)."""
    from data.migrate import schema_state, upgrade_head

    upgrade_head()
    click.echo(f"schema at {schema_state().head}")


@cli.command()
@click.option(
    "--scale", type=click.Choice(["small", "medium", "large", "xlarge"]), default="medium"
)
@click.option("--seed", type=int, default=7, show_default=True)
@click.option(
    "--as-of", type=click.DateTime(["%Y-%m-%d"]), help="The demo's today (default: today, UTC)."
)
@click.option(
    "--reset",
    is_flag=True,
    help="Replace a demo database's data, accounts and history (never an organisation's data).",
)
@friendly
def seed(scale: str, seed: int, as_of: datetime | None, reset: bool) -> None:
    """Load the generated demo data (never over data that is already there)."""
    from data.engine import get_engine
    from data.migrate import upgrade_head
    from data.seed import AlreadySeededError, provenance, seed_database

    upgrade_head()
    day = as_of.date() if as_of else datetime.now(UTC).date()
    try:
        report = seed_database(get_engine(), scale=scale, seed=seed, as_of=day, reset=reset)
        provenance.remember(get_engine(), scale=scale, seed=seed, as_of=report.as_of)
    except AlreadySeededError as exc:
        raise click.ClickException(f"not seeded: {exc}") from None
    width = max(len(name) for name in report.rows)
    for name, count in report.rows.items():
        click.echo(f"  {name:<{width}}  {count:>10,}")
    click.echo(
        f"{report.scale} seed {report.seed} as of {report.as_of} on {report.dialect}: "
        f"{report.total_rows:,} rows, generated in {report.generate_seconds:.1f} s, "
        f"loaded in {report.load_seconds:.1f} s"
    )


def _report_run(job: str) -> None:
    from jobs import refresh

    result = refresh.run(job=job, trigger="manual")
    click.echo(f"{job}: {result.status}, {result.rows:,} rows in {result.seconds:.1f} s")
    if result.detail:
        click.echo(f"  {result.detail}")
    untrained = re.findall(r"\b(tutor risk|credit) not scored:", result.detail or "")
    if job == "retrain" and untrained:  # it ran, but a model had too little to learn from
        click.echo(f"  not trained: {' and '.join(untrained)} (see docs/data-contract.md)")
    if result.status not in ("succeeded",):
        raise click.exceptions.Exit(1)


@cli.command()
@friendly
def train() -> None:
    """Retrain the tutor-risk model and the credit scorecard, and rescore (the nightly job)."""
    _report_run("retrain")


@cli.command()
@friendly
def refresh() -> None:
    """Pick up new data, score what is new, raise alerts, warm the cache (the scheduled job)."""
    _report_run("refresh")


@cli.command()
@click.option(
    "--workers", type=click.IntRange(1, 64), help="Web worker processes (WEB_WORKERS, 1)."
)
@click.option("--threads", type=click.IntRange(1, 64), help="Threads per worker (WEB_THREADS, 8).")
@click.option("--dev", is_flag=True, help="Flask's development server instead of gunicorn.")
def serve(workers: int | None, threads: int | None, dev: bool) -> None:
    """Serve the app (demo mode: load the demo data and accounts first)."""
    from beacon.serve import development_server, production_server

    if dev:
        development_server()
    else:
        production_server(workers=workers, threads=threads)


@cli.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and count everything, save nothing.")
@click.option(
    "--skip-bad-rows", is_flag=True, help="Load the good rows; set bad ones aside in the report."
)
@click.option("--encoding", help="The CSV files' text encoding (default: detected).")
@click.option("--delimiter", help="The CSV files' delimiter (default: detected).")
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every problem (file, row, column, value, reason) to this CSV file.",
)
@click.option("--refresh", "then_refresh", is_flag=True, help="Run the refresh right after.")
@friendly
def load(
    path: Path,
    dry_run: bool,
    skip_bad_rows: bool,
    encoding: str | None,
    delimiter: str | None,
    report: Path | None,
    then_refresh: bool,
) -> None:
    """Load an organisation's data: PATH is a file or a folder of files, one entity per file,
    named after it (tutors.csv, tutoring_sessions.parquet ...). Everything is checked first;
    nothing is written unless all of it is good (or --skip-bad-rows). Exit code 1 when a row
    was refused without --skip-bad-rows. The contract: docs/data-contract.md."""
    from beacon.loading import load_path

    result = load_path(
        path,
        dry_run=dry_run,
        skip_bad_rows=skip_bad_rows,
        encoding=encoding,
        delimiter=delimiter,
        report=report,
        echo=click.echo,
    )
    if result.outcome == "loaded" and then_refresh:
        _report_run("refresh")
    refused = result.problem_total and not skip_bad_rows
    if result.outcome in ("rejected", "failed") or refused:
        raise click.exceptions.Exit(1)


@cli.command()
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "file_format", type=click.Choice(["csv", "parquet"]), default="csv")
@friendly
def package(path: Path, file_format: str) -> None:
    """Write the whole database as a data package into the folder PATH: one file per entity,
    in the format `load` reads (so it loads back into another Beacon)."""
    from data.engine import snapshot
    from data.package import write_package

    with snapshot() as conn:  # every file as of one moment
        written = write_package(conn=conn, folder=path, file_format=file_format)
    width = max(len(name) for name in written)
    for name, rows in written.items():
        click.echo(f"  {name:<{width}}  {rows:>10,}")
    click.echo(f"{sum(written.values()):,} rows in {len(written)} files in {path}")


@cli.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("docs"),
    show_default=True,
    help="Where to write data-contract.md and the templates/ folder.",
)
def contract(out: Path) -> None:
    """Write the data contract's documentation and its CSV and XLSX templates (generated
    from the schemas in data/contract)."""
    from data.contract.docs import write_docs

    for written in write_docs(out):
        click.echo(f"  {written}")


def main() -> None:
    cli(prog_name="python -m beacon")
