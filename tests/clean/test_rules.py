"""Every rule: a positive example (fires, with its reason string) and a negative one."""

import pytest

from nearcopy.clean.base import LineContext
from nearcopy.clean.documents import QUALITY_FILTERS
from nearcopy.clean.normalize import NORMALIZERS
from nearcopy.clean.registry import ALL_RULES, LINE_FILTERS, RULES_BY_NAME
from nearcopy.clean.repetition import GopherDuplicateLinesFilter, GopherNgramRepetitionFilter

PROSE = ("The company said on Tuesday that it would sell the unit to a group of investors for "
         "about 120 million dollars, and that the sale should close by the end of the year.")

# rule name -> (lines that must be removed, lines that must be kept)
LINE_CASES = {
    "ad_placeholder": (["[ad_1]", "[ad_2]  "], ["Net profit rose [1] in 1986.", PROSE]),
    "c4_javascript": (["Please enable JavaScript to view the comments."], [PROSE]),
    "c4_lorem_ipsum": (["Lorem ipsum dolor sit amet, consectetur adipiscing elit."], [PROSE]),
    "c4_policy": (["By using this site, you agree to the Privacy Policy and Terms of Use."],
                  [PROSE, "The policy change was announced by the bank."]),
    "c4_terminal_punct": (["Revs 88.4 mln vs 80.1 mln"], [PROSE]),
    "c4_min_words": (["Six mths"], [PROSE]),
    "refinedweb_counter": (["3 likes", "Views: 1,204", "12 comments"],
                           ["3 likes and a dislike were recorded by the panel.", "Net 5,210"]),
    "refinedweb_uppercase": (["HARBOUR CITY PORT TO EXPAND TERMINAL"], [PROSE]),
    "refinedweb_numeric": (["1986/87 1985/86"], ["Revs 88.4 mln vs 80.1 mln"]),
    "refinedweb_single_word": (["Year"], ["Six mths"]),
    "breadcrumb": (["Home > News > World Business", "当前位置：首页 > 财经 > 正文",
                    "您现在的位置: 首页 >> 国际新闻 >>", "Главная / Мир / Бизнес",
                    "Portada » Internacional » Mercados", "Home > Markets"],
                   ["AMERICAN CABLESYSTEMS <ACN> TO BUY CABLE SYSTEM", "Output 1986/87 > 1985/86",
                    "Prices rose > 5 pct in the year. Then fell > 3 pct.", PROSE]),
    "stamp_line": (["发布时间：02.06.2015 11:33 Источник: РИА Финансы",
                    "Source: WorldNewsWire 24 | 02.06.2015 11:33", "2015-06-02 11:33 Source: X",
                    "By Jane Doe | June 2, 2015", "Опубликовано: 02/06/2015 | 来源:新浪财经"],
                   ["Record April 9", "Pay May 15", "04/09/87 03/09/87 04/09/87 03/09/87",
                    "WASHINGTON, March 11 - John Cotton said he has acquired 8.9 pct.",
                    "By contrast, exports rose 4.2 pct in March.", PROSE]),
    "share_line": (["Share this:", "Share this article", "Advertisement",
                    "We use cookies to ensure that we give you the best experience on our website.",
                    "Follow us on Twitter", "© 2015 Example Media. All rights reserved."],
                   ["Share prices rose slightly after the announcement.",
                    "He said Heinz Ketchup has its highest market share in history, 55 pct.",
                    PROSE]),
    "read_more": (["Read more", "Source link", "Continue reading...", "[详细]", "Подробнее",
                   "[More]"],
                  ["More", "Read more about the plan in the report, he said.", PROSE]),
    "email_placeholder": (["Contact Anna Lee at [email protected]"],
                          ["The analyst can be reached at the bank's office in Paris.", PROSE]),
    "contact_line": (["Write to John Smith at john.smith@example.com"],
                     ["Write to the ministry, the union urged its members.", PROSE]),
    "teaser_list": (["• 欧洲央行维持利率不变...[详细]", "· El peso mexicano gana terreno …[查看全文]",
                     "- Fed Holds Rates The Fed said it... [leer más]",
                     "Oil Prices Climb On Supply Fears Crude rose... [more]"],
                    ["- Power tools, including certain drills, percussion hammers, sanders.",
                     "It said a further statement would be made as soon as possible...",
                     "-- signs that London's Big Bang may have deeper implications...more to come",
                     PROSE]),
}


def _line_rule(name):
    return RULES_BY_NAME[name]()


@pytest.mark.parametrize("name", sorted(LINE_CASES))
def test_line_rule_positive(name):
    rule = _line_rule(name)
    for line in LINE_CASES[name][0]:
        if name == "ad_placeholder":
            assert rule.strip(line) == ""
        verdict = rule.check_line(line, LineContext(0, 1))
        assert not verdict.keep, line
        assert verdict.reason == name


@pytest.mark.parametrize("name", sorted(LINE_CASES))
def test_line_rule_negative(name):
    rule = _line_rule(name)
    for line in LINE_CASES[name][1]:
        assert rule.check_line(line, LineContext(0, 1)).keep, line


def test_ad_placeholder_strips_inside_a_line():
    rule = _line_rule("ad_placeholder")
    assert rule.strip("[ad_2]Source link") == "Source link"
    assert rule.strip("Text [ad_1] more text") == "Text  more text"


NORMALIZE_CASES = {
    "fix_mojibake": ("CafÃ© au lait", "Café au lait"),
    "html_entities": ("The group#39;s plan &amp; it&#39;s 39; nbsp;done",
                      "The group's plan & it's 39; \xa0done"),
    "unicode_nfkc": ("ＡＢＣ ﬁnal", "ABC final"),
    "zero_width": ("dol\u200blars\u00ad", "dollars"),
    "whitespace": ("a  b\t c \r\nd ", "a b c\nd"),
}


