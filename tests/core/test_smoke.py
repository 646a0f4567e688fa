def test_home_renders_in_chinese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="zh-CN"' in response.get_data(as_text=True)


def test_login_then_dashboard(client, resident, login):
    login(resident)
    response = client.get("/dashboard")
    assert response.status_code == 200
    assert 'data-panel="resident"' in response.get_data(as_text=True)
