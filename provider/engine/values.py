"""Values as the engine sees them: plain JSON-like data, where some parts may be unknown until apply.

An unknown value is the string `UNKNOWN` (the same sentinel the Pulumi engine sends during preview), or any
string containing it (an interpolation with an unknown part). Being a string, it passes the validation of
string fields unchanged, so a resource whose id field refers to a resource not yet created still gets every
other field checked at plan time.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from typing import Any, Callable

from pydantic import BaseModel, ConfigDict, ValidationError, ValidatorFunctionWrapHandler, WrapValidator

#: Equal to `pulumi.runtime.rpc.UNKNOWN` (a test keeps them equal): one marker for YAML and Pulumi.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def is_unknown(value: Any) -> bool:
    """True when the value, or any part of it, is known only after apply."""
    if isinstance(value, str):
        return UNKNOWN in value
    if isinstance(value, dict):
        return any(is_unknown(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(is_unknown(item) for item in value)
    return False


def canonical(value: Any) -> str:
    """A stable text form for comparing and hashing values: key order, float/int spelling and members set
    to None (Pulumi's wire drops them; "unset" either way) do not matter."""
    return json.dumps(_normal(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _normal(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _normal(item) for key, item in value.items() if item is not None}
    if isinstance(value, (list, tuple)):
        return [_normal(item) for item in value]
    return value


# -- secrets ---------------------------------------------------------------------------------------------
#
# A secret value is written `{secret: VALUE}` (YAML) and travels as the mapping {"secret": VALUE}. The
# engine never stores or shows VALUE: `protect` replaces it by a salted digest, still inside {"secret": ...},
# which is enough to tell whether it changed. Kinds `reveal` the plain value only when building an API
# request.
#
# The digest is scrypt (a deliberately slow, memory-hard hash), so that whoever reads a state file — which
# holds the salt too — cannot guess a low-entropy secret offline at HMAC speed. It costs about 40 ms, once
# per distinct secret and salt in a process (cached). States written before hold HMAC-SHA256 digests
# ("hmac-sha256:"): they still verify (`same_protected`), and apply rewrites them as scrypt.

SECRET_KEY = "secret"
DIGEST_PREFIX = "scrypt:"
LEGACY_DIGEST_PREFIX = "hmac-sha256:"
SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}   # the interactive-login cost of RFC 7914 (16 MiB)


def is_secret(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and SECRET_KEY in value


def contains_secret(value: Any) -> bool:
    if is_secret(value):
        return True
    if isinstance(value, dict):
        return any(contains_secret(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(contains_secret(item) for item in value)
    return False


@functools.lru_cache(maxsize=4096)
def digest(text: str, salt: str) -> str:
    """The stored form of a secret: scrypt of `text` under the state's `salt`."""
    return DIGEST_PREFIX + hashlib.scrypt(text.encode(), salt=salt.encode(), **SCRYPT).hex()


def legacy_digest(text: str, salt: str) -> str:
    """The digest of states written before scrypt: HMAC-SHA256, keyed with the salt."""
    return LEGACY_DIGEST_PREFIX + hmac.new(salt.encode(), text.encode(), hashlib.sha256).hexdigest()


def is_digest(value: Any) -> bool:
    return isinstance(value, str) and value.startswith((DIGEST_PREFIX, LEGACY_DIGEST_PREFIX))


def has_legacy_digest(value: Any) -> bool:
    """Whether a protected value still holds a digest of the old scheme (to be rewritten by apply)."""
    if is_secret(value):
        return isinstance(value[SECRET_KEY], str) and value[SECRET_KEY].startswith(LEGACY_DIGEST_PREFIX)
    if isinstance(value, dict):
        return any(has_legacy_digest(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(has_legacy_digest(item) for item in value)
    return False


def same_protected(plain: Any, stored: Any, salt: str) -> bool:
    """Whether `protect(plain, salt)` would equal `stored`, a protected value of either digest scheme (each
    secret is checked in the scheme it was stored in)."""
    if is_secret(stored) and is_secret(plain):
        inner, kept = plain[SECRET_KEY], stored[SECRET_KEY]
        if is_digest(inner) or not isinstance(kept, str):
            return bool(inner == kept)
        scheme = legacy_digest if kept.startswith(LEGACY_DIGEST_PREFIX) else digest
        return hmac.compare_digest(scheme(canonical(inner), salt), kept)
    if isinstance(plain, dict) and isinstance(stored, dict):
        return plain.keys() == stored.keys() and all(same_protected(plain[k], stored[k], salt) for k in plain)
    if isinstance(plain, (list, tuple)) and isinstance(stored, (list, tuple)):
        return len(plain) == len(stored) and all(same_protected(a, b, salt) for a, b in zip(plain, stored))
    return bool(protect(plain, salt) == stored)


def protect(value: Any, salt: str) -> Any:
    """`value` with every secret replaced by its digest (idempotent: digests stay as they are)."""
    if is_secret(value):
        inner = value[SECRET_KEY]
        if is_digest(inner) or (isinstance(inner, str) and is_unknown(inner)):
            return {SECRET_KEY: inner}
        return {SECRET_KEY: digest(canonical(inner), salt)}
    if isinstance(value, dict):
        return {key: protect(item, salt) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [protect(item, salt) for item in value]
    return value


def reveal(value: Any) -> Any:
    """The plain value for the wire: every {"secret": VALUE} becomes VALUE."""
    if is_secret(value):
        return value[SECRET_KEY]
    if isinstance(value, dict):
        return {key: reveal(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [reveal(item) for item in value]
    return value


def mark_secrets(value: Any, template: Any) -> Any:
    """`value` (as the cloud reports it, in plain) with the parts `template` declares secret marked secret.

    The cloud does not know which parameter was secret; the stack and the state do. Marking before
    `protect` lets a value read back from the cloud be compared with, and stored like, the declared one.
    """
    if is_secret(template) and not is_secret(value) and value is not None:
        return {SECRET_KEY: value}
    if isinstance(value, dict) and isinstance(template, dict) and not is_secret(value):
        return {key: mark_secrets(item, template.get(key)) for key, item in value.items()}
    if isinstance(value, list) and isinstance(template, list):
        return [mark_secrets(item, template[i] if i < len(template) else None) for i, item in enumerate(value)]
    return value


class SecretValue(BaseModel):
    """A value written `{secret: VALUE}`: never shown, logged or stored in plain text."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    secret: str


def secret_or_text(check: Callable[[str], str] | None = None, *, what: str = "text") -> WrapValidator:
    """The validator of a field that holds text or `{secret: TEXT}`: `check` applies to the text either way
    (it returns it or raises ValueError), and a problem with a secret is told without its value.

    Problems are reported on the field itself, not on pydantic's internal names for the union's members.
    """
    def validate(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            parsed = handler(value)
        except ValidationError:
            raise ValueError(f"give {what}, or {{secret: TEXT}} for a secret (quote numbers and booleans: "
                             "\"8080\")") from None
        if check is None:
            return parsed
        text = parsed.secret if isinstance(parsed, SecretValue) else parsed
        if is_unknown(text) or is_digest(text):
            return parsed
        try:
            check(text)
        except ValueError as problem:
            if isinstance(parsed, SecretValue):
                raise ValueError(f"the secret value is not valid: {redacted(str(problem), text)}") from None
            raise
        return parsed

    return WrapValidator(validate)


def redacted(message: str, secret: str) -> str:
    """`message` with `secret` (quoted or not) replaced by "(secret)"."""
    return message.replace(repr(secret), "(secret)").replace(secret, "(secret)") if secret else message
