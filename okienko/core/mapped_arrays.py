"""Arrays derived from a package's model files, kept under the var dir and memory-mapped.

A model table held in process memory is resident in full, though text in Polish or English
reaches only part of it. Mapped from a file, only the pages read become resident, and the kernel
can drop them again under pressure (they are clean: a copy of the file). The arrays are derived
once per install and package version (``build`` runs in whichever process needs them first; a
process that loses the race to store them uses the other's), so nothing is downloaded.
"""

import mmap
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
from django.conf import settings

# Rows are read at random: read-ahead would make neighbouring pages resident for nothing.
_ACCESS_PATTERN = mmap.MADV_RANDOM


def _directory(name: str) -> Path:
    return Path(settings.VAR_DIR) / "models" / name


def _store(directory: Path, arrays: dict[str, np.ndarray]) -> None:
    directory.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(dir=directory.parent, prefix=f".{directory.name}-"))
    try:
        for key, array in arrays.items():
            with open(building / f"{key}.npy", "wb") as file:
                np.save(file, np.ascontiguousarray(array))
                file.flush()
                os.fsync(file.fileno())  # written back, so that _drop_cached_pages can drop them
        try:
            building.rename(directory)
        except OSError:
            if not directory.is_dir():  # not another process's copy: a real failure
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)


def _drop_cached_pages(path: Path) -> None:
    """Evict the file from the page cache (except pages some process has mapped). Written or
    read ahead, it is cached in large folios, and a fault maps the whole folio: reading 3 rows
    of the encoder's table made 2.3 MB resident. Read again page by page, 3 rows cost 20 kB."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(descriptor)


def _remove_other_versions(name: str, current: Path) -> None:
    for stale in current.parent.glob(f"{name}-*"):
        if stale != current and not stale.name.startswith("."):
            shutil.rmtree(stale, ignore_errors=True)


def mapped_arrays(
    name: str, version: str, build: Callable[[], dict[str, np.ndarray]]
) -> dict[str, np.ndarray]:
    """Read-only memory maps of the arrays ``build`` returns, derived once per ``version``."""
    directory = _directory(f"{name}-{version}")
    if not directory.is_dir():
        _store(directory, build())
        _remove_other_versions(name, directory)
    arrays = {}
    for path in sorted(directory.glob("*.npy")):
        _drop_cached_pages(path)
        array = np.load(path, mmap_mode="r")
        if isinstance(array, np.memmap):  # an empty array is not mapped
            array._mmap.madvise(_ACCESS_PATTERN)  # type: ignore[attr-defined]
        arrays[path.stem] = array
    return arrays
