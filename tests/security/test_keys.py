"""Keys: rotating the encryption key never breaks lookups or the one-application rule; weak keys refused.

Attacks: a new key put in front of FIELD_ENCRYPTION_KEY (as the README says to rotate) used to
change the keyed hash, so members were no longer found, status lookups failed and the partial
unique index let the same person apply (and be paid) twice. Production started with any key;
manage.py ran with the public development keys against whatever DATABASE_URL said.
"""

import base64
import datetime
import io
import secrets
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from applications.apply.status import lookup
from applications.apply.submission import Applicant, SubmissionError, submit
from applications.core import crypto
from applications.core.constants import ApplicationState
from applications.management.commands import reencrypt_fields
from applications.members.directory import get_member_directory
from applications.models import Application, BankCardCorrection, Member, PaymentBatch, PaymentItem
from config.settings.keys import (
    DEV_DEFAULTS,
    GENERATE_COMMAND,
    TEST_DEFAULTS,
    check_dev_defaults,
    check_production_keys,
    estimated_entropy_bits,
)
from tests.factories import ApplicationFactory, MemberFactory, UserFactory, make_id_number

KEY_B = "rotation-test-key-B"
KEY_C = "rotation-test-key-C"
CLIENT = "203.0.113.9"


def _fernet(secret):
    return Fernet(base64.urlsafe_b64encode(crypto._derive(secret, "encrypt")))


