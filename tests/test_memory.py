"""Releasing freed memory between the pipeline's stages (genai_aug._memory)."""

from __future__ import annotations

import sys

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
