from layers.models import Layer


def test_the_four_layers_come_from_the_migration(db):
    assert list(Layer.objects.values_list("ring", "key")) == [
        (1, "core"),
        (2, "expected"),
        (3, "augmented"),
        (4, "potential"),
    ]


def test_login_page_renders(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b"Sign in" in response.content
