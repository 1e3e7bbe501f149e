"""Whole pages per person (cxalign/pagecache.py): served for their version only, their bodies
from this process's memory, else from the shared cache under their digest."""

import pytest
from django.core.cache import cache

from cxalign import pagecache


@pytest.fixture(autouse=True)
def _empty_local():
    pagecache.LOCAL.clear()
    yield
    pagecache.LOCAL.clear()


def test_served_for_its_version_only():
    pagecache.page_set("page", "v1", b"<html>one</html>", slot="cx-csrf-1", timeout=60)
    assert pagecache.page_get("page", "v1") == (b"<html>one</html>", "cx-csrf-1")
    assert pagecache.page_get("page", "v2") is None
    assert pagecache.page_get("other-page", "v1") is None


def test_another_process_reads_the_body_from_the_shared_cache_once():
    pagecache.page_set("page", "v1", b"<html>one</html>", slot="cx-csrf-1", timeout=60)
    pagecache.LOCAL.clear()  # as a process that has not served it
    assert pagecache.page_get("page", "v1") == (b"<html>one</html>", "cx-csrf-1")
    cache.delete_many([pagecache.BODY_KEY.format(d) for d in pagecache.LOCAL])
    assert pagecache.page_get("page", "v1") == (b"<html>one</html>", "cx-csrf-1")  # from memory now


def test_a_lost_body_means_render_again():
    pagecache.page_set("page", "v1", b"<html>one</html>", slot="cx-csrf-1", timeout=60)
    pagecache.LOCAL.clear()
    cache.clear()
    assert pagecache.page_get("page", "v1") is None


def test_memory_keeps_the_most_recent_bodies(monkeypatch):
    monkeypatch.setattr(pagecache, "LOCAL_LIMIT", 2)
    for i in range(3):
        pagecache.page_set(f"page{i}", "v", f"<html>{i}</html>".encode(), slot="s", timeout=60)
    assert len(pagecache.LOCAL) == 2
    assert b"<html>0</html>" not in pagecache.LOCAL.values()


def test_each_render_has_its_own_slot_filled_per_request(rf):
    slots = {pagecache.csrf_slot() for _ in range(3)}
    assert len(slots) == 3
    slot = slots.pop()
    filled = pagecache.with_csrf(rf.get("/"), f'<meta content="{slot}">'.encode(), slot)
    assert slot.encode() not in filled and len(filled.split(b'"')[1]) == 64  # a masked token
