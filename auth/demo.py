"""Demo mode: one account per role, with generated passwords shown once at first start."""

from __future__ import annotations

import secrets

from auth.passwords import hash_password
from data import accounts
from data.engine import transaction
from settings import Settings

DEMO_ACCOUNTS = [
    ("admin@beacon.demo", "Ada Admin", "admin", ()),
    ("manager@beacon.demo", "Max Manager", "manager", (1, 2)),
    ("analyst@beacon.demo", "Ana Analyst", "analyst", ()),
    ("viewer@beacon.demo", "Vic Viewer", "viewer", ()),
]


def ensure_demo_accounts(settings: Settings) -> str:
    """Create the demo accounts once; returns the text to print (and keeps it under instance/)."""
    saved = settings.instance_dir / "demo-accounts.txt"
    with transaction() as conn:
        if accounts.account_by_email(conn=conn, email=DEMO_ACCOUNTS[0][0]):
            where = f"see {saved}" if saved.exists() else "created at first start"
            return f"  Demo accounts: {where}."
        lines = [
            f"  Demo accounts for {settings.database_url.split('@')[-1]} "
            "(also saved to instance/demo-accounts.txt):"
        ]
        region_names = accounts.regions_table(conn=conn).set_index("id")["name"]
        for email, name, role, regions in DEMO_ACCOUNTS:
            password = secrets.token_urlsafe(12)
            accounts.create_account(
                conn=conn,
                email=email,
                display_name=name,
                role=role,
                region_ids=regions,
                password_hash=hash_password(password),
            )
            scope = region_names.reindex(regions).dropna()
            kept_to = f"     (regions {' and '.join(scope)})" if regions else ""
            lines.append(f"    {role:<8} {email:<22} {password}{kept_to}")
    text = "\n".join(lines)
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.write_text(text + "\n")
    saved.chmod(0o600)
    return text
