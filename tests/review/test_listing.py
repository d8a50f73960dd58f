"""The review list's rows built once a page (applications/review/admin/listing.py) are modeladmin's own."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail_modeladmin.views import IndexView

from applications.core.constants import ApplicationState as S
from applications.models import CertificateCheck, ReviewUnit
from applications.review.admin.applications import ApplicationAdmin
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/applications/application/"


@pytest.fixture
def varied(campaign_2022):
    """Each state twice (one of them in 西湖区), both channels, every 证书核验 result, markup in a name."""
    gongshu = ReviewUnit.objects.get(name="拱墅区总工会")
    checks = [CertificateCheck.MATCH, CertificateCheck.NOT_FOUND, CertificateCheck.DIFFERS, ""]
    made = []
    for n, state in enumerate(S.values * 2):
        made.append(
            ApplicationFactory(
                state=state,
                channel="unit" if n % 2 else "individual",
                unit=gongshu if n % 3 == 0 else ReviewUnit.objects.get(name="西湖区总工会"),
                certificate_check=checks[n % len(checks)],
                certificate_differences="发证日期、职业" if checks[n % len(checks)] == CertificateCheck.DIFFERS else "",
            )
        )
    made[0].name = '<b>张"三</b>&'
    made[0].save()
    return made


def _page(client, params):
    """The page with tokens and whitespace between tags taken out, so that two renderings compare."""
    html = client.get(LIST, params).content.decode()
    html = re.sub(r"\b[A-Za-z0-9]{64}\b", "(csrf token)", html)
    return re.sub(r"\s*([<>])\s*", r"\1", re.sub(r"\s+", " ", html))


def _modeladmin_page(client, params, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(ApplicationAdmin, "index_view_class", IndexView)
        patch.setattr(ApplicationAdmin, "index_template_name", "")
        return _page(client, params)


@pytest.mark.parametrize("user", ["service_center", "reviewer"])
@pytest.mark.parametrize(
    "params",
    [{}, {"state__exact": S.SUBMITTED}, {"o": "-1"}, {"q": "申请人"}, {"q": "nobody"}, {"certificate": "differs"}],
)
def test_the_list_renders_exactly_as_modeladmin_would(client, varied, request, monkeypatch, user, params):
    client.force_login(request.getfixturevalue(user))
    ours = _page(client, params)
    assert ours == _modeladmin_page(client, params, monkeypatch)
    assert "field-masked_id_number" in ours or "nobody" in params.get("q", "")


def test_the_list_escapes_names_and_masks_id_numbers(client, varied, service_center):
    client.force_login(service_center)
    html = client.get(LIST).content.decode()
    assert "&lt;b&gt;张&quot;三&lt;/b&gt;&amp;" in html and '<b>张"三' not in html
    for application in varied:
        assert application.masked_id in html and application.id_number not in html
        assert f'href="/admin/applications/review/{application.pk}/"' in html


def test_a_search_counts_once_and_builds_the_filters_once(client, varied, service_center):
    client.force_login(service_center)
    client.get(LIST, {"q": "申请人"})
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST, {"q": "申请人"})
    sql = [query["sql"] for query in queries.captured_queries]
    assert sum("COUNT(*)" in statement for statement in sql) == 2  # all applications, and those found
    assert sum('FROM "applications_skilllevel"' in statement for statement in sql) == 1  # the level filter


@pytest.mark.parametrize(("params", "counts"), [({}, 1), ({"o": "-1"}, 1), ({"state__exact": S.SUBMITTED}, 2)])
def test_the_whole_list_is_counted_once_a_filtered_one_twice(client, varied, reviewer, params, counts):
    client.force_login(reviewer)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(LIST, params).content.decode()
    assert sum("COUNT(*)" in query["sql"] for query in queries.captured_queries) == counts
    mine = [a for a in varied if a.unit.name == "西湖区总工会"]
    shown = len(mine) if counts == 1 else sum(a.state == S.SUBMITTED for a in mine)
    assert f'<span class="result-count">{shown} / {len(mine)}</span>' in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only")
def test_the_search_columns_have_trigram_indexes_on_postgresql(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'applications_application'")
        definitions = [row[0] for row in cursor.fetchall()]
    for column in ApplicationAdmin.search_fields:
        assert any(f"upper(({column})::text) gin_trgm_ops" in definition for definition in definitions), column
