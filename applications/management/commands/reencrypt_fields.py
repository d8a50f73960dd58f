"""python manage.py reencrypt_fields [--batch-size 500]: every stored encrypted value under the first key.

After a new key is put in front of FIELD_ENCRYPTION_KEY, stored ID and bank card numbers are
still under the older keys. This finds every EncryptedCharField column of every model and
re-encrypts, in batches of rows (each batch one transaction, its rows locked), the values not yet
under the first key. Values already under it are skipped, so a run that stopped half-way is simply
run again. Only the encrypted columns are written (an UPDATE, not save()): `id_hash`, `updated_at`
and signals stay as they were. When a run reports nothing left to do, the older keys may go.
"""

from dataclasses import dataclass

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.db.models.functions import Cast

from applications.core.crypto import EncryptedCharField, reencrypted


def encrypted_columns():
    """(model, [EncryptedCharField, ...]) for every concrete model with encrypted columns."""
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        fields = [field for field in meta.concrete_fields if isinstance(field, EncryptedCharField)]
        if fields:
            yield model, fields


@dataclass(frozen=True)
class Batch:
    last_pk: object  # None when no rows were left
    rows: int
    values: int  # values re-encrypted


def reencrypt_batch(model, fields, after_pk, size) -> Batch:
    """Re-encrypt the encrypted columns of the next `size` rows after `after_pk`, in one transaction."""
    stored = {f"stored_{field.attname}": Cast(field.attname, models.TextField()) for field in fields}
    with transaction.atomic():
        rows = model._base_manager.select_for_update().order_by("pk").annotate(**stored)
        if after_pk is not None:
            rows = rows.filter(pk__gt=after_pk)
        rows = list(rows.values_list("pk", *stored)[:size])
        changed = 0
        for pk, *tokens in rows:
            updates = {}
            for field, token in zip(fields, tokens, strict=True):
                if token in (None, ""):
                    continue
                try:
                    new = reencrypted(token)
                except InvalidToken:
                    raise CommandError(
                        f"{model._meta.label} {pk}: {field.name} cannot be decrypted with any key of "
                        "FIELD_ENCRYPTION_KEY. Put back the key it was encrypted with, then run this again."
                    ) from None
                if new is not None:
                    updates[field.attname] = models.Value(new, output_field=models.TextField())
            if updates:
                model._base_manager.filter(pk=pk).update(**updates)
                changed += len(updates)
    return Batch(rows[-1][0] if rows else None, len(rows), changed)


class Command(BaseCommand):
    help = "Re-encrypt every stored ID and bank card number with the first key of FIELD_ENCRYPTION_KEY."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction (default 500)")

    def handle(self, *args, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        keys = len([part for part in (settings.FIELD_ENCRYPTION_KEY or "").split(",") if part.strip()])
        self.stdout.write(f"FIELD_ENCRYPTION_KEY holds {keys} key(s); re-encrypting with the first.")
        total = 0
        for model, fields in encrypted_columns():
            label = f"{model._meta.label} ({', '.join(field.name for field in fields)})"
            count = model._base_manager.count()
            done = changed = 0
            after = None
            while True:
                batch = reencrypt_batch(model, fields, after, batch_size)
                if not batch.rows:
                    break
                after = batch.last_pk
                done += batch.rows
                changed += batch.values
                self.stdout.write(f"  {label}: {done}/{count} rows checked, {changed} values re-encrypted")
                if batch.rows < batch_size:
                    break
            self.stdout.write(f"{label}: done, {changed} values re-encrypted in {done} rows.")
            total += changed
        days = settings.SESSION_COOKIE_AGE / 86400
        self.stdout.write(
            self.style.SUCCESS(
                f"All stored values are under the first key ({total} re-encrypted in this run). Sessions are not "
                "rewritten: an application in progress moves to the first key at its next step. Remove the older "
                f"keys from FIELD_ENCRYPTION_KEY once sessions from before the rotation have expired "
                f"(SESSION_COOKIE_AGE: {days:g} days)."
            )
        )
