"""Emulated OSS: the object API the stack state backend uses (buckets, PutObject with forbid-overwrite,
GetObject, HeadObject, DeleteObject, ListObjects V1 and V2), over HTTP at every path that is neither the RPC
root `/` nor the admin API, signed by OSS V4 or V1 with the world's key pairs, answered as OSS answers.

`handle(app, request)` serves one request (api.py); the buckets are the world's and the objects are those
delivery.stores keeps, so records delivered to a bucket are listed and read through the same API.
"""

from ecsops.emulator.oss.api import handle

__all__ = ["handle"]
