"""/readyz/ answers 200 when the database, the default cache and the private store work, else 503 naming which."""

from unittest import mock

import pytest
from django.db.utils import OperationalError

pytestmark = pytest.mark.django_db


def test_readyz_is_200_with_every_check_ok(client, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    response = client.get("/readyz/")
    assert response.status_code == 200
    assert response.json() == {"ready": True, "checks": {"database": "ok", "cache": "ok", "file_store": "ok"}}
    assert response["Cache-Control"] == "no-store"


def test_readyz_leaves_no_probe_file_behind(client, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    client.get("/readyz/")
    assert list(tmp_path.iterdir()) == []


def test_readyz_names_the_database_when_it_is_down(client, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    with mock.patch("home.views.connection.cursor", side_effect=OperationalError("connection refused")):
        response = client.get("/readyz/")
    assert response.status_code == 503
    body = response.json()
    assert body["ready"] is False
    assert body["failing"] == ["database"]
    assert body["checks"] == {"database": "failed", "cache": "ok", "file_store": "ok"}


def test_readyz_names_the_cache_when_redis_is_down(client, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    with mock.patch("home.views.cache.set", side_effect=ConnectionError("Error 111 connecting to 127.0.0.1:6390")):
        response = client.get("/readyz/")
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]


def test_readyz_names_the_cache_when_it_forgets_what_it_was_given(client, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    with mock.patch("home.views.cache.get", return_value=None):
        response = client.get("/readyz/")
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]


def test_readyz_names_the_file_store_when_it_cannot_be_written(client, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "missing"  # no such directory: the write fails
    response = client.get("/readyz/")
    assert response.status_code == 503
    assert response.json()["failing"] == ["file_store"]


def test_readyz_names_the_file_store_when_the_disk_is_full(client, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    with mock.patch("home.views.Path.write_bytes", side_effect=OSError(28, "No space left on device")):
        response = client.get("/readyz/")
    assert response.status_code == 503
    assert response.json()["failing"] == ["file_store"]


def test_readyz_does_not_tell_the_caller_why(client, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    with mock.patch("home.views.connection.cursor", side_effect=OperationalError("password authentication failed")):
        response = client.get("/readyz/")
    assert b"password" not in response.content
