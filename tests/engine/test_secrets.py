"""Secret values `{secret: VALUE}`: digested for the state and the plan, marked on values read back from
the cloud, revealed only for the wire."""

from __future__ import annotations

from ecsops.engine.values import DIGEST_PREFIX, contains_secret, is_secret, mark_secrets, protect, reveal

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
