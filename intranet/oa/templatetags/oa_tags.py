from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intranet.oa import workflow

register = template.Library()


@register.simple_tag
def state_of(doc) -> str:
    return workflow.state_label(doc)


@register.simple_tag
def step_label(task) -> str:
    if task.step == "circulate":
        step = _("Circulation (传阅)")
    elif task.step == "read":
        step = _("For reading (阅知)")
    else:
        step = str(workflow.machine(task.document).states.get(task.step, task.step))
    if task.user_id:
        return f"{step} · {task.user}"
    if task.department_id:
        return f"{step} · {task.department}"
    return step


EXTRA_ACTIONS = {"draft": gettext_lazy("Drafted"), "edit": gettext_lazy("Edited"), "attach": gettext_lazy("File attached"),
                 "arrive": gettext_lazy("Arrived by exchange"), "remind": gettext_lazy("Reminder sent"),
                 "escalate": gettext_lazy("Escalated to the leaders"), "release": gettext_lazy("Released to the portal"),
                 "read": gettext_lazy("Read (阅毕)")}


@register.simple_tag
def action_label(doc, name) -> str:
    t = workflow.machine(doc).transitions.get(name)
    if t is not None:
        return str(t.label)
    if name == "receive":
        return _("Acknowledge receipt (签收)")
    return str(EXTRA_ACTIONS.get(name, name))