@pytest.mark.parametrize("name", sorted(NORMALIZE_CASES))
def test_normalizer(name):
    rule = RULES_BY_NAME[name]()
    raw, expected = NORMALIZE_CASES[name]
    assert rule.apply(raw) == expected
    assert rule.apply(expected.replace("\xa0", " ")) == expected.replace("\xa0", " ")


def test_normalizers_keep_line_count():
    text = "a&nbsp;b\nCafÃ©\n\n\u200bx\r\ny"
    out = text
    for cls in NORMALIZERS:
        out = cls().apply(out)
    assert out.count("\n") == text.count("\n")


LONG_PROSE = [PROSE] * 1 + [
    "Analysts said the price was fair given the unit's weak results over the past two years "
    "and the cost of new equipment that the buyers will have to install at the plant.",
    "The company's shares rose 50 cents to 21.25 dollars in early trading on the exchange."]

DOC_CASES = {
    "gopher_word_count": (["Too short to be an article."], LONG_PROSE),
    "gopher_mean_word_length": (["a b c d e f g h i j k l m n o p q r s t u v w x y z " * 3],
                                LONG_PROSE),
    "gopher_symbol_ratio": (["# # # tag # cloud # ... ... more ... words here # #"] * 5,
                            LONG_PROSE),
    "gopher_bullet_lines": (["• item one", "• item two", "• item three"], LONG_PROSE),
    "gopher_ellipsis_lines": (["It was...", "And then...", "Real line."], LONG_PROSE),
    "gopher_alpha_words": (["12 34 56 78 90 11 22 33 44 55 words"], LONG_PROSE),
    "gopher_stop_words": (["Revs 88.4 mln vs 80.1 mln"] * 20, LONG_PROSE),
    "fineweb_line_punct": (["Revs 88.4 mln", "Net 5.1 mln", "Avg shrs 12.7 mln"] * 3, LONG_PROSE),
    "fineweb_short_lines": (["Revs 88.4 mln", "Net 5.1 mln", "Avg shrs 12.7 mln"] * 3,
                            LONG_PROSE),
    "c4_curly_bracket": (["function f() { return 1; }"], LONG_PROSE),
    "c4_min_sentences": (["One sentence only."], LONG_PROSE * 2),
    "gopher_duplicate_lines": (["Buy now!", "Buy now!", "Buy now!", "Cheap pills here."],
                               LONG_PROSE),
    "gopher_ngram_repetition": (["buy cheap pills online " * 30], LONG_PROSE),
}


@pytest.mark.parametrize("name", sorted(DOC_CASES))
def test_document_rule(name):
    rule = RULES_BY_NAME[name]()
    bad, good = DOC_CASES[name]
    verdict = rule.check_document(bad, "en")
    assert not verdict.keep and verdict.reason == name and verdict.value is not None
    assert rule.check_document(good, "en").keep


def test_every_rule_has_a_test():
    tested = (set(LINE_CASES) | set(NORMALIZE_CASES) | set(DOC_CASES)
              | {"stray_language", "repeated_paragraph", "language_filter", "corpus_boilerplate"})
    assert {rule.name for rule in ALL_RULES} == tested
    assert all(rule.description and rule.name.islower() for rule in ALL_RULES)
    assert len({rule.name for rule in ALL_RULES}) == len(ALL_RULES)


def test_baseline_rules_cite_their_source():
    for rule in (*LINE_FILTERS, *QUALITY_FILTERS, GopherDuplicateLinesFilter,
                 GopherNgramRepetitionFilter):
        prefix = rule.name.split("_", 1)[0]
        if prefix in ("c4", "gopher", "refinedweb", "fineweb"):
            assert "20" in rule.source, rule.name


def test_breadcrumb_with_truncated_title_and_textual_date_stamp():
    from nearcopy.clean import CleanConfig, Cleaner
    from nearcopy.document import Document

    body = ("PORTVALE, March 3 - The Portvale city council voted 7 to 2 on Tuesday to spend "
            "48 million dollars on repairs to the Harbor Street bridge, ending a long debate.")
    page = ("Home > News > Local > City council approves repairs ...\n"
            "Published 11 Feb 2019 | Source: Daily Wire Service\n" + body)
    result = Cleaner(CleanConfig()).clean(Document(id="p", text=page))
    assert result.text == body
    assert [line["rule"] for line in result.removed_lines] == ["breadcrumb", "stamp_line"]
    # a dated sentence of the story and a title with "..." but no crumbs stay
    kept = ("Shares fell on March 3, 2019 after the company said profits would drop sharply "
            "this year...\n" + body)
    assert Cleaner(CleanConfig()).clean(Document(id="k", text=kept)).removed_lines == []


def test_read_more_link_to_another_story():
    from nearcopy.clean import CleanConfig, Cleaner
    from nearcopy.document import Document

    body = ("The port authority said on Monday that grain shipments rose for a third month, "
            "as buyers in North Africa stepped up purchases after a dry season elsewhere.")
    cleaner = Cleaner(CleanConfig())
    page = body + "\nRead more: Top 10 stories you missed this week\n" + body.replace("third",
                                                                                      "fourth")
    result = cleaner.clean(Document(id="p", text=page))
    assert [line["rule"] for line in result.removed_lines] == ["read_more"]
    sentence = "Related: the union said talks with the operators would resume on Friday."
    assert cleaner.clean(Document(id="k", text=body + "\n" + sentence)).removed_lines == []
