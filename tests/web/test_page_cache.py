"""Lesson pages rendered once, served from memory with an ETag and gzip, never stale."""

from __future__ import annotations

import gzip

from fastapi.testclient import TestClient

from app.web.page_cache import PageCache, RenderedPage

LESSON = "/lessons/02-vectors"


def test_a_page_is_rendered_once_and_then_served_from_memory(client: TestClient) -> None:
    cache = client.app.state.page_cache  # type: ignore[attr-defined]
    first = client.get(LESSON)
    assert first.status_code == 200
    size = len(cache)
    assert size >= 1
    second = client.get(LESSON)
    assert second.text == first.text
    assert len(cache) == size  # the same entry answered


def test_a_page_that_has_not_changed_gets_a_304(client: TestClient) -> None:
    first = client.get(LESSON)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    again = client.get(LESSON, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert client.get(LESSON, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_pages_are_compressed_for_clients_that_accept_gzip(client: TestClient) -> None:
    packed = client.get(LESSON, headers={"Accept-Encoding": "gzip"})
    plain = client.get(LESSON, headers={"Accept-Encoding": "identity"})
    assert packed.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    assert packed.text == plain.text
    assert int(packed.headers["content-length"]) < len(plain.content)
    assert packed.headers["vary"] == "Accept-Encoding"


def test_a_new_visitor_still_gets_the_learner_cookie_with_a_cached_page(
    client: TestClient,
) -> None:
    client.get(LESSON)
    client.cookies.clear()
    fresh = client.get(LESSON)
    assert "set-cookie" in fresh.headers


def test_the_cache_is_bounded() -> None:
    cache = PageCache(max_entries=3)
    for n in range(10):
        cache.put(n, RenderedPage.of(f"page {n}".encode() * 200))
    assert len(cache) == 3
    assert cache.get(0) is None and cache.get(9) is not None


def test_compressed_bytes_are_the_page() -> None:
    body = b"<p>matrix calculus</p>" * 200
    page = RenderedPage.of(body)
    assert page.gzipped is not None and gzip.decompress(page.gzipped) == body
    assert RenderedPage.of(body).etag == page.etag
    assert RenderedPage.of(body + b"!").etag != page.etag
