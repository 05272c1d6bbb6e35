"""Patterns built from kept programs behave as `re.compile`'s; bad or missing entries fall back."""

from __future__ import annotations

import pickle
import re

import pytest
from hypothesis import given, settings, strategies as st

from nearcopy import regex_programs
from nearcopy.clean import chrome

PATTERNS = [(r"\d+ dlrs", re.IGNORECASE), (r"(?P<day>\d{1,2})\s+(?P<month>[a-z]+)", 0),
            (b"[\\x80-\\xff]+", 0), (chrome._READ_MORE_LINE.pattern, re.IGNORECASE),
            (chrome._STAMP_LABEL.pattern, re.IGNORECASE), (chrome._CRUMB_SEP.pattern, 0),
            (chrome._BYLINE.pattern, 0), (chrome._SHARE_WORDS.pattern, re.IGNORECASE)]


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """An empty cache folder and no programs known to this process."""
    monkeypatch.setenv("NEARCOPY_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(regex_programs, "_programs", None)
    monkeypatch.setattr(regex_programs, "_new", {})
    return tmp_path


def _forget(monkeypatch):
    """As a new process: programs only from the file."""
    monkeypatch.setattr(regex_programs, "_programs", None)
    monkeypatch.setattr(regex_programs, "_new", {})


def _same_behaviour(built: re.Pattern, compiled: re.Pattern, texts) -> None:
    assert (built.pattern, built.flags, built.groups, built.groupindex) == \
        (compiled.pattern, compiled.flags, compiled.groups, compiled.groupindex)
    for text in texts:
        mark = "#"
        if isinstance(built.pattern, bytes):
            text, mark = text.encode("utf-8"), b"#"
        assert built.findall(text) == compiled.findall(text)
        assert built.sub(mark, text) == compiled.sub(mark, text)
        assert bool(built.match(text)) == bool(compiled.match(text))


SAMPLES = ["12 DLRS and 3 dlrs", "Read more...", "[详细]", "Source: Reuters | 02.06.2015 11:33",
           "Home > News > World", "By Jane Doe", "Share | Tweet | Email", "7 march 2015",
           "Опубликовано: 2011-11-19 13:23 | 来源:新浪财经", "caf\u00e9 \u00fcber \x80\xff", ""]


def test_kept_programs_are_read_back_and_behave_the_same(fresh, monkeypatch):
    first = [regex_programs.compile(p, f) for p, f in PATTERNS]
    regex_programs.save()
    files = list(fresh.glob("regex-programs-*.pickle"))
    assert len(files) == 1
    with open(files[0], "rb") as handle:
        assert set(pickle.load(handle)) == {(p, int(f)) for p, f in PATTERNS}
    _forget(monkeypatch)
    calls = []
    monkeypatch.setattr(regex_programs.re, "compile",
                        lambda *args: calls.append(args) or re._compile(*args))
    again = [regex_programs.compile(p, f) for p, f in PATTERNS]
    assert calls == []  # every one built from its kept program
    monkeypatch.undo()
    for built, earlier, (pattern, flags) in zip(again, first, PATTERNS):
        _same_behaviour(built, re.compile(pattern, flags), SAMPLES)
        _same_behaviour(earlier, re.compile(pattern, flags), SAMPLES)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab dlrs0123456789>|/:»[]详细.-_ÀéK\u212a\u017f")),
               max_size=40))
def test_built_patterns_match_like_compiled_ones(text):
    for pattern, flags in PATTERNS:
        if isinstance(pattern, bytes):
            continue
        program = regex_programs._program(pattern, int(flags))
        assert program is not None
        built = regex_programs._sre.compile(pattern, *program)
        _same_behaviour(built, re.compile(pattern, flags), [text])


def test_a_corrupt_file_or_a_rejected_program_falls_back_to_re_compile(fresh, monkeypatch):
    regex_programs.compile(r"\d+ dlrs", re.IGNORECASE)
    regex_programs.save()
    path = next(fresh.glob("regex-programs-*.pickle"))
    path.write_bytes(b"not a pickle")
    _forget(monkeypatch)
    assert regex_programs.compile(r"\d+ dlrs", re.IGNORECASE).match("4 DLRS")
    regex_programs.save()  # stored again
    _forget(monkeypatch)
    key = (r"\d+ dlrs", int(re.IGNORECASE))
    programs = regex_programs._known()
    flags, code, groups, groupindex, indexgroup = programs[key]
    programs[key] = (flags, [99999] * len(code), groups, groupindex, indexgroup)  # invalid
    assert regex_programs.compile(r"\d+ dlrs", re.IGNORECASE).match("4 DLRS")


def test_an_unwritable_cache_still_gives_the_pattern(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder should be")
    monkeypatch.setenv("NEARCOPY_CACHE_DIR", str(blocked / "sub"))
    _forget(monkeypatch)
    assert regex_programs.compile(r"x+").fullmatch("xxx")
    regex_programs.save()  # nothing written, no error
    assert not list(tmp_path.glob("**/*.pickle"))
