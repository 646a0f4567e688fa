"""A lean asyncio HTTP/1.1 client for the load generator: the subset of httpx.AsyncClient the
plans use (request/get/post, a cookie jar, keep-alive on one connection).

Why not httpx alone: on this 2-core machine httpx spent about 1.2 ms of CPU per request, more
than gunicorn + Flask spent answering a bare JSON request, so the client and not the server set
the floor. This client spends a fraction of that (bench/README.md has both measured). It speaks
only what our servers answer: Content-Length or chunked bodies, keep-alive or Connection: close.
"""
import asyncio
import json as jsonlib
from urllib.parse import urlencode, urlsplit


class Response:
    __slots__ = ("status_code", "headers", "content")

    def __init__(self, status_code, headers, content):
        self.status_code = status_code
        self.headers = headers  # lower-cased names; the last value wins (Set-Cookie kept apart)
        self.content = content

    @property
    def text(self):
        return self.content.decode("utf-8", "replace")

    def json(self):
        return jsonlib.loads(self.content)


class RawClient:
    def __init__(self, base_url, timeout=30.0):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.host_header = f"{self.host}:{self.port}".encode()
        self.timeout = timeout
        self.cookies = {}
        self._reader = self._writer = None

    async def get(self, path, headers=None):
        return await self.request("GET", path, headers=headers)

    async def post(self, path, headers=None, json=None, data=None):
        return await self.request("POST", path, headers=headers, json=json, data=data)

    async def request(self, method, path, headers=None, json=None, data=None):
        return await asyncio.wait_for(self._request(method, path, headers, json, data), self.timeout)

    async def _request(self, method, path, headers, json, data):
        body, content_type = b"", None
        if json is not None:
            body, content_type = jsonlib.dumps(json).encode(), "application/json"
        elif data is not None:
            body, content_type = urlencode(data).encode(), "application/x-www-form-urlencoded"
        lines = [f"{method} {path} HTTP/1.1".encode(), b"Host: " + self.host_header]
        if content_type:
            lines.append(f"Content-Type: {content_type}".encode())
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body)}".encode())
        explicit_cookie = any(name.lower() == "cookie" for name in (headers or {}))
        if self.cookies and not explicit_cookie:  # a plan that sends its own Cookie header wins
            lines.append(("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items())).encode())
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}".encode())
        payload = b"\r\n".join(lines) + b"\r\n\r\n" + body
        for attempt in (1, 2):  # a kept-alive connection the server closed meanwhile: retry once
            fresh = self._writer is None
            if fresh:
                self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
            try:
                self._writer.write(payload)
                return await self._read_response(method)
            except (ConnectionError, asyncio.IncompleteReadError):
                await self._drop()
                if fresh or attempt == 2:
                    raise

    async def _read_response(self, method):
        head = await self._reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                self._remember_cookie(value)
            headers[name] = value
        if method == "HEAD" or status in (204, 304):
            content = b""
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            content = await self._read_chunked()
        elif "content-length" in headers:
            content = await self._reader.readexactly(int(headers["content-length"]))
        else:
            content = await self._reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            await self._drop()
        return Response(status, headers, content)

    async def _read_chunked(self):
        parts = []
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self._reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self._reader.readexactly(size))
            await self._reader.readexactly(2)

    def _remember_cookie(self, value):
        pair = value.split(";", 1)[0]
        name, _, cookie = pair.partition("=")
        expired = "max-age=0" in value.lower() or "expires=thu, 01 jan 1970" in value.lower()
        if expired or cookie == "":
            self.cookies.pop(name.strip(), None)
        else:
            self.cookies[name.strip()] = cookie.strip()

    async def _drop(self):
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            try:
                await writer.wait_closed()
            except Exception:
                pass

    async def aclose(self):
        await self._drop()
