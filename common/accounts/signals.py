"""Audit of logins, failed logins, lock-outs and every change of rights."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from common.audit.services import record

User = get_user_model()
RIGHTS_FIELDS = ("is_active", "is_staff", "is_superuser", "department_id")


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    device = getattr(user, "otp_device", None)
    record("auth.login", user, actor=user, detail={"otp_device": device.persistent_id if device else None})


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record("auth.logout", user, actor=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    record("auth.login_failed", actor_name=username or "anonymous",
           detail={"username": username, "stage": credentials.get("stage", "password")})


@receiver(user_locked_out)
def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    record("auth.locked_out", actor_name=username or "anonymous", detail={"username": username})


@receiver(pre_save, sender=User)
def _remember_rights(sender, instance, **kwargs):
    if instance.pk:
        old = User.objects.filter(pk=instance.pk).values(*RIGHTS_FIELDS).first()
        instance._rights_before = old
    else:
        instance._rights_before = None


@receiver(post_save, sender=User)
def _rights_changed(sender, instance, created, **kwargs):
    after = {name: getattr(instance, name) for name in RIGHTS_FIELDS}
    before = getattr(instance, "_rights_before", None)
    if created:
        record("user.created", instance, after=after)
    elif before is not None and before != after:
        record("user.rights_changed", instance, before=before, after=after)


def _m2m_audit(action_name, instance, action, model, pk_set, reverse):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    names = sorted(str(o) for o in model.objects.filter(pk__in=pk_set or []))
    record(action_name, instance, detail={"change": action[5:], "items": names})


@receiver(m2m_changed, sender=User.groups.through)
def _groups_changed(sender, instance, action, model, pk_set, reverse, **kwargs):
    _m2m_audit("user.groups_changed" if not reverse else "group.members_changed", instance, action, model, pk_set, reverse)


@receiver(m2m_changed, sender=User.user_permissions.through)
def _user_perms_changed(sender, instance, action, model, pk_set, reverse, **kwargs):
    _m2m_audit("user.permissions_changed", instance, action, model, pk_set, reverse)


@receiver(m2m_changed, sender=Group.permissions.through)
def _group_perms_changed(sender, instance, action, model, pk_set, reverse, **kwargs):
    _m2m_audit("group.permissions_changed", instance, action, model, pk_set, reverse)
