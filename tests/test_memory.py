"""Releasing freed memory between the pipeline's stages (genai_aug._memory)."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import pytest

import genai_aug
from genai_aug import _memory, pipeline


def test_release_free_memory_calls_malloc_trim_where_glibc_has_it() -> None:
    trim = _memory._malloc_trim()
    if sys.platform.startswith("linux") and trim is None:
        pytest.skip("this Linux's C library has no malloc_trim (musl)")
    if trim is not None:
        assert trim(0) in (0, 1)  # glibc: 1 if memory was returned, 0 if none could be
    assert _memory.release_free_memory() is None


def test_run_releases_memory_between_its_stages(monkeypatch: pytest.MonkeyPatch) -> None:
    stages: list[str] = []
    monkeypatch.setattr(pipeline, "release_free_memory", lambda: stages.append("release"))
    genai_aug.run(genai_aug.sample_path(), progress=lambda s: stages.append(s.split()[0]))
    assert stages == ["loading", "release", "scoring", "release", "aggregating"]


def test_malloc_trim_is_called_where_the_c_library_has_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """glibc's malloc_trim(0) is called; a C library without it, or none to load, is left
    alone."""
    calls: list[int] = []

    def malloc_trim(pad: int) -> int:
        calls.append(pad)
        return 1

    glibc = SimpleNamespace(malloc_trim=malloc_trim)

    monkeypatch.setattr(sys, "platform", "linux")
    for cdll in (lambda _name: glibc, lambda _name: object(), _no_c_library):
        _memory._malloc_trim.cache_clear()
        monkeypatch.setattr(_memory.ctypes, "CDLL", cdll)
        _memory.release_free_memory()
    assert calls == [0]
    monkeypatch.setattr(sys, "platform", "darwin")
    _memory._malloc_trim.cache_clear()
    monkeypatch.setattr(_memory.ctypes, "CDLL", lambda _name: glibc)
    _memory.release_free_memory()
    assert calls == [0]  # (only Linux's C library is asked)
    _memory._malloc_trim.cache_clear()


def _no_c_library(_name: object) -> object:
    raise OSError("no C library")
