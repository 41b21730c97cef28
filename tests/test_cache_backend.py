"""The Redis cache backend keeps one Redis client per connection pool (wholeproduct/cache.py):
Django's makes one per operation, a tenth of a millisecond each on every signed-in request."""

from __future__ import annotations

import threading

from django.core.cache import caches

from wholeproduct.cache import RedisCache

from .services import require_redis


def test_the_redis_cache_reuses_its_client_and_still_reads_and_writes():
    require_redis()
    cache = caches["default"]
    assert isinstance(cache, RedisCache)
    first = cache._cache.get_client(write=True)
    assert cache._cache.get_client() is first  # one server: reads and writes share the pool
    cache.set("wp-test-client", {"n": 1}, 30)
    assert cache.get("wp-test-client") == {"n": 1}
    assert cache._cache.get_client() is first
    cache.delete("wp-test-client")
    assert cache.get("wp-test-client") is None


def test_each_thread_has_a_backend_and_client_of_its_own_that_works():
    require_redis()
    seen: list[object] = []

    def work() -> None:
        cache = caches["default"]
        cache.set("wp-test-thread", 7, 30)
        seen.append((cache.get("wp-test-thread"), cache._cache.get_client()))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [value for value, _ in seen] == [7, 7]
    assert seen[0][1] is not seen[1][1]
    caches["default"].delete("wp-test-thread")
