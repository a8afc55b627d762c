from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from core_finance.assets import urls
from core_finance.assets.models import AssetCategory
from core_finance.wagtail_hooks import MENU_HOOK, FinanceViewSet, LazyUrlMenuItem


class CategoryViewSet(FinanceViewSet):
    model = AssetCategory
    name = "finance_asset_categories"
    list_display = ["code", "name", "parent", "useful_life_years"]
    search_fields = ["code", "name"]
    list_export = ["code", "name", "parent", "useful_life_years"]
    form_fields = ["code", "name", "parent", "useful_life_years"]


CATEGORIES = CategoryViewSet()


@hooks.register("register_admin_viewset")
def register_viewsets():
    return [CATEGORIES]


@hooks.register("register_admin_urls")
def register_urls():
    return [path("finance/assets/", include((urls.urlpatterns, "finance_assets"), namespace="finance_assets"))]


@hooks.register(MENU_HOOK)
def menu_register():
    return LazyUrlMenuItem(_("State assets"), "finance_assets:register", "finance_assets.view_assetcard",
                           icon_name="table", order=250, name="finance-assets")


@hooks.register(MENU_HOOK)
def menu_report():
    return LazyUrlMenuItem(_("Annual asset report"), "finance_assets:report", "finance_assets.view_assetcard",
                           icon_name="table", order=251, name="finance-assets-report")


@hooks.register(MENU_HOOK)
def menu_categories():
    return LazyUrlMenuItem(_("Asset categories"), lambda: CATEGORIES.menu_url,
                           "finance_assets.view_assetcategory", icon_name="table", order=252,
                           name="finance-asset-categories")
