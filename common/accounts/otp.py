"""One-time-password devices: enrolment, verification and backup codes (django-otp)."""

from __future__ import annotations

import secrets

import segno
from django.db import transaction
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from common.audit.services import record

BACKUP_CODE_COUNT = 10


def has_confirmed_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_totp_device(user) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (one at a time per user)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff")


def base32_secret(device: TOTPDevice) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode()


def verify(user, token: str):
    """The device that accepts ``token`` for ``user``, or None (throttled by django-otp)."""
    token = "".join(token.split())
    if not token or len(token) > 16:
        return None
    return match_token(user, token)


@transaction.atomic
def confirm_enrollment(device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the device if ``token`` is right and issue fresh backup codes."""
    if not device.verify_token("".join(token.split())):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = issue_backup_codes(device.user)
    record("auth.otp_enrolled", device.user, actor=device.user, detail={"device": device.persistent_id})
    return codes


def issue_backup_codes(user) -> list[str]:
    static, _ = StaticDevice.objects.get_or_create(user=user, name="backup", defaults={"confirmed": True})
    static.token_set.all().delete()
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


def ensure_totp(user, hex_key: str) -> TOTPDevice:
    """Give ``user`` a confirmed authenticator with a known key (demo accounts only)."""
    device, _ = TOTPDevice.objects.update_or_create(
        user=user, name="authenticator", defaults={"key": hex_key, "confirmed": True}
    )
    return device
