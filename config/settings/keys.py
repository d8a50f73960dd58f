"""Rules for the secrets: production refuses short or guessable keys, development defaults stay local.

Plain functions of values, called at the end of `production.py` and `dev.py` and by tests with
made-up values. They never print a key.
"""

import math
from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

GENERATE_COMMAND = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'
MIN_LENGTH = 32
MIN_ENTROPY_BITS = 128

# Public values (they are in the source): development and test settings only.
DEV_DEFAULTS = {
    "SECRET_KEY": "dev-only-insecure-secret-key-change-me",
    "FIELD_ENCRYPTION_KEY": "dev-only-field-encryption-key",
    # Before FIELD_HASH_KEY existed, hashes were made under the first encryption key: local
    # databases made then keep finding their members.
    "FIELD_HASH_KEY": "dev-only-field-encryption-key",
}
TEST_DEFAULTS = {
    "SECRET_KEY": "test-only-secret-key",
    "FIELD_ENCRYPTION_KEY": "test-only-field-encryption-key",
    "FIELD_HASH_KEY": "test-only-field-hash-key",
}
PUBLIC_VALUES = frozenset(DEV_DEFAULTS.values()) | frozenset(TEST_DEFAULTS.values())


def _alphabet_size(value: str) -> int:
    size = 0
    size += 26 if any("a" <= c <= "z" for c in value) else 0
    size += 26 if any("A" <= c <= "Z" for c in value) else 0
    size += 10 if any("0" <= c <= "9" for c in value) else 0
    size += 33 if any(not c.isascii() or not c.isalnum() for c in value) else 0
    return size


def estimated_entropy_bits(value: str) -> float:
    """A cautious estimate of a key's strength in bits.

    Each character counts log2 of the alphabet its kinds suggest (lower case, upper case,
    digits, others), except one that continues a pattern: a run or an even step (`aaaa`,
    `abcd`, `2468`) or a three-character stretch already seen (`abcabc`, a repeated chunk).
    Words and phrases are not recognised: generate keys, don't invent them.
    """
    if not value:
        return 0.0
    seen = set()
    counted = 0
    for i in range(len(value)):
        if i < 2:
            counted += 1
            continue
        stretch = value[i - 2 : i + 1]
        steps = ord(value[i]) - ord(value[i - 1]) == ord(value[i - 1]) - ord(value[i - 2])
        if not steps and stretch not in seen:
            counted += 1
        seen.add(stretch)
    return counted * math.log2(_alphabet_size(value))


def key_problem(value: str) -> str | None:
    """Why this key must not protect a live site, or None if it may."""
    if value in PUBLIC_VALUES or value.startswith(("dev-only-", "test-only-", "django-insecure-")):
        return "is a public development or test default"
    if len(value) < MIN_LENGTH:
        return f"is shorter than {MIN_LENGTH} characters"
    if estimated_entropy_bits(value) < MIN_ENTROPY_BITS:
        return f"is too predictable (repeated characters, runs or patterns; under {MIN_ENTROPY_BITS} bits)"
    return None


def production_key_problems(values: Mapping[str, str]) -> list[str]:
    """One line per weak key among SECRET_KEY, each FIELD_ENCRYPTION_KEY entry and FIELD_HASH_KEY."""
    problems = []
    secret_key = values.get("SECRET_KEY") or ""
    if problem := key_problem(secret_key):
        problems.append(f"SECRET_KEY {problem}")
    entries = [part.strip() for part in (values.get("FIELD_ENCRYPTION_KEY") or "").split(",")]
    if not any(entries):
        problems.append("FIELD_ENCRYPTION_KEY is empty")
    else:
        for number, entry in enumerate(entries, start=1):
            if problem := key_problem(entry):
                problems.append(f"FIELD_ENCRYPTION_KEY (entry {number} of {len(entries)}) {problem}")
    hash_key = (values.get("FIELD_HASH_KEY") or "").strip()
    if "," in hash_key:
        problems.append("FIELD_HASH_KEY holds one key, not a list: it never rotates")
    elif problem := key_problem(hash_key):
        problems.append(f"FIELD_HASH_KEY {problem}")
    return problems


def check_production_keys(values: Mapping[str, str]) -> None:
    """Raise ImproperlyConfigured, naming each weak key and how to make a good one, if any is weak."""
    problems = production_key_problems(values)
    if problems:
        raise ImproperlyConfigured(
            "Production refuses to start with weak keys:\n"
            + "".join(f"  - {problem}\n" for problem in problems)
            + f"Generate each key (at least {MIN_LENGTH} random characters) with:\n  {GENERATE_COMMAND}\n"
            "FIELD_HASH_KEY is set once and never changed: read the README (Security, keys) before "
            "setting it on a site that already has data."
        )


def is_local_sqlite(database: Mapping, base_dir: Path) -> bool:
    """Whether the database is a SQLite file under base_dir/var (the developer's own copy)."""
    if database.get("ENGINE") != "django.db.backends.sqlite3":
        return False
    name = str(database.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return False
    return Path(name).resolve().is_relative_to((Path(base_dir) / "var").resolve())


def dev_defaults_in_use(values: Mapping[str, str]) -> list[str]:
    """The names of the keys that still hold their public development default."""
    in_use = []
    for name, default in DEV_DEFAULTS.items():
        value = (values.get(name) or "").strip()
        if name == "FIELD_ENCRYPTION_KEY":
            value = value.split(",")[0].strip()  # the key that encrypts; older ones only read
        if value == default:
            in_use.append(name)
    return in_use


def check_dev_defaults(database: Mapping, values: Mapping[str, str], base_dir: Path) -> None:
    """Refuse development defaults against any database but the local SQLite file under base_dir/var.

    Development settings are `manage.py`'s default; a command run against a real database
    without saying so would otherwise write with public keys (and DEBUG, console texts).
    """
    if is_local_sqlite(database, base_dir):
        return
    in_use = dev_defaults_in_use(values)
    if not in_use:
        return
    where = f"the {database.get('ENGINE', '?').rsplit('.', 1)[-1]} database"
    if database.get("HOST"):
        where += f" on {database['HOST']}"
    raise ImproperlyConfigured(
        f"Development settings (config.settings.dev, manage.py's default) against {where}, "
        f"not the local SQLite file under var/, while {', '.join(in_use)} still "
        f"{'has its' if len(in_use) == 1 else 'have their'} public development default. "
        "For a live site run with DJANGO_SETTINGS_MODULE=config.settings.production; for a development "
        f"database of your own set {', '.join(in_use)} in the environment or .env "
        f"(generate a key with: {GENERATE_COMMAND})."
    )
