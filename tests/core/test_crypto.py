"""ID and bank card numbers are encrypted at rest, found by keyed hash, and shown masked."""

import hashlib
import hmac

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from applications.core.crypto import decrypt, encrypt, keyed_hash, mask
from applications.models import Member, ReviewUnit

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"


def _member():
    return Member.objects.create(
        name="张三",
        id_number=ID_NUMBER,
        mobile="13800138000",
        unit=ReviewUnit.objects.get(name="西湖区总工会"),
        employer="杭州某某机械有限公司",
        grassroots_union="杭州某某机械有限公司工会",
    )


def test_id_number_is_stored_encrypted_and_read_back_in_clear(campaign_2022):
    member = _member()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM applications_member WHERE id = %s", [member.pk])
        stored = cursor.fetchone()[0]
    assert ID_NUMBER not in stored
    assert Member.objects.get(pk=member.pk).id_number == ID_NUMBER


def test_members_are_found_by_keyed_hash_whatever_the_letter_case(campaign_2022):
    member = _member()
    assert Member.objects.get(id_hash=keyed_hash(ID_NUMBER.lower() + " ")) == member


def test_keyed_hash_depends_on_the_hash_key_alone(settings):
    before = keyed_hash(ID_NUMBER)
    settings.FIELD_ENCRYPTION_KEY = "another-key," + settings.FIELD_ENCRYPTION_KEY
    assert keyed_hash(ID_NUMBER) == before
    settings.FIELD_HASH_KEY = "another-hash-key"
    assert keyed_hash(ID_NUMBER) != before


def test_keyed_hash_without_a_hash_key_is_refused(settings):
    settings.FIELD_HASH_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="FIELD_HASH_KEY"):
        keyed_hash(ID_NUMBER)


def test_keyed_hash_under_the_old_first_encryption_key_is_kept_by_setting_it_as_hash_key(settings):
    """Hashes stored before FIELD_HASH_KEY existed were keyed by the first encryption secret."""
    old_scheme = hmac.new(
        hashlib.sha256(b"hash:" + settings.FIELD_ENCRYPTION_KEY.encode()).digest(), ID_NUMBER.encode(), "sha256"
    ).hexdigest()
    settings.FIELD_HASH_KEY = settings.FIELD_ENCRYPTION_KEY
    assert keyed_hash(ID_NUMBER) == old_scheme


def test_a_rotated_key_still_decrypts_old_values(settings):
    token = encrypt(ID_NUMBER)
    settings.FIELD_ENCRYPTION_KEY = "new-key," + settings.FIELD_ENCRYPTION_KEY
    assert decrypt(token) == ID_NUMBER
    assert decrypt(encrypt("6222021234567890123")) == "6222021234567890123"


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (ID_NUMBER, "110***********002X"),
        ("6222021234567890123", "622************0123"),
        ("1234567", "*******"),
        ("", ""),
    ],
)
def test_mask_keeps_the_first_three_and_last_four(value, masked):
    assert mask(value) == masked
