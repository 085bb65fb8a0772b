"""`ecsops emulator ...`: run the local cloud, and drive its admin API (world, clock, requests, faults).

The admin subcommands authenticate with a key pair of the emulator's world (HTTP Basic): `--access-key-id`
/ `--access-key-secret`, else `ECSOPS_ACCESS_KEY_ID` / `ECSOPS_ACCESS_KEY_SECRET`, else the default pair.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from ecsops.cli.arguments import LOOPBACK
from ecsops.cloud.backend import EMULATOR_ACCESS_KEY_ID, EMULATOR_ACCESS_KEY_SECRET, normalise_endpoint


def run_serve(arguments: argparse.Namespace) -> int:
    from ecsops.emulator import clock, events, world
    from ecsops.emulator.server import EmulatorServer, is_loopback

    host = arguments.host or LOOPBACK
    server = EmulatorServer(arguments.db, host=host, port=arguments.port, allow_remote=arguments.host is not None)
    with server.database.transaction() as tx:
        if arguments.world:
            merged = world.merge(tx, world.parse(yaml.safe_load(arguments.world.read_text())))
            events.announce(tx, merged, clock.now(tx))  # as the admin route: a status it changed is announced
        if arguments.access_key_id or arguments.access_key_secret:
            if not (arguments.access_key_id and arguments.access_key_secret):
                print("error: give both --access-key-id and --access-key-secret", file=sys.stderr)
                return 1
            keys = [{"id": arguments.access_key_id, "secret": arguments.access_key_secret}]
            world.merge(tx, world.parse({"account": {"accessKeys": keys}}))
    print(f"endpoint: {server.endpoint}", flush=True)
    print(f"database: {Path(arguments.db).resolve()}", flush=True)
    if not is_loopback(host):
        print(f"warning: serving on {host}: anyone who can reach it can use it", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def _fail(message: str) -> SystemExit:
    print(f"error: {message}", file=sys.stderr)
    return SystemExit(1)


def _admin(arguments: argparse.Namespace, method: str, route: str, body: Any = None) -> Any:
    if not arguments.endpoint:
        raise _fail("no emulator endpoint: pass --endpoint or set ECSOPS_ENDPOINT")
    url = f"{normalise_endpoint(arguments.endpoint)}/_emulator/{route}"
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "Authorization": _basic_authorization(arguments)}
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        with error:
            raise _fail(json.load(error).get("error", error.reason)) from None
    except urllib.error.URLError as error:
        raise _fail(f"cannot reach the emulator at {url}: {error.reason}") from None


def _basic_authorization(arguments: argparse.Namespace) -> str:
    """HTTP Basic credentials from the given key pair, or the default pair when none is given."""
    if bool(arguments.access_key_id) != bool(arguments.access_key_secret):
        raise _fail("give both the AccessKeyId and its secret (--access-key-id / --access-key-secret, or "
                    "ECSOPS_ACCESS_KEY_ID / ECSOPS_ACCESS_KEY_SECRET)")
    access_key_id = arguments.access_key_id or EMULATOR_ACCESS_KEY_ID
    secret = arguments.access_key_secret or EMULATOR_ACCESS_KEY_SECRET
    return "Basic " + base64.b64encode(f"{access_key_id}:{secret}".encode()).decode()


def _print(document: Any) -> int:
    json.dump(document, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


def run_reset(arguments: argparse.Namespace) -> int:
    return _print(_admin(arguments, "POST", "reset"))


def run_world(arguments: argparse.Namespace) -> int:
    if arguments.file is None:
        return _print(_admin(arguments, "GET", "world"))
    return _print(_admin(arguments, "POST", "world", yaml.safe_load(arguments.file.read_text())))


def run_clock(arguments: argparse.Namespace) -> int:
    if arguments.set:
        return _print(_admin(arguments, "POST", "clock", {"set": arguments.set}))
    if arguments.advance:
        return _print(_admin(arguments, "POST", "clock", {"advance": arguments.advance}))
    if arguments.real:
        return _print(_admin(arguments, "POST", "clock", {"real": True}))
    return _print(_admin(arguments, "GET", "clock"))


def run_requests(arguments: argparse.Namespace) -> int:
    query = f"requests?since={arguments.since}" + ("&kind=write" if arguments.writes else "")
    return _print(_admin(arguments, "GET", query))


def run_faults(arguments: argparse.Namespace) -> int:
    if arguments.show:
        return _print(_admin(arguments, "GET", "faults"))
    if arguments.clear:
        return _print(_admin(arguments, "DELETE", "faults"))
    return _print(_admin(arguments, "POST", "faults", {
        "seed": arguments.seed, "latencyMs": arguments.latency_ms, "throttleRate": arguments.throttle_rate,
        "errorRate": arguments.error_rate, "dropRate": arguments.drop_rate, "maxRate": arguments.max_rate,
        "holdWrites": arguments.hold_writes}))
