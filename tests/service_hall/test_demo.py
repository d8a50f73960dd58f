"""load_demo leaves something to see on /consultations/ and /evaluations/ after `make run`."""

from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_load_demo_publishes_questions_and_ratings(client):
    call_command("load_demo", "--with-accounts", stdout=StringIO())
    call_command("load_demo", "--with-accounts", stdout=StringIO())
    asked = client.get("/consultations/").content.decode()
    assert asked.count("card mb-3 published-question") == 4
    rated = client.get("/evaluations/").content.decode()
    assert "满意率 50.0%（4条）" in rated and "郑*" in rated and "驳回意见已补充" in rated


def test_the_pages_read_in_english_too(client, site_2022):
    client.get("/lang/en/")
    asked = client.get("/consultations/").content.decode()
    assert "Online consultation" in asked and "Get a code and send" in asked
    rated = client.get("/evaluations/").content.decode()
    assert "Rating figures" in rated and "Very satisfied" in rated
