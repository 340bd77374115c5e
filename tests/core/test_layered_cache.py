"""The "cards" alias (core.cache.LayeredCache): parts drawn once per mentor are
kept in this process and in Redis, so a part one gunicorn worker drew serves
the others (another process starts with an empty memory layer)."""

from __future__ import annotations

from django.core.cache import cache, caches

PARTS = caches["cards"]
HERE = caches["cards_here"]


def another_process() -> None:
    """What another worker sees: Redis shared, its own memory empty."""
    HERE.clear()


def test_a_part_drawn_by_one_process_serves_another():
    PARTS.set("card:1", "<article>Léa</article>")

    another_process()

    assert HERE.get("card:1") is None
    assert PARTS.get("card:1") == "<article>Léa</article>"
    # Read from Redis once, then kept in this process too.
    assert HERE.get("card:1") == "<article>Léa</article>"


def test_get_many_takes_what_memory_lacks_from_redis_and_keeps_it():
    PARTS.set_many({"card:1": "un", "card:2": "deux"})
    another_process()
    HERE.set("card:3", "trois")  # drawn here only

    found = PARTS.get_many(["card:1", "card:2", "card:3", "card:4"])

    assert found == {"card:1": "un", "card:2": "deux", "card:3": "trois"}
    assert HERE.get_many(["card:1", "card:2"]) == {"card:1": "un", "card:2": "deux"}


def test_parts_live_in_redis_under_the_site_prefix_and_go_with_delete():
    PARTS.set("card:5", "cinq", 60)
    assert cache.get("card:5") == "cinq"  # the default alias: Redis

    PARTS.delete("card:5")

    assert PARTS.get("card:5") is None
    assert cache.get("card:5") is None


def test_add_keeps_what_is_there():
    assert PARTS.add("card:6", "first")
    assert not PARTS.add("card:6", "second")
    another_process()
    assert not PARTS.add("card:6", "third")
    assert PARTS.get("card:6") == "first"


def test_the_process_layer_keeps_strings_as_they_are_with_locmem_s_rules():
    from core.cache import StringMemoryCache

    drawn = "<article>" + "Léa " * 10 + "</article>"
    HERE.set("card:9", drawn)
    assert HERE.get("card:9") is drawn  # not pickled in and out
    assert HERE.get_many(["card:9", "card:10"]) == {"card:9": drawn}
    assert HERE.add("card:9", "autre") is False
    assert HERE.add("card:10", "dix") is True

    small = StringMemoryCache("test-small", {"OPTIONS": {"MAX_ENTRIES": 3}})
    for number in range(3):
        small.set(f"k{number}", str(number))
    small.get_many(["k0"])  # read last: kept when the oldest go
    small.set("k3", "3")
    assert "k0" in small.get_many(["k0", "k1", "k2", "k3"])
    small.set("count", 1)
    assert small.incr("count", 2) == 3 == small.get("count")
    small.set("gone", "x", timeout=-1)
    assert small.get("gone") is None
    assert small.get_many(["gone"]) == {}
