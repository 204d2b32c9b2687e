"""Static assets served from memory, with content-hashed URLs and long-lived caching.

Pages link assets through ``static_url("css/site.css")``, which gives
``/static/v-<hash>/css/site.css``: ``<hash>`` is a digest of every file under ``static/``,
so any change to any asset gives every page new URLs, and a browser or CDN may keep what a
versioned URL returned for a year (``immutable``). JavaScript modules import each other by
relative paths, so a page's modules all resolve under the same version.

The unversioned ``/static/<path>`` still works (old links, source maps, tools) with
``no-cache`` and an ETag, so a client revalidates it and gets a 304 when it has not changed.

Each file is read once, on its first request; text assets are gzip-compressed once then, and
both forms are kept, so serving is a dictionary lookup. Only files found under ``static/``
when the app starts can be served: a request path is looked up in that index, never joined
onto the file system, so no path can reach outside it. In debug mode files are re-read on
every request, so edits show without a restart.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

LONG_CACHE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
_MIN_COMPRESS_BYTES = 512
_VERSION_PREFIX = "v-"

_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".map": "application/json",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
}


def _content_type(path: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix in _TYPES:
        return _TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path)
    return guessed or "application/octet-stream"


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes | None
    etag: str
    content_type: str


def _load(path: Path, relative: str) -> Asset:
    body = path.read_bytes()
    content_type = _content_type(relative)
    gzipped = None
    if len(body) >= _MIN_COMPRESS_BYTES and content_type.startswith(_COMPRESSIBLE):
        packed = gzip.compress(body, compresslevel=9, mtime=0)
        gzipped = packed if len(packed) < len(body) else None
    etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    return Asset(body, gzipped, etag, content_type)


def _index(root: Path) -> dict[str, Path]:
    """Every regular file under ``root``, by its POSIX path relative to ``root``."""
    if not root.is_dir():
        return {}
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not any(
            part.startswith(".") for part in path.relative_to(root).parts
        ):
            files[path.relative_to(root).as_posix()] = path
    return files


def tree_version(files: dict[str, Path]) -> str:
    """A short digest of every file's path and bytes: the same tree gives the same version
    on every instance, so several instances behind one load balancer agree on the URLs."""
    digest = hashlib.blake2b(digest_size=6)
    for relative, path in files.items():
        digest.update(relative.encode())
        digest.update(b"\0")
        digest.update(hashlib.blake2b(path.read_bytes(), digest_size=16).digest())
    return digest.hexdigest()


def accepts_gzip(headers: Headers) -> bool:
    """The request's Accept-Encoding allows gzip (and does not give it q=0)."""
    for part in headers.get("accept-encoding", "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def etag_matches(headers: Headers, etag: str) -> bool:
    """If-None-Match names ``etag`` (or its gzip-suffixed or weak form), or is ``*``."""
    given = headers.get("if-none-match")
    if not given:
        return False
    if given.strip() == "*":
        return True
    # A gzip-aware proxy may suffix the ETag ("…-gzip" or W/"…"): compare the opaque part.
    bare = etag.strip('"')
    for tag in given.split(","):
        tag = tag.strip().removeprefix("W/").strip('"')
        if tag == bare or tag == f"{bare}-gzip":
            return True
    return False


class StaticAssets:
    """The ASGI app mounted at ``/static``."""

    def __init__(self, root: Path, *, reload: bool = False) -> None:
        self.root = root
        self.reload = reload
        self.files = _index(root)
        self.version = tree_version(self.files)
        self._cache: dict[str, Asset] = {}

    @property
    def base(self) -> str:
        """The versioned prefix every asset URL starts with (no trailing slash)."""
        return f"/static/{_VERSION_PREFIX}{self.version}"

    def url(self, path: str) -> str:
        """The versioned URL of ``path`` (relative to ``static/``), for pages to link."""
        path = path.lstrip("/")
        if path not in self.files and not self.reload:
            raise KeyError(f"no static asset {path!r}")
        return f"{self.base}/{path}"

    def _asset(self, relative: str) -> Asset | None:
        if self.reload:
            path = self.files.get(relative) or self._find(relative)
            return _load(path, relative) if path is not None else None
        asset = self._cache.get(relative)
        if asset is None:
            path = self.files.get(relative)
            if path is None:
                return None
            asset = self._cache[relative] = _load(path, relative)
        return asset

    def _find(self, relative: str) -> Path | None:
        """In debug mode, a file added after start-up, if it lies inside the root."""
        candidate = (self.root / relative).resolve()
        root = self.root.resolve()
        if root in candidate.parents and candidate.is_file():
            return candidate
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        method = scope["method"]
        if method not in ("GET", "HEAD"):
            response = Response("Method Not Allowed", 405, headers={"Allow": "GET, HEAD"})
            await response(scope, receive, send)
            return
        path = scope["path"]
        root_path = scope.get("root_path", "")
        if root_path and path.startswith(root_path):
            path = path[len(root_path) :]
        relative = path.lstrip("/")
        versioned = False
        head, _, rest = relative.partition("/")
        if head.startswith(_VERSION_PREFIX) and rest:
            relative = rest
            # An old page's version (a deploy just happened) still gets the file, but
            # revalidated: the bytes under that URL are not the ones it was made for.
            versioned = head == _VERSION_PREFIX + self.version and not self.reload
        asset = self._asset(relative)
        if asset is None:
            await Response("Not Found", 404, media_type="text/plain")(scope, receive, send)
            return
        headers = Headers(scope=scope)
        response_headers = {
            "Cache-Control": LONG_CACHE if versioned else REVALIDATE,
            "ETag": asset.etag,
        }
        if asset.gzipped is not None:
            response_headers["Vary"] = "Accept-Encoding"
        if etag_matches(headers, asset.etag):
            await Response(status_code=304, headers=response_headers)(scope, receive, send)
            return
        body = asset.body
        if asset.gzipped is not None and accepts_gzip(headers):
            body = asset.gzipped
            response_headers["Content-Encoding"] = "gzip"
        response = Response(
            b"" if method == "HEAD" else body,
            headers=response_headers,
            media_type=asset.content_type,
        )
        if method == "HEAD":
            response.headers["Content-Length"] = str(len(body))
        await response(scope, receive, send)


def unversioned(url: str) -> str:
    """``/static/v-<hash>/js/math.js`` → ``/static/js/math.js``; other URLs unchanged."""
    head, sep, rest = url.partition("/static/" + _VERSION_PREFIX)
    if not sep or head:
        return url
    _, slash, path = rest.partition("/")
    return f"/static/{path}" if slash else url
