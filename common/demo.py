"""Demo accounts shared by both sides' ``setup_demo``.

Passwords and OTP keys are random per data dir and kept in ``<side>/demo-accounts.json``
(mode 0600), so nothing secret is in the repository and re-running keeps them stable.
"""

from __future__ import annotations

import json
import secrets
import string
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from common.accounts.models import Department
from common.accounts.otp import ensure_totp

ADMIN_ACCESS = "wagtailadmin.access_admin"


@dataclass
class DemoUser:
    username: str
    display_name: str
    department: str | None = None
    roles: list[str] = field(default_factory=list)
    superuser: bool = False


def _accounts_file():
    return settings.JINCAI_SIDE_DIR / "demo-accounts.json"


def _load_credentials() -> dict:
    path = _accounts_file()
    return json.loads(path.read_text()) if path.exists() else {}


def _new_password() -> str:
    alphabet = string.ascii_letters + string.digits
    core = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"Jc-{core}-9"


def ensure_departments(departments: dict[str, str]) -> None:
    for code, name in departments.items():
        group, _ = Group.objects.get_or_create(name=f"科室:{name}")
        Department.objects.update_or_create(code=code, defaults={"name": name, "group": group})


def ensure_roles(roles: dict[str, list[str]]) -> None:
    """Roles are groups with exactly the permissions listed (``app_label.codename``)."""
    for name, perms in roles.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)


@transaction.atomic
def ensure_users(users: list[DemoUser]) -> list[dict]:
    """Create or update the demo users; returns their logins for printing."""
    creds = _load_credentials()
    User = get_user_model()
    out = []
    for spec in users:
        entry = creds.setdefault(spec.username, {"password": _new_password(), "otp_key": secrets.token_hex(20)})
        user, created = User.objects.get_or_create(username=spec.username)
        user.display_name = spec.display_name
        user.is_staff = spec.superuser or bool(spec.roles)
        user.is_superuser = spec.superuser
        user.department = Department.objects.filter(code=spec.department).first() if spec.department else None
        if created or not user.check_password(entry["password"]):
            user.set_password(entry["password"])
        user.save()
        groups = list(Group.objects.filter(name__in=spec.roles))
        if user.department:
            groups.append(user.department.group)
        user.groups.set(groups)
        device = ensure_totp(user, entry["otp_key"])
        out.append({"username": spec.username, "name": spec.display_name, "password": entry["password"],
                    "otp_secret": _b32(entry["otp_key"]), "otp_uri": device.config_url})
    path = _accounts_file()
    path.write_text(json.dumps(creds, indent=2, ensure_ascii=False))
    path.chmod(0o600)
    return out


def _b32(hex_key: str) -> str:
    from base64 import b32encode

    return b32encode(bytes.fromhex(hex_key)).decode()


def print_accounts(stdout, side: str, accounts: list[dict]) -> None:
    stdout.write(f"\n{side} demo logins (password + TOTP secret for any authenticator app):")
    for a in accounts:
        stdout.write(f"  {a['username']:<16} {a['name']:<10} password: {a['password']}  OTP secret: {a['otp_secret']}")
