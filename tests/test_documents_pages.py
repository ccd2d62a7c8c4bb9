"""The documents of a region with what was derived from each, on the public site and in the admin (issue 11)."""

import pytest

from .admin_helpers import login, seed


@pytest.fixture
def regions_app(make_app, regions_db_url):
    return make_app(regions_db_url, plugins="zhejiang,shandong,daoxian")


def test_public_page_lists_a_regions_documents_and_what_came_from_each(regions_app):
    client = regions_app.test_client()
    page = client.get("/documents?region=山东省").get_data(as_text=True)
    assert "鲁政办发〔2018〕21号" in page and "鲁政办发〔2017〕74号" in page
    assert "浙政办发〔2017〕82号" not in page  # another region's
    assert "本数据来自 鲁政办发〔2018〕21号 六、（三）加强政府信息公开审查和依申请公开工作" in page
    assert "山东省人民政府办公厅" in page and "现行有效" in page and "2018-07-04" in page

    everything = client.get("/documents").get_data(as_text=True)
    assert "国办发〔2017〕42号" in everything
    assert "文件之外的事实" in everything and "道县属湖南省永州市" in everything  # shown as such

    href = next(part.split('"')[0] for part in everything.split('href="/documents/')[1:])
    text = client.get(f"/documents/{href}")
    assert text.status_code == 200 and "基层政务公开" in text.get_data(as_text=True)
    assert client.get("/documents/99999/text").status_code == 404


def test_admin_lists_the_documents_of_the_users_region(regions_app):
    seed(regions_app)
    client = regions_app.test_client()
    login(client, "dx_admin")
    page = client.get("/admin/policy_documents/").get_data(as_text=True)
    assert "政策文件" in page and "道县全面推进基层政务公开标准化规范化工作实施方案" in page
    assert "鲁政办发〔2018〕21号" not in page  # not the user's region
    login(client, "sys")
    page = client.get("/admin/policy_documents/?region=山东省").get_data(as_text=True)
    assert "鲁政办发〔2018〕21号" in page


def test_api_lists_documents(regions_app):
    page = regions_app.test_client().get("/api/v1/documents?region=浙江省").get_json()  # a paged answer (#14)
    assert [r["number"] for r in page["items"]] == ["浙政办发〔2017〕82号"]


def test_the_public_index_shows_a_local_domain_with_its_region(make_app, loaded_db_url):
    from zwgk.plugin_manager import apply

    from .fakes import TEST_DOC, FakePlugin, domain, manager_with

    app = make_app(loaded_db_url)
    apply(app.extensions["zwgk.db"], manager_with(fake=FakePlugin(region="湖南省", documents=[TEST_DOC],
                                                                  domains=[domain("新型农村合作医疗")])))
    page = app.test_client().get("/").get_data(as_text=True)
    assert "新型农村合作医疗</td><td>地方领域（湖南省）" in page
    assert "义务教育</td><td>2017、2019" in page
