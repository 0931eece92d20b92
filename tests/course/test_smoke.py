def test_welcome_page_invites_sign_in(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Sign in" in response.data
    assert b"Promoting First Relationships training" in response.data
