"""A small HTTP client for the end-to-end tests, on http.client (full control of headers)."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        """The JSON body; fails the test when the reply is not JSON (an HTML error page)."""
        assert self.content_type.split(";")[0].strip() == "application/json", (
            f"{self.status} reply is {self.content_type!r}, not JSON: {self.body[:300]!r}"
        )
        return json.loads(self.body)


def request(
    base_url: str,
    method: str,
    path: str,
    *,
    json_body: Any = None,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    declared_length: int | None = None,
) -> Reply:
    """One request on a fresh connection.

    declared_length sends a Content-Length header without the body: the servers must refuse
    an oversized request from its header alone, before reading it.
    """
    url = urlsplit(base_url)
    all_headers = dict(headers or {})
    if json_body is not None:
        body = json.dumps(json_body).encode()
        all_headers.setdefault("Content-Type", "application/json")
    conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=30)
    try:
        skip_host = any(name.lower() == "host" for name in all_headers)
        conn.putrequest(method, path, skip_host=skip_host, skip_accept_encoding=True)
        if declared_length is not None:
            all_headers["Content-Length"] = str(declared_length)
        elif body is not None:
            all_headers["Content-Length"] = str(len(body))
        for name, value in all_headers.items():
            conn.putheader(name, value)
        conn.endheaders(None if declared_length is not None else body)
        response = conn.getresponse()
        data = response.read()
        return Reply(
            status=response.status,
            content_type=response.getheader("Content-Type", ""),
            body=data,
            headers={k.lower(): v for k, v in response.getheaders()},
        )
    finally:
        conn.close()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
