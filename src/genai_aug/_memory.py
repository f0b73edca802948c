"""Hand the memory a stage has freed back to the operating system.

glibc's allocator keeps memory that Python, numpy and pandas have freed (the temporaries
of loading a million rows, say) in its heaps for reuse, where it still counts as the
process's resident memory; the next stage then allocates on top of it. Between stages
:func:`release_free_memory` asks glibc to return every free page (``malloc_trim(0)``,
which Dask's workers call for the same reason). It frees nothing that is in use, changes
no result, and does nothing where the C library has no ``malloc_trim`` (macOS, Windows,
musl).
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from functools import cache


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library the process already uses
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_free_memory() -> None:
    """Return the C heap's free pages to the operating system (glibc only; else nothing)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
