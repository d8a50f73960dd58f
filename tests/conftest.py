"""Shared fixtures: the 2022 content is built once per test database and reused."""

import pytest
from django.apps import apps
from django.core.cache import caches
from django.db.models.signals import post_migrate
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from applications.programme.demo import ensure_campaign_2022
from home import page_cache
from home.demo import ensure_pages


def _load_2022_content(sender, **kwargs):
    """Build the 2022 campaign and pages as the last step of the test database's migrate.

    Running inside migrate puts the content into the snapshot Django takes of the new test
    database, which transactional (browser) tests restore, so every test sees the same site.
    """
    from home.models import HomePage

    last_app_with_models = [config for config in apps.get_app_configs() if config.models_module][-1]
    # `flush` (after each transactional test) sends post_migrate too, on an emptied database.
    if sender.label == last_app_with_models.label and HomePage.objects.exists():
        ensure_pages(ensure_campaign_2022())


post_migrate.connect(_load_2022_content, dispatch_uid="tests-load-2022-content")


@pytest.fixture
def site_2022(db):
    """The 2022 campaign and notice; recreated if a transactional test flushed them."""
    campaign = ensure_campaign_2022()
    notice = ensure_pages(campaign)
    return campaign, notice


@pytest.fixture
def campaign_2022(site_2022):
    return site_2022[0]


@pytest.fixture
def notice_2022(site_2022):
    return site_2022[1]


@pytest.fixture
def sms_file(settings, tmp_path):
    """Text messages go to this test's own file, one JSON line each; the file's path."""
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE = str(tmp_path / "sms.jsonl")
    return tmp_path / "sms.jsonl"


@pytest.fixture(autouse=True)
def _empty_caches():
    """Each test starts with empty caches, so cached pages never leak between tests."""
    caches["default"].clear()
    page_cache.purge()
    yield


@pytest.fixture(autouse=True)
def _force_login_as_if_with_a_code(request, monkeypatch):
    """`force_login` cannot type an authenticator code, so it also gives the user a confirmed device
    and marks the session as verified by it, as a sign-in with password and code does; the
    settings enforce codes as production does. A test marked `unverified_login` gets Django's
    plain force_login: a session without a code, which the site must treat as signed out."""
    if request.node.get_closest_marker("unverified_login"):
        return
    plain_force_login = Client.force_login

    def force_login(client, user, backend=None):
        from staff_auth.devices import confirmed_device, issue_device

        plain_force_login(client, user, backend)
        device = confirmed_device(user) or issue_device(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


def _flushes_the_database(item):
    marker = item.get_closest_marker("django_db")
    return marker is not None and marker.kwargs.get("transaction", False)


def pytest_collection_modifyitems(items):
    """Transactional tests (browser ones included) last: the database is emptied after each of them
    and restored only before the next transactional test that asks for serialized_rollback."""
    items.sort(key=_flushes_the_database)


def _staff(username, role, unit=None):
    from applications.programme.staff import create_staff

    return create_staff(username, role, password="pw-for-tests", unit_name=unit)[0]


@pytest.fixture
def editor(site_2022):
    return _staff("t-editor", "editor")


@pytest.fixture
def reviewer(site_2022):
    return _staff("t-xihu", "unit_reviewer", "西湖区总工会")


@pytest.fixture
def service_center(site_2022):
    return _staff("t-service", "city_service_center")


@pytest.fixture
def second_service_center(site_2022):
    """Another city service center account: the second person of a maker-checker step."""
    return _staff("t-service-2", "city_service_center")


@pytest.fixture
def economic(site_2022):
    return _staff("t-economic", "economic_dept")
