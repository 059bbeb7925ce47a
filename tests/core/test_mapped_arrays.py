import numpy as np

from okienko.core.mapped_arrays import mapped_arrays


def _counting_build(calls: list[str], version: str):
    def build() -> dict[str, np.ndarray]:
        calls.append(version)
        return {"rows": np.arange(12, dtype=np.uint32).reshape(3, 4), "empty": np.zeros(0)}

    return build


def test_the_arrays_are_built_once_and_read_from_a_read_only_map(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    calls: list[str] = []

    first = mapped_arrays("table", "1.0", _counting_build(calls, "1.0"))
    again = mapped_arrays("table", "1.0", _counting_build(calls, "1.0"))

    assert calls == ["1.0"]
    assert isinstance(again["rows"], np.memmap)
    assert not again["rows"].flags.writeable
    assert np.array_equal(again["rows"], np.arange(12).reshape(3, 4))
    assert again["rows"].dtype == first["rows"].dtype == np.uint32
    assert again["empty"].shape == (0,)


def test_a_new_version_is_built_again_and_replaces_the_old_one(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    calls: list[str] = []
    mapped_arrays("table", "1.0", _counting_build(calls, "1.0"))

    mapped_arrays("table", "2.0", _counting_build(calls, "2.0"))

    assert calls == ["1.0", "2.0"]
    assert sorted(path.name for path in (tmp_path / "models").iterdir()) == ["table-2.0"]
