import pytest


def test_the_docs_page_is_served(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_the_openapi_document_offers_bearer_authorization(client):
    document = client.get("/api/openapi.json").json()
    assert document["components"]["securitySchemes"]["JWTAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    assert document["paths"]["/api/users/{user_id}/"]["get"]["security"] == [{"JWTAuth": []}]
    assert "security" not in document["paths"]["/api/auth/token"]["post"]
