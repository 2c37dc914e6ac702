"""Hand memory freed by a batch back to the operating system before the next batch starts.

The pipeline's native libraries (DuckDB, spaCy/thinc/numpy, the HTTP client) allocate from
glibc's malloc in several threads, and glibc keeps what they free in per-thread arenas: without a
trim, the process's resident memory creeps up batch after batch although the Python objects of
the night stay small. `release_freed_memory()` collects Python's garbage and calls glibc's
`malloc_trim(0)`; on a C library without it (musl, macOS, Windows) only the collection runs.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from collections.abc import Callable


def _find_malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None where the C library does not provide it."""
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        trim = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


MALLOC_TRIM = _find_malloc_trim()


def release_freed_memory() -> bool:
    """Collect garbage and trim the C heap; True when malloc_trim was available and called."""
    gc.collect()
    if MALLOC_TRIM is None:
        return False
    MALLOC_TRIM(0)
    return True
