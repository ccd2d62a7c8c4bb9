"""The public page and JSON API."""


def test_index_speaks_chinese_and_counts_editions(client):
    page = client.get("/").get_data(as_text=True)
    assert "基层政务公开标准化规范化" in page
    assert "2017年版 25 个、2019年版 26 个" in page
    assert "试点单位 100 个" in page


def test_api_lists_domains_with_sources(client):
    rows = client.get("/api/v1/domains?limit=200").get_json()["items"]
    assert len(rows) == 29
    first = rows[0]
    assert list(first)[:3] == ["id", "key", "origin"] and first["source"]["file"]


def test_api_region_filter_and_errors(client):
    rows = client.get("/api/v1/units?region=宁夏回族自治区&limit=200").get_json()["items"]
    assert sum(r["is_pilot"] for r in rows) == 5
    assert client.get("/api/v1/units?region=火星").status_code == 400
    assert client.get("/api/v1/changes").status_code == 404  # history is not public
    assert client.get("/api/v1/nothing").status_code == 404


def test_every_answer_carries_the_security_headers_and_the_admin_is_not_cached(client):
    for url in ("/", "/api/v1/domains", "/login", "/admin/"):
        resp = client.get(url)
        assert resp.headers["X-Content-Type-Options"] == "nosniff", url
        assert resp.headers["X-Frame-Options"] == "DENY", url
        assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"], url
        assert resp.headers["Referrer-Policy"] == "same-origin", url
        assert (resp.headers.get("Cache-Control") == "no-store") == url.startswith(("/admin", "/login")), url
