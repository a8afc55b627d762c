from django.conf import settings

from common.views import DISPLAY_COOKIE, DISPLAY_MODES


def site(request):
    modes = [m for m in request.COOKIES.get(DISPLAY_COOKIE, "").split(",") if m in DISPLAY_MODES]
    return {
        "jincai_side": settings.JINCAI_SIDE,
        "display_modes": modes,
        "display_classes": " ".join(f"mode-{m}" for m in modes),
    }
