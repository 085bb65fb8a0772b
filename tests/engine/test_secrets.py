"""Secret values `{secret: VALUE}`: digested for the state and the plan, marked on values read back from
the cloud, revealed only for the wire."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from ecsops.engine.values import (DIGEST_PREFIX, canonical, contains_secret, has_legacy_digest, is_secret,
                                  legacy_digest, mark_secrets, protect, reveal, same_protected)

SALT = "0123456789abcdef"


def test_protect_digests_secrets_anywhere_and_is_idempotent() -> None:
    value = {"mount": "/", "token": {"secret": "s3cr3t"}, "list": [{"secret": "x"}]}
    protected = protect(value, SALT)
    assert protected["mount"] == "/"
    assert protected["token"]["secret"].startswith(DIGEST_PREFIX) and "s3cr3t" not in str(protected)
    assert protect(protected, SALT) == protected


def test_equal_secrets_have_equal_digests_and_salts_differ() -> None:
    assert protect({"secret": "a"}, SALT) == protect({"secret": "a"}, SALT)
    assert protect({"secret": "a"}, SALT) != protect({"secret": "b"}, SALT)
    assert protect({"secret": "a"}, SALT) != protect({"secret": "a"}, "another-salt")


def test_reveal_gives_the_plain_value_for_the_wire() -> None:
    assert reveal({"mount": "/", "token": {"secret": "s3cr3t"}}) == {"mount": "/", "token": "s3cr3t"}


def test_values_read_back_are_marked_where_the_declaration_is_secret() -> None:
    read = {"mount": "/", "token": "s3cr3t"}
    declared = {"mount": "/", "token": {"secret": "s3cr3t"}}
    assert mark_secrets(read, declared) == declared
    assert protect(mark_secrets(read, declared), SALT) == protect(declared, SALT)
    assert mark_secrets(read, None) == read


def test_secret_detection() -> None:
    assert is_secret({"secret": "x"}) and not is_secret({"secret": "x", "other": 1})
    assert contains_secret([{"a": {"secret": "x"}}]) and not contains_secret({"a": "secret"})


def test_the_digest_is_scrypt_so_a_state_file_does_not_make_guessing_cheap() -> None:
    """The state keeps the salt beside each digest: a slow, memory-hard hash (scrypt, N = 2**14, r = 8) makes
    each guess at a weak secret cost what a login costs, not what an HMAC costs."""
    expected = hashlib.scrypt(canonical("hunter2").encode(), salt=SALT.encode(), n=2**14, r=8, p=1, dklen=32)
    assert protect({"secret": "hunter2"}, SALT) == {"secret": DIGEST_PREFIX + expected.hex()}
    hmac_speed = hmac.new(SALT.encode(), b"hunter2", hashlib.sha256).hexdigest()
    assert hmac_speed not in protect({"secret": "hunter2"}, SALT)["secret"]


@pytest.mark.parametrize("stored_scheme", ["scrypt", "hmac-sha256"])
def test_stored_digests_of_either_scheme_are_recognised(stored_scheme: str) -> None:
    """States written before scrypt keep HMAC digests: they still match the same secret, never another."""
    plain = {"mount": "/", "token": {"secret": "s3cr3t"}}
    if stored_scheme == "scrypt":
        stored = protect(plain, SALT)
    else:
        stored = {"mount": "/", "token": {"secret": legacy_digest(canonical("s3cr3t"), SALT)}}
    assert protect(stored, SALT) == stored  # a digest of either scheme is kept as it is
    assert has_legacy_digest(stored) == (stored_scheme == "hmac-sha256")
    assert same_protected(plain, stored, SALT)
    assert not same_protected({"mount": "/", "token": {"secret": "other"}}, stored, SALT)
    assert not same_protected({"mount": "/tmp", "token": {"secret": "s3cr3t"}}, stored, SALT)
