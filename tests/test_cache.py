"""The dashboard's byte-bounded cache (dashboards/cache.py): sizes, keys, eviction."""

import dataclasses
import sys

import polars as pl

from dashboards import cache


class Sized:
    def cached_bytes(self) -> int:
        return 1234


@dataclasses.dataclass
class Pair:
    frame: pl.DataFrame
    note: str


def test_size_of_measures_frames_measured_values_dataclasses_and_containers():
    frame = pl.DataFrame({"x": list(range(100))})  # 100 Int64: 800 bytes
    assert cache.size_of(frame) == 800 and cache.size_of(frame["x"]) == 800
    assert cache.size_of(Sized()) == 1234  # its own count, not its parts
    assert cache.size_of(Pair(frame, "a")) == 64 + 800 + sys.getsizeof("a")
    assert cache.size_of((frame, frame)) == sys.getsizeof((frame, frame)) + 1600
    assert cache.size_of({"k": frame}) == sys.getsizeof({"k": frame}) + sys.getsizeof("k") + 800


def test_file_key_changes_when_the_file_does(tmp_path):
    path = tmp_path / "settings.toml"
    assert cache.file_key(path) is None  # no file
    path.write_text("a")
    first = cache.file_key(path)
    path.write_text("ab")
    assert first is not None and cache.file_key(path) != first and cache.file_key(path)[1] == 2


def test_put_takes_a_given_size_resize_measures_again_and_discard_matches_keys():
    store = cache.ByteCache(budget=10_000)
    store.put(("page", 1), "layout", size=500)
    assert store.nbytes == 500 and len(store) == 1
    grows = [pl.DataFrame({"x": [1]})]
    store.put(("athlete", "mara"), grows)
    before = store.nbytes
    grows.append(pl.DataFrame({"x": list(range(100))}))  # grew in place
    store.resize(("athlete", "mara"))
    assert store.nbytes == 500 + cache.size_of(grows) >= before + 800
    store.discard(lambda key: key[0] == "page")
    assert store.get(("page", 1)) is None and store.get(("athlete", "mara")) is grows
    assert store.get("missing", "default") == "default"
