"""The portal's page tree: the home page and its sections, created on demand.

Both ``setup_demo`` and the exchange importer use it, so a record that arrives before anyone
built the tree still finds (or makes) its section.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.models import Page, Site

# slug, title, model label, extra fields
SECTIONS = [
    ("policies", "政策文件", "portal.PolicyIndexPage", {"introduction": "本局及上级机关发布的财政政策文件、规范性文件及政策解读。"}),
    ("news", "新闻动态", "portal.SectionIndexPage", {"kind": "news", "introduction": "财政工作动态。"}),
    ("notices", "通知公告", "portal.SectionIndexPage", {"kind": "notice", "introduction": "通知公告、招标公告与中标公告。"}),
    ("budget", "预决算公开", "portal.DisclosureIndexPage", {"introduction": "政府预算、决算及部门预决算公开数据。"}),
    ("disclosure", "信息公开目录", "portal.InfoDisclosureIndexPage", {"introduction": "按类别和年度检索本局主动公开的政府信息。"}),
    ("interaction", "互动交流", "public_consultation.InteractionIndexPage",
     {"introduction": "欢迎就财政工作咨询提问，我们将在承诺时限内答复。"}),
    ("consultations", "意见征集", "public_consultation.DraftIndexPage",
     {"introduction": "公开征求意见的文件草案，欢迎在截止日期前提出意见。"}),
]
SECTION_BY_MODEL = {label: slug for slug, _t, label, _f in SECTIONS}
HOME_TITLE = "市财政局"


def home_page():
    from extranet.portal.models import HomePage

    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        # Wagtail's initial migration creates a placeholder welcome page; replace it.
        for placeholder in root.get_children().exact_type(Page):
            placeholder.delete()
        home = HomePage(title=HOME_TITLE, slug="home",
                        intro="<p>欢迎访问市财政局门户网站：财政政策、预决算公开、政府采购与互动交流。</p>")
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None or site.root_page_id != home.pk:
        Site.objects.update_or_create(is_default_site=True, defaults={
            "hostname": "localhost", "port": 80, "root_page": home, "site_name": HOME_TITLE})
    return home


def section(model_label: str):
    """The (first) section page of a model, created under the home page if missing."""
    from django.apps import apps

    model = apps.get_model(model_label)
    found = model.objects.first()
    if found is not None:
        return found
    slug = SECTION_BY_MODEL[model_label]
    return _create_section(slug)


def section_by_slug(slug: str):
    home = home_page()
    existing = home.get_children().filter(slug=slug).first()
    return existing.specific if existing else _create_section(slug)


def _create_section(slug: str):
    from django.apps import apps

    home = home_page()
    _slug, title, label, fields = next(s for s in SECTIONS if s[0] == slug)
    page = apps.get_model(label)(title=title, slug=slug, show_in_menus=True, **fields)
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def ensure_tree():
    home = home_page()
    for slug, *_rest in SECTIONS:
        section_by_slug(slug)
    return home


__all__ = ["ensure_tree", "home_page", "section", "section_by_slug", "_"]
