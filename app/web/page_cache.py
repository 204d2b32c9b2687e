"""Pages rendered once and served from memory: compressed once, with an ETag.

A lesson page is the same for every visitor who is not signed in and has solved the same of
its problems, so its HTML is kept under a key naming exactly what it depends on (the page,
the lesson's text, the problems marked solved, the proxy's root path). A later request with
the same key gets the stored bytes, gzip-compressed once when it was stored, and a browser
that already holds them gets a 304 from ``If-None-Match``.

Pages for a signed-in learner are rendered every time: their header carries the account's
name and a form token that changes on each render. They still get an ETag.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app.web.assets import accepts_gzip, etag_matches
from app.web.learner import read_learner

# Pages are private (a new visitor's first page sets the learner cookie) and revalidated
# on each visit, which the ETag makes a 304 when nothing changed.
PAGE_CACHE_CONTROL = "private, no-cache"
_MIN_COMPRESS_BYTES = 1024


@dataclass(frozen=True)
class RenderedPage:
    body: bytes
    gzipped: bytes | None
    etag: str

    @classmethod
    def of(cls, body: bytes) -> RenderedPage:
        gzipped = None
        if len(body) >= _MIN_COMPRESS_BYTES:
            packed = gzip.compress(body, compresslevel=6, mtime=0)
            gzipped = packed if len(packed) < len(body) else None
        etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
        return cls(body, gzipped, etag)


class PageCache:
    """A bounded map from a page's key to its rendered bytes, least recently used first out."""

    def __init__(self, max_entries: int = 2048) -> None:
        self.max_entries = max_entries
        self._pages: OrderedDict[Hashable, RenderedPage] = OrderedDict()
        self._lock = threading.Lock()  # sync routes run on a thread pool

    def get(self, key: Hashable) -> RenderedPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: Hashable, page: RenderedPage) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.max_entries:
                self._pages.popitem(last=False)

    def __len__(self) -> int:
        return len(self._pages)


def page_response(request: Request, page: RenderedPage, status_code: int = 200) -> Response:
    headers = {"ETag": page.etag, "Cache-Control": PAGE_CACHE_CONTROL}
    if page.gzipped is not None:
        headers["Vary"] = "Accept-Encoding"
    if status_code == 200 and etag_matches(request.headers, page.etag):
        return Response(status_code=304, headers=headers)
    body = page.body
    if page.gzipped is not None and accepts_gzip(request.headers):
        body = page.gzipped
        headers["Content-Encoding"] = "gzip"
    if request.method == "HEAD":
        response = Response(b"", status_code, headers=headers, media_type="text/html")
        response.headers["Content-Length"] = str(len(body))
        return response
    return Response(body, status_code, headers=headers, media_type="text/html")


async def render_page(
    request: Request,
    templates: Jinja2Templates,
    name: str,
    context: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
    key: Hashable,
) -> Response:
    """Render template ``name``, or reuse its bytes when ``key`` was rendered before.

    ``key`` must name everything the page depends on besides who is signed in (which
    this adds). ``context`` may be a function, so a cached page skips building it.

    A page in the cache goes out from the event loop, with no thread and no query; one to
    render (the template may look up the signed-in account) is rendered on the thread pool.
    """
    cache: PageCache = request.app.state.page_cache
    # A cookie that names no account cannot be signed in: no need to ask the database.
    anonymous = read_learner(request, request.app.state.settings).user_id is None
    full_key = (name, key, request.scope.get("root_path", ""), request.url.path)
    page = cache.get(full_key) if anonymous else None
    if page is None:

        def render() -> RenderedPage:
            values = context() if callable(context) else context
            html = templates.get_template(name).render({"request": request, **values})
            return RenderedPage.of(html.encode())

        page = await run_in_threadpool(render)
        if anonymous:
            cache.put(full_key, page)
    return page_response(request, page)
