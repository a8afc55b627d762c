"""RSS 2.0 and Atom feeds of policies, news and notices."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator

from extranet.portal.models import ArticlePage, PolicyDocumentPage


class _PageFeed(Feed):
    limit = 30

    def item_title(self, item):
        if getattr(item, "doc_number", ""):
            return f"{item.title}（{item.doc_number}）"
        return item.title

    def item_description(self, item):
        return Truncator(getattr(item, "summary", "") or item.body_text or "").chars(300)

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        return getattr(item, "published_on", None) or getattr(item, "date", None) or item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at

    def item_author_name(self, item):
        return getattr(item, "issuer", "") or None


class PolicyFeed(_PageFeed):
    title = "市财政局 · 政策文件"
    link = "/"
    description = "市财政局最新发布的政策文件与政策解读"

    def items(self):
        return PolicyDocumentPage.objects.live().order_by("-published_on", "-pk")[: self.limit]


class NewsFeed(_PageFeed):
    title = "市财政局 · 新闻动态与通知公告"
    link = "/"
    description = "市财政局新闻动态、通知公告、招标与中标公告"

    def items(self):
        return ArticlePage.objects.live().order_by("-date", "-pk")[: self.limit]


class PolicyAtomFeed(PolicyFeed):
    feed_type = Atom1Feed
    subtitle = PolicyFeed.description


class NewsAtomFeed(NewsFeed):
    feed_type = Atom1Feed
    subtitle = NewsFeed.description
