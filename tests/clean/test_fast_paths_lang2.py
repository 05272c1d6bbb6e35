"""The language shortcuts must give the verdicts of the full vote."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

_LINES = ["The company said it would raise the dividend for the year.",
          "Die Bundesbank hat am Montag die Zinsen fur das ganze Jahr deutlich erhoht.",
          "Le gouvernement a annonce que les prix sont en hausse dans le pays.",
          "Markets rallied sharply today", "Shr 12 cts vs 10 cts", "ATT TO REDEEM ALL NOTES",
          "Net loss 1,841,000 vs profit 983,000 revs 4.5 mln", "x", "", "12 34", "Ok",
          "Analysts expected stronger quarterly earnings from banks this season",
          "Vandaag heeft de regering besloten om nieuwe regels in te voeren voor huizen",
          "Il ministro ha detto che il governo interviene per sostenere le famiglie",
          "Oil prices climbed again Tuesday amid supply worries across Europe",
          "Dividend payable April 15 record March 31 shareholders",
          "Der Vorstand erwartet weiterhin steigende Umsatze im kommenden Geschaftsjahr",
          "The bank the of and said the to the in the for the was"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_LINES), max_size=12), st.data(), st.sampled_from([2, 0, 30]),
       st.sampled_from([6, 0, 12]))
def test_settled_main_language_is_latin_languages_removing_nothing(lines, data, min_letters,
                                                                    min_words):
    from nearcopy.clean.language import StrayLanguageFilter, latin_languages, script_counts_of
    from nearcopy.clean.scan import scan
    from nearcopy.clean.settled_language import settled_main_language
    from nearcopy.clean.stopwords import guess_language
    stray = StrayLanguageFilter(min_letters=min_letters, min_words=min_words)
    stats = scan("\n".join(lines))
    numbers = data.draw(st.lists(st.sampled_from(range(len(lines))), unique=True).map(sorted)
                        if lines else st.just([]))
    kept = [lines[i] for i in numbers]
    main = settled_main_language(stats, numbers, kept, stray)
    # the scan's document sums give the same answer (the cleaner keeps no empty line)
    from nearcopy.clean.scan import base_tables, encode, scan_document, with_stray
    rows, totals = scan_document(encode("\n".join(lines)),
                                 with_stray(base_tables(), min_words, min_letters))
    nonempty = [i for i in numbers if lines[i]]
    assert settled_main_language(rows[:4], nonempty, [lines[i] for i in nonempty], stray,
                                 totals) == settled_main_language(
        stats, nonempty, [lines[i] for i in nonempty], stray)
    if main is not None:
        letters = script_counts_of(kept)[1]
        guesses = [guess_language(line) for line in kept]
        may_flag = [stray._model_may_flag(line) for line in kept]
        assert latin_languages(kept, letters, guesses, may_flag, stray) == (main, [])


def test_settled_main_language_leaves_stray_lines_to_the_full_vote():
    from nearcopy.clean.language import StrayLanguageFilter
    from nearcopy.clean.scan import scan
    from nearcopy.clean.settled_language import settled_main_language
    lines = ["The company said it would raise the dividend for the year.",
             "Vandaag heeft de regering besloten om nieuwe regels in te voeren voor huizen"]
    stray = StrayLanguageFilter()
    assert settled_main_language(scan(lines[0]), [0], lines[:1], stray) == "en"
    assert settled_main_language(scan("\n".join(lines)), [0, 1], lines, stray) is None


def test_ftfy_strings_kept_on_disk_equal_ftfy_s_own(tmp_path, monkeypatch):
    from nearcopy.clean import normalize
    monkeypatch.setenv("NEARCOPY_CACHE_DIR", str(tmp_path))
    normalize._ftfy_strings.cache_clear()
    try:
        computed = normalize._ftfy_strings()
        assert list(tmp_path.glob("ftfy-tables-*.pickle"))
        normalize._ftfy_strings.cache_clear()
        assert normalize._ftfy_strings() == computed == normalize._read_ftfy_strings()
    finally:
        normalize._ftfy_strings.cache_clear()


def test_mojibake_precheck_does_not_import_ftfy_once_its_strings_are_on_disk(tmp_path):
    import os
    import subprocess
    import sys
    code = ("import sys\n"
            "from nearcopy.clean.normalize import MojibakeRule\n"
            "text = 'Caf\\u00e9 \\u2019news\\u2019'\n"
            "assert MojibakeRule().apply(text) == text\n"
            "print('ftfy' in sys.modules)\n")
    env = {**os.environ, "NEARCOPY_CACHE_DIR": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True, check=True).stdout.strip() for _ in range(2)]
    assert runs == ["True", "False"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_LINES), max_size=12), st.sampled_from([2, 0, 30]),
       st.sampled_from([6, 0, 12]))
def test_settled_by_model_is_settled_main_language_of_the_non_empty_lines(lines, min_letters,
                                                                          min_words):
    """What `Cleaner._settled_document` asks when the sums leave the language to the model:
    the same answer from every line (empty ones too) and the sums as from the kept lines."""
    from nearcopy.clean.language import StrayLanguageFilter
    from nearcopy.clean.scan import base_tables, encode, scan_document, with_stray
    from nearcopy.clean.settled_language import (asks_model, settled_by_model,
                                                 settled_main_language)
    stray = StrayLanguageFilter(min_letters=min_letters, min_words=min_words)
    rows, totals = scan_document(encode("\n".join(lines)),
                                 with_stray(base_tables(), min_words, min_letters))
    if not asks_model(totals):
        return
    all_lines = "\n".join(lines).split("\n")
    nonempty = [i for i, line in enumerate(all_lines) if line]
    assert settled_by_model(rows, all_lines, stray, totals) == settled_main_language(
        rows[:4], nonempty, [all_lines[i] for i in nonempty], stray, totals)
