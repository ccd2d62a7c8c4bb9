"""The language a visitor chose stays when they log in and out: the session is renewed (no
fixation, the old cookie's account data gone) but a language is not a credential."""

from .admin_helpers import PASSWORD, csrf, login, seed


def test_english_chosen_before_login_stays_after_login_and_logout(make_app, regions_db_url):
    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian", ZWGK_LOGIN_RATE="1000 per minute")
    seed(app)
    client = app.test_client()
    client.get("/lang/en")
    assert "Username" in client.get("/login").get_data(as_text=True)
    before = client.get_cookie("session").value
    assert login(client, "dx_admin").status_code == 302
    assert client.get_cookie("session").value != before  # a new session
    page = client.get("/admin/").get_data(as_text=True)
    assert "Sign out" in page or "Log out" in page, page[:2000]
    assert "退出" not in page
    token = csrf(client, "/admin/")
    client.post("/logout", data={"csrf_token": token})
    assert "Username" in client.get("/login").get_data(as_text=True)
    assert client.get("/admin/", follow_redirects=False).status_code == 302  # logged out indeed


def test_chinese_is_kept_too_and_the_default_is_chinese(make_app, regions_db_url):
    app = make_app(regions_db_url, plugins="zhejiang,shandong,daoxian", ZWGK_LOGIN_RATE="1000 per minute")
    seed(app)
    client = app.test_client()
    assert "用户名" in client.get("/login").get_data(as_text=True)
    client.get("/lang/en")
    client.get("/lang/zh_Hans_CN")
    login(client, "dx_admin", PASSWORD)
    assert "退出" in client.get("/admin/").get_data(as_text=True)
