"""A stack's own credentials (`credentials:`), so that one run over many stacks spans several accounts.

    credentials: {profile: prod}                      # a profile of ~/.aliyun/config.json or
                                                      # ~/.alibabacloud/credentials.ini
    credentials:
      variables: {accessKeyId: PROD_ACCESS_KEY_ID, accessKeySecret: PROD_ACCESS_KEY_SECRET,
                  securityToken: PROD_SECURITY_TOKEN}  # names of environment variables (the token optional)

Only names are written: a stack file is committed, a key never is. What the names hold is read when the
backend is chosen (ecsops.cloud.backend.NamedCredentials), and a name that holds nothing is an error there.
"""

from __future__ import annotations

import re
from typing import Any

from ecsops.cloud.backend import NAME_PATTERN, NamedCredentials
from ecsops.engine.errors import Diagnostic

VARIABLE = re.compile(rf"^{NAME_PATTERN}\Z")
PROFILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}\Z")
VARIABLES = {"accessKeyId": True, "accessKeySecret": True, "securityToken": False}  # name -> required
SHAPE = ("credentials is {profile: NAME} or {variables: {accessKeyId: VARIABLE, accessKeySecret: VARIABLE"
         "[, securityToken: VARIABLE]}}")


def named_credentials(value: Any, problems: list[Diagnostic]) -> NamedCredentials | None:
    """The credentials `value` (the stack's `credentials:`) names; None when absent, or when (problems recorded,
    each placed at its key) it names none."""
    if value is None:
        return None
    if not isinstance(value, dict) or len(value) != 1 or not set(value) <= {"profile", "variables"}:
        problems.append(Diagnostic(SHAPE, where=("credentials",)))
        return None
    if "profile" in value:
        profile = value["profile"]
        if not isinstance(profile, str) or not PROFILE.match(profile):
            problems.append(Diagnostic(f"{profile!r} is not a profile name", where=("credentials", "profile")))
            return None
        return NamedCredentials(profile=profile)
    return _variables(value["variables"], problems)


def _variables(value: Any, problems: list[Diagnostic]) -> NamedCredentials | None:
    if not isinstance(value, dict):
        problems.append(Diagnostic(SHAPE, where=("credentials", "variables")))
        return None
    found = len(problems)
    for key in sorted(set(value) - set(VARIABLES), key=str):
        problems.append(Diagnostic(f"unknown key {key!r} (expected: {', '.join(VARIABLES)})",
                                   where=("credentials", "variables", key)))
    for key, required in VARIABLES.items():
        name = value.get(key)
        if name is None and not required:
            continue
        if not isinstance(name, str) or not VARIABLE.match(name):
            what = "missing" if name is None else f"{name!r} is not an environment variable's name"
            problems.append(Diagnostic(f"{what}: the name of the variable holding the {key}",
                                       where=("credentials", "variables", key)))
    if len(problems) > found:
        return None
    return NamedCredentials(access_key_id_variable=value["accessKeyId"],
                            access_key_secret_variable=value["accessKeySecret"],
                            security_token_variable=value.get("securityToken"))