def _stored(model, pk, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _use_keys(settings, value):
    settings.FIELD_ENCRYPTION_KEY = value
    crypto._fernets.cache_clear()
    crypto._fernet.cache_clear()


@pytest.fixture
def campaign(campaign_2022):
    from applications.programme.demo import ensure_demo_campaign

    return ensure_demo_campaign(campaign_2022)


def _applicant(campaign, member):
    from applications.models import SkillLevel

    return Applicant(
        unit=member.unit,
        name=member.name,
        gender="male",
        birth_date=datetime.date(1986, 3, 4),
        education="senior",
        occupation="数控车工",
        previous_level=None,
        previous_level_obtained_on=None,
        new_level=SkillLevel.objects.get(code="technician"),
        certificate_number="S0009",
        certificate_issued_on=campaign.window_start,
        id_number=member.id_number,
        mobile=member.mobile,
        bank_card="6222021234567890128",
        bank_branch="中国工商银行杭州西湖支行",
        employer=member.employer,
        grassroots_union=member.grassroots_union,
    )


def _assert_everything_still_works(campaign, member, id_number, password):
    found = get_member_directory().find_verified(member.name, id_number)
    assert found is not None and found.id_hash == member.id_hash

    result = lookup(id_number, password, CLIENT)
    assert result.found, result.message
    assert result.application.campaign == campaign

    with pytest.raises(SubmissionError):
        submit(campaign, _applicant(campaign, Member.objects.get(pk=member.pk)), {})
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationFactory(campaign=campaign, id_number=id_number, state=ApplicationState.SUBMITTED)
    assert Application.objects.filter(campaign=campaign).count() == 1


@pytest.mark.django_db
def test_rotating_the_encryption_key_twice_keeps_lookups_status_and_the_one_application_rule(settings, campaign):
    key_a = settings.FIELD_ENCRYPTION_KEY
    id_number = make_id_number(datetime.date(1986, 3, 4), seq=21)
    member = MemberFactory(id_number=id_number)
    submitted = submit(campaign, _applicant(campaign, member), {})
    application = submitted.application

    for keys, reencrypt in ((f"{KEY_B},{key_a}", True), (f"{KEY_C},{KEY_B}", True), (KEY_C, False)):
        _use_keys(settings, keys)
        _assert_everything_still_works(campaign, member, id_number, submitted.query_password)
        if reencrypt:
            call_command("reencrypt_fields", "--batch-size", "1", stdout=io.StringIO())
            first = keys.split(",")[0]
            assert _fernet(first).decrypt(_stored(Member, member.pk, "id_number").encode()).decode() == id_number
            assert _fernet(first).decrypt(_stored(Application, application.pk, "bank_card").encode())
            _assert_everything_still_works(campaign, member, id_number, submitted.query_password)

    assert Member.objects.get(pk=member.pk).id_number == id_number
    assert Application.objects.get(pk=application.pk).bank_card == "6222021234567890128"


@pytest.mark.django_db
def test_reencrypt_fields_finds_every_encrypted_column_through_the_model_registry():
    columns = {
        (model._meta.label, field.name) for model, fields in reencrypt_fields.encrypted_columns() for field in fields
    }
    assert columns >= {
        ("applications.Member", "id_number"),
        ("applications.Application", "id_number"),
        ("applications.Application", "bank_card"),
        ("applications.PaymentItem", "bank_card"),
        ("applications.BankCardCorrection", "bank_card"),
    }


@pytest.mark.django_db
def test_reencrypt_fields_rewrites_every_column_and_leaves_hashes_and_timestamps_alone(settings, campaign_2022):
    application = ApplicationFactory(campaign=campaign_2022)
    member = MemberFactory()
    creator, checker = UserFactory(), UserFactory()
    batch = PaymentBatch.objects.create(campaign=campaign_2022, number="PB-KEYS-1", created_by=creator)
    item = PaymentItem.objects.create(
        batch=batch, application=application, name=application.name, bank_card="6222020000000000001", amount=600
    )
    correction = BankCardCorrection.objects.create(
        application=application, bank_card="6222020000000000002", bank_branch="中国银行杭州分行", requested_by=checker
    )
    before = Application.objects.values("id_hash", "updated_at", "query_password_hash").get(pk=application.pk)
    member_hash = Member.objects.get(pk=member.pk).id_hash

    _use_keys(settings, f"{KEY_B},{settings.FIELD_ENCRYPTION_KEY}")
    call_command("reencrypt_fields", stdout=io.StringIO())

    new = _fernet(KEY_B)
    for model, pk, column in (
        (Member, member.pk, "id_number"),
        (Application, application.pk, "id_number"),
        (Application, application.pk, "bank_card"),
        (PaymentItem, item.pk, "bank_card"),
        (BankCardCorrection, correction.pk, "bank_card"),
    ):
        new.decrypt(_stored(model, pk, column).encode())  # raises InvalidToken if left under the old key
    assert Application.objects.values("id_hash", "updated_at", "query_password_hash").get(pk=application.pk) == before
    assert Member.objects.get(pk=member.pk).id_hash == member_hash
    assert PaymentItem.objects.get(pk=item.pk).bank_card == "6222020000000000001"
    assert BankCardCorrection.objects.get(pk=correction.pk).bank_card == "6222020000000000002"


@pytest.mark.django_db
def test_reencrypt_fields_interrupted_after_a_batch_continues_where_it_stopped(settings, monkeypatch, capsys):
    members = [MemberFactory() for _ in range(5)]
    _use_keys(settings, f"{KEY_B},{settings.FIELD_ENCRYPTION_KEY}")
    real = reencrypt_fields.reencrypt_batch
    calls = []

    def fails_after_one_batch(model, fields, after_pk, size):
        if model is Member and calls:
            raise RuntimeError("power cut")
        if model is Member:
            calls.append(after_pk)
        return real(model, fields, after_pk, size)

    monkeypatch.setattr(reencrypt_fields, "reencrypt_batch", fails_after_one_batch)
    with pytest.raises(RuntimeError, match="power cut"):
        call_command("reencrypt_fields", "--batch-size", "2")

    def under_b(member):
        try:
            _fernet(KEY_B).decrypt(_stored(Member, member.pk, "id_number").encode())
        except InvalidToken:
            return False
        return True

    assert [under_b(m) for m in sorted(members, key=lambda m: m.pk)] == [True, True, False, False, False]

    monkeypatch.setattr(reencrypt_fields, "reencrypt_batch", real)
    capsys.readouterr()
    call_command("reencrypt_fields", "--batch-size", "2")
    out = capsys.readouterr().out
    assert "applications.Member (id_number): done, 3 values re-encrypted in 5 rows." in out
    assert all(under_b(m) for m in members)

    call_command("reencrypt_fields", "--batch-size", "2")
    assert "applications.Member (id_number): done, 0 values re-encrypted in 5 rows." in capsys.readouterr().out


@pytest.mark.django_db
def test_reencrypt_fields_stops_at_a_value_no_key_can_read(settings):
    member = MemberFactory()
    _use_keys(settings, KEY_B)  # the old key dropped before re-encrypting
    with pytest.raises(CommandError, match=rf"applications.Member {member.pk}: id_number cannot be decrypted"):
        call_command("reencrypt_fields", stdout=io.StringIO())


def test_in_progress_applications_in_sessions_stay_readable_while_the_old_key_is_listed(settings):
    token = crypto.encrypt('{"step": "details"}')
    _use_keys(settings, f"{KEY_B},{settings.FIELD_ENCRYPTION_KEY}")
    assert crypto.decrypt(token) == '{"step": "details"}'


def test_an_application_in_progress_under_a_dropped_key_starts_again_instead_of_failing(settings, client, campaign):
    url = f"/apply/{campaign.year}/"
    session = client.session
    session[f"apply-{campaign.year}"] = crypto.encrypt('{"step": "details", "seen": 0}')
    session.save()
    _use_keys(settings, KEY_B)  # the key the flow was written under is no longer listed

    response = client.get(url)

    assert response.status_code == 200
    assert "第一步：身份验证" in response.content.decode()


# Production keys.


def _good():
    return secrets.token_urlsafe(48)


def _keys(**overrides):
    return {"SECRET_KEY": _good(), "FIELD_ENCRYPTION_KEY": _good(), "FIELD_HASH_KEY": _good()} | overrides


def test_production_accepts_generated_keys_and_a_rotation_list():
    check_production_keys(_keys())
    check_production_keys(_keys(FIELD_ENCRYPTION_KEY=f"{_good()},{_good()}"))
    check_production_keys(_keys(SECRET_KEY=secrets.token_hex(16)))  # 32 hex characters: 128 random bits


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("SECRET_KEY", "Zq8#vN2m", "shorter than 32 characters"),
        ("SECRET_KEY", "a" * 64, "too predictable"),
        ("FIELD_HASH_KEY", "ab" * 32, "too predictable"),
        ("FIELD_HASH_KEY", "0123456789abcdefghijklmnopqrstuvwxyz", "too predictable"),
        ("FIELD_ENCRYPTION_KEY", "Xk3!pQ9zXk3!pQ9zXk3!pQ9zXk3!pQ9zXk3!pQ9z", "too predictable"),
        ("SECRET_KEY", DEV_DEFAULTS["SECRET_KEY"], "public development or test default"),
        ("FIELD_ENCRYPTION_KEY", DEV_DEFAULTS["FIELD_ENCRYPTION_KEY"], "public development or test default"),
        ("FIELD_HASH_KEY", TEST_DEFAULTS["FIELD_HASH_KEY"], "public development or test default"),
        ("SECRET_KEY", "django-insecure-" + secrets.token_urlsafe(40), "public development or test default"),
    ],
)
def test_production_refuses_short_predictable_or_public_keys(name, value, reason):
    with pytest.raises(ImproperlyConfigured) as refused:
        check_production_keys(_keys(**{name: value}))
    message = str(refused.value)
    assert f"{name} " in message and reason in message
    assert GENERATE_COMMAND in message
    assert value not in message  # the key itself is never printed


