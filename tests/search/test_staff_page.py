"""The intranet's staff search page applies the signed-in user's access."""

from search.services import indexing


def test_staff_search_page_filters_by_user(client, make_user, otp_login):
    user, password, device = make_user("reader")
    indexing.upsert("oa:mine", source="oa", kind="document", title="我的部门预算文件", body="部门预算",
                    grants=[f"user:{user.pk}"])
    indexing.upsert("oa:other", source="oa", kind="document", title="他人部门预算文件", body="部门预算",
                    grants=["user:0"])
    indexing.refresh()
    assert client.get("/search/", {"q": "部门预算"}).status_code == 302  # login first
    otp_login(client, user.username, password, device, next_url="/search/")
    page = client.get("/search/", {"q": "部门预算"}).content.decode()
    assert "我的<mark>部门预算</mark>文件" in page and "他人" not in page
    data = client.get("/search/api/", {"q": "部门预算"}).json()
    assert data["total"] == 1
