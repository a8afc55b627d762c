from django.urls import path

from extranet.portal import feeds

urlpatterns = [
    path("feeds/policies.rss", feeds.PolicyFeed(), name="feed_policies_rss"),
    path("feeds/policies.atom", feeds.PolicyAtomFeed(), name="feed_policies_atom"),
    path("feeds/news.rss", feeds.NewsFeed(), name="feed_news_rss"),
    path("feeds/news.atom", feeds.NewsAtomFeed(), name="feed_news_atom"),
]