def test_production_checks_every_entry_of_the_encryption_key_list():
    with pytest.raises(ImproperlyConfigured, match=r"FIELD_ENCRYPTION_KEY \(entry 2 of 2\) is shorter"):
        check_production_keys(_keys(FIELD_ENCRYPTION_KEY=f"{_good()},short-old-key"))


def test_production_refuses_a_list_as_the_hash_key():
    with pytest.raises(ImproperlyConfigured, match="FIELD_HASH_KEY holds one key, not a list"):
        check_production_keys(_keys(FIELD_HASH_KEY=f"{_good()},{_good()}"))


def test_entropy_estimate_discounts_repeats_runs_and_patterns():
    random_key = _good()
    assert estimated_entropy_bits(random_key) > 300
    assert estimated_entropy_bits("a" * 64) < 20
    assert estimated_entropy_bits("0123456789" * 4) < 40
    assert estimated_entropy_bits(random_key[:8] * 8) < 70


# Development defaults.

BASE = Path("/srv/portal")
POSTGRES = {"ENGINE": "django.db.backends.postgresql", "NAME": "portal", "HOST": "db.example.org"}
LOCAL_SQLITE = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(BASE / "var" / "db.sqlite3")}


def test_development_defaults_are_refused_against_postgresql_naming_each_variable():
    with pytest.raises(ImproperlyConfigured) as refused:
        check_dev_defaults(POSTGRES, DEV_DEFAULTS, BASE)
    message = str(refused.value)
    assert "SECRET_KEY, FIELD_ENCRYPTION_KEY, FIELD_HASH_KEY" in message
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in message


def test_development_refuses_even_one_key_left_at_its_default():
    values = {"SECRET_KEY": _good(), "FIELD_ENCRYPTION_KEY": _good(), "FIELD_HASH_KEY": DEV_DEFAULTS["FIELD_HASH_KEY"]}
    with pytest.raises(ImproperlyConfigured, match="while FIELD_HASH_KEY still has its public development default"):
        check_dev_defaults(POSTGRES, values, BASE)


@pytest.mark.parametrize(
    "database",
    [
        {"ENGINE": "django.db.backends.sqlite3", "NAME": "/tmp/elsewhere.sqlite3"},
        {"ENGINE": "django.db.backends.sqlite3", "NAME": str(BASE / "var" / ".." / "db.sqlite3")},
        {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"},
    ],
)
def test_development_defaults_are_refused_against_any_sqlite_file_outside_var(database):
    with pytest.raises(ImproperlyConfigured):
        check_dev_defaults(database, DEV_DEFAULTS, BASE)


def test_development_defaults_work_on_the_local_sqlite_file():
    check_dev_defaults(LOCAL_SQLITE, DEV_DEFAULTS, BASE)


def test_development_settings_with_keys_of_ones_own_may_use_another_database():
    check_dev_defaults(
        POSTGRES, {"SECRET_KEY": _good(), "FIELD_ENCRYPTION_KEY": _good(), "FIELD_HASH_KEY": _good()}, BASE
    )
