"""nearcopy line rules for the page chrome that the C4/RefinedWeb baselines miss.

Measured on crawled-news copies (../shared/eval/news_copies): breadcrumbs in
Latin, Cyrillic and CJK scripts, date/source stamps with a foreign label, teaser
columns ending in "...[详细]", auto-blog junk ("[ad_1]", "Source link",
"[email protected]"). Each rule only fires on short lines or full-line
patterns, so a sentence of an article that merely mentions "share" or
"source" is never touched.
"""

from __future__ import annotations

import re

from nearcopy import regex_programs
from nearcopy.clean.base import KEEP, LineContext, LineFilter, Verdict

_TERMINAL = (".", "!", "?", "\u3002", "\uff01", "\uff1f")

_READ_MORE_WORDS = (
    r"read more|read full (?:story|article)|read the full (?:story|article)|continue reading|"
    r"keep reading|full story|learn more|see more|view more|more|details|source link|"
    r"source|click here(?: to [\w ]{1,40})?|leer más|leer mas|seguir leyendo|ver más|"
    r"подробнее|читать далее|читать дальше|далее|详细|详情|查看全文|阅读全文|全文|更多|"
    r"weiterlesen|mehr|lire la suite|en savoir plus|leggi tutto|continua a leggere|"
    r"続きを読む|もっと見る|더보기|ler mais|lees meer")
# Single words that are also ordinary table labels ("More", "Details") count only when marked.
_AMBIGUOUS = r"more|details|source|mehr|далее|全文"
_READ_MORE_LINE = regex_programs.compile(
    rf"^(?:[\[(«<]*(?:{_READ_MORE_WORDS})\s*[\])»>]*\s*(?:\.\.\.|…|>>|»|→)?"
    rf"|[\[(«<](?:{_AMBIGUOUS})[\])»>]|(?:{_AMBIGUOUS})\s*(?:\.\.\.|…|>>|»|→))$", re.IGNORECASE)
_READ_MORE_PLAIN = regex_programs.compile(rf"^(?:{_AMBIGUOUS})$", re.IGNORECASE)
# "Read more: <another headline>", "Also read - <headline>": a link to another story.
_READ_MORE_PREFIX = regex_programs.compile(r"^(?:read more|read also|also read|see also|related|related story|"
                               r"recommended|more from us|leer más|lea también|weiterlesen|"
                               r"lire aussi|читайте также|相关阅读|延伸阅读)\s*[:：|–—-]\s*\S",
                               re.IGNORECASE)
_MARKER = rf"[\[(【](?:{_READ_MORE_WORDS})[\])】]"
_TEASER_END = regex_programs.compile(rf"(?:(?:\.\.\.|…)\s*(?:{_MARKER}|»|>>|→)?|\s{_MARKER}|{_MARKER})$",
                         re.IGNORECASE)
_BRACKET_END = regex_programs.compile(rf"{_MARKER}$", re.IGNORECASE)
_BULLET = regex_programs.compile(r"^(?:[-–—•·*▪►▸◦●○■□→»]|\d{1,2}[.)])\s*")


class ReadMoreFilter(LineFilter):
    """A line that is only a "Read more" / "Source link" / "[详细]" link."""

    name = "read_more"
    description = "a line that is only a 'Read more' / 'Source link' / 'Continue reading' link"
    # A whole-line link is judged only up to 60 characters, a prefixed one only without
    # a sentence end: without those guards the 65 words ran on every body line
    # (IGNORECASE branches are slow in sre).
    MAY_DROP_AT_START = (f"(?!.{{61}})(?i:{_READ_MORE_LINE.pattern})"
                         f"|(?!.*[{re.escape(''.join(_TERMINAL))}]$)"
                         f"(?i:{_READ_MORE_PREFIX.pattern})")
    PREFIXED_MAX_WORDS = 16

    def line_cap(self) -> int | None:
        return 160

    def check_line(self, line: str, ctx: LineContext) -> Verdict:
        if _READ_MORE_PREFIX.match(line):
            if len(line.split()) <= self.PREFIXED_MAX_WORDS and not line.endswith(_TERMINAL):
                return Verdict(False, self.name, "link to another story")
            return KEEP
        if len(line) > 60 or _READ_MORE_PLAIN.match(line):
            return KEEP
        return self.drop if _READ_MORE_LINE.match(line) else KEEP


class TeaserListFilter(LineFilter):
    """Teaser/navigation list items: bulleted and cut off with "...", or ending in "[more]".

    A bullet alone is not enough (articles have bulleted lists), nor is a final
    "..." alone (quotes trail off): it takes a bullet plus an ellipsis, or a
    read-more marker in brackets.
    """

    name = "teaser_list"
    description = "teaser/navigation list item: bulleted headline cut off with '...', or '[more]'"
    PARAMS = {"max_words": 40}
    # _TEASER_END ends in an ellipsis (maybe + spaces), a closing bracket, », >> or → (a
    # single ">" ends a wire headline's ticker: "... FOR CHEMLAWN <CHEM>").
    MAY_DROP_AT_END = ("...", "…", "]", ")", "】", "»", ">>", "→")

    def line_cap(self) -> int | None:
        return self.max_words * 25

    def check_line(self, line: str, ctx: LineContext) -> Verdict:
        tail = line[-40:]  # the markers sit at the end; searching the tail is ~5x cheaper
        if tail.endswith(_CLOSERS):  # only a marker can end it (then _BRACKET_END matches)
            if not _ends_with_marker(tail) or len(line.split()) > self.max_words:
                return KEEP
            return self.drop
        if not _TEASER_END.search(tail) or len(line.split()) > self.max_words:
            return KEEP
        if _BULLET.match(line) or _BRACKET_END.search(tail):
            return self.drop
        return KEEP


_CLOSERS = ("]", ")", "】")
_MARKER_AT = regex_programs.compile(_MARKER, re.IGNORECASE)


def _ends_with_marker(tail: str) -> bool:
    """`_TEASER_END.search(tail)` (and `_BRACKET_END`'s) for a tail ending in one of
    _CLOSERS: a marker from the last opening bracket on, as no read-more word holds one.
    The regexes try every position of the tail: 4 us on a teaser line ending in "[详细]";
    this 1.0 us (issue #3: 6,400 such lines on news_copies): an `in` before each rarer
    bracket's `rfind`, and the answer for each bracketed text remembered (the
    IGNORECASE fullmatch of 65 words took 1.1 us; a site's teasers share a marker)."""
    start = tail.rfind("[", 0, -1)
    if "(" in tail:
        start = max(start, tail.rfind("(", 0, -1))
    if "【" in tail:
        start = max(start, tail.rfind("【", 0, -1))
    if start < 0:
        return False
    marker = tail[start:]
    known = _MARKERS.get(marker)
    if known is None:
        if len(_MARKERS) >= _MARKERS_KEPT:
            _MARKERS.clear()
        known = _MARKERS[marker] = _MARKER_AT.fullmatch(marker) is not None
    return known


#: bracketed line ends seen by `_ends_with_marker`, and whether each is a marker
_MARKERS: dict[str, bool] = {}
_MARKERS_KEPT = 4096


_CRUMB_SEP = regex_programs.compile(r"\s*(?:>>|>|»|›|→|‹|<<)\s*|\s+(?:/|\||\\|::)\s+")
#: every _CRUMB_SEP branch holds one of these
_CRUMB_CHARS = frozenset(">»›→‹</|\\:")
#: found where _CRUMB_SEP is, without its leading "\s*" (sre tries that at every position:
#: 7.5 us on a 100-character line with a "/" that separates nothing, this 3.3 us)
_CRUMB_SEP_AT = regex_programs.compile(r"[>»›→‹]|<<|\s(?:/|\||\\|::)\s")
_CRUMB_LABEL = regex_programs.compile(r"^(?:you are here|current location|您现在的位置|当前位置|当前的位置|"
                          r"所在位置|位置|Вы здесь|Estás en|Usted está en|Sie sind hier|"
                          r"Vous êtes ici)\s*[:：]\s*", re.IGNORECASE)
_HOME = regex_programs.compile(r"^(?:home|homepage|首页|首頁|主页|Главная|Inicio|Portada|Startseite|Accueil|"
                   r"Home page|Início|Strona główna|ホーム|홈)$", re.IGNORECASE)


class BreadcrumbFilter(LineFilter):
    """"Home > News > World" in any script: short segments joined by separators."""

    name = "breadcrumb"
    description = "breadcrumb line ('Home > News > World', '首页 > 财经 > 正文') in any language"
    PARAMS = {"max_segment_words": 4, "max_chars": 160}
    # Two or more parts need a _CRUMB_SEP match, which holds one of these.
    MAY_DROP = r">|»|›|→|‹|<|/|\||\\|::"
    KEEPS_BRACKETED = True  # ("<ACN>" wire tickers, see check_line)

    def line_cap(self) -> int | None:
        return self.params["max_chars"]

    def check_line(self, line: str, ctx: LineContext) -> Verdict:
        if _CRUMB_CHARS.isdisjoint(line):
            return KEEP  # no separator (the cleaner sends lines here that other rules want)
        if len(line) > self.max_chars or "<" in line and ">" in line.split("<", 1)[1]:
            return KEEP  # "<ACN>" wire tickers are not crumbs
        body = _CRUMB_LABEL.sub("", line)
        if _CRUMB_SEP_AT.search(body) is None:
            return KEEP  # one part
        labelled = body != line
        parts = [p.strip() for p in _CRUMB_SEP.split(body)]
        segments = [p for p in parts if p]
        if len(parts) < 2 or not segments:
            return KEEP
        trail = len(parts) > 2 or _HOME.match(segments[0]) is not None
        if not trail and not labelled:
            # one separator, no label, not from "Home": kept whatever the segments (before
            # they were looked at: 12 us on a stamp line "Опубликовано: ... | Fuente: X")
            return KEEP
        # the last crumb is often the story's title, cut short: "... > Storm hits coast..."
        last_is_title = trail and \
            _TRUNCATED.search(segments[-1]) is not None and len(segments[-1].split()) <= 14
        for seg in segments[:-1] if last_is_title else segments:
            if len(seg.split()) > self.max_segment_words or seg.endswith(_TERMINAL) \
                    or not any(c.isalpha() for c in seg) or len(seg) > 40:
                return KEEP
        return Verdict(False, self.name, len(segments))


_TRUNCATED = regex_programs.compile(r"(?:\.\.\.|…)\s*$")
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "sept", "oct",
                "nov", "dec")
_MONTH = rf"(?:{'|'.join(_MONTH_NAMES)})[a-z]*\.?"


def _first_letters(words) -> str:
    """The class of the first letters of `words`, IGNORECASE as the words are matched. In
    a lookahead before a regex that sre would otherwise try at every position with all
    its branches, it lets the other positions fail at one class test."""
    return f"(?i:[{re.escape(''.join(sorted({word[0] for word in words})))}])"


# (a date starts with a digit or a month: 6.3 -> 4.1 us on a stamp line of news_copies)
_DATE = regex_programs.compile(rf"(?=\d|{_first_letters(_MONTH_NAMES)})(?:"
                   r"\b\d{1,4}[./-]\d{1,2}[./-]\d{2,4}\b|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
                   rf"|(?i:\b\d{{1,2}}\s+{_MONTH}\s+\d{{4}}\b|\b{_MONTH}\s+\d{{1,2}},?\s+\d{{4}}\b)"
                   r"|\b\d{1,2}:\d{2}(?::\d{2})?\b(?:\s*[AaPp]\.?[Mm]\.?)?)")
_TIME = regex_programs.compile(r"\b\d{1,2}:\d{2}\b")
_NUMERIC_DATE = regex_programs.compile(r"\b\d{1,4}[./-]\d{1,2}[./-]\d{2,4}\b|\d{4}\s*年\s*\d{1,2}\s*月")
_STAMP_LABELS = (
    "source", "sources", "fuente", "fonte", "quelle", "источник", "来源", "來源", "出处", "出處",
    "作者", "author", "posted(?: on| by)?", "published(?: on)?", "updated", "last updated",
    "опубликовано", "обновлено", "автор", "发布时间", "發佈時間", "发布日期", "时间", "時間", "日期",
    "publicado", "actualizado", "veröffentlicht", "aktualisiert", "publié le", "date", "fecha",
    "дата", "editor", "编辑", "責任編輯", "责任编辑")
# (the lookahead: 5.9 -> 3.5 us on a line with a colon of news_copies)
_STAMP_LABEL = regex_programs.compile(
    rf"(?={_first_letters(_STAMP_LABELS)})(?:^|(?<=[\s|·]))(?:{'|'.join(_STAMP_LABELS)})\s*[:：]",
    re.IGNORECASE)
_BYLINE = regex_programs.compile(r"^[Bb][Yy]\s+[A-Z][\w.'-]*(?:\s+(?:[A-Z][\w.'-]*|and|&|de|van|von))*"
                     r"(?:\s*[|,·-]\s*.*)?$")
_STAMP_JUNK = regex_programs.compile(r"[|·•/,()\[\]–—-]+")


class StampLineFilter(LineFilter):
    """Date/source/byline stamps ("发布时间：02.06.2015 11:33 Источник: РИА Финансы").

    Fires when a short line carries a stamp label ("Source:", "来源：") or a
    numeric date with a time, and little else is left once labels, dates and
    separators are taken out. A dateline that opens a paragraph stays: it is
    followed by the story, so too much text remains.
    """

    name = "stamp_line"
    description = "date/source/byline stamp line ('Source: X | 02.06.2015 11:33', 'By Jane Doe')"
    PARAMS = {"max_rest_words": 6, "max_chars": 160}
    # A stamp label and a time both end in a colon; otherwise only a byline can fire.
    MAY_DROP = ":|："
    MAY_DROP_AT_START = r"[Bb][Yy]\s"
    # (a colon, or "by" for a byline: 0.2 us where the check took 0.8 on a teaser line)
    GUARD = (":", "：", "by")

    def __init__(self, **params) -> None:
        super().__init__(**params)
        #: the verdict of a stamp with n words left, built once (`LineFilter.drop`)
        self._stamps = [Verdict(False, self.name, n) for n in range(self.max_rest_words + 1)]

    def line_cap(self) -> int | None:
        return self.params["max_chars"]

    def check_line(self, line: str, ctx: LineContext) -> Verdict:
        if len(line) > self.max_chars:
            return KEEP
        if ":" not in line and "：" not in line:
            # A stamp label and a time both need a colon: only a byline can be left.
            return _drop_byline(self, line) if line[:2].lower() == "by" else KEEP
        # (the labels cut out in the one scan that looks for them: the label regex tries
        # every position, ~10 us a line; a date and a time are looked for only unlabelled)
        unlabelled, labels = _STAMP_LABEL.subn(" ", line)
        if not labels and not (_NUMERIC_DATE.search(line) and _TIME.search(line)):
            return _drop_byline(self, line)
        rest = _STAMP_JUNK.sub(" ", _DATE.sub(" ", unlabelled))
        words = rest.split()
        if len(words) <= self.max_rest_words and not rest.rstrip().endswith(_TERMINAL):
            return self._stamps[len(words)]
        return KEEP


def _drop_byline(rule: StampLineFilter, line: str) -> Verdict:
    """"By Jane Doe" (optionally "| date"): up to 8 words, no sentence end."""
    if len(line.split()) <= 8 and _BYLINE.match(line) and not line.endswith(_TERMINAL):
        return Verdict(False, rule.name, "byline")
    return KEEP


_SHARE_WORDS = regex_programs.compile(
    r"^(?:share|share this|share this (?:article|story|post|page)|share on|tweet|tweet this|"
    r"pin it|email|e-mail|email this|print|print this|print this (?:article|page)|whatsapp|"
    r"facebook|twitter|linkedin|reddit|telegram|pinterest|copy link|save|comments?|"
    r"advertisement|advertisements|sponsored|sponsored content|ad|ads|related|related articles|"
    r"related stories|related posts|you may also like|recommended|trending|most read|"
    r"follow us|subscribe|subscribe now|newsletter|sign up|log in|sign in|register|"
    r"поделиться|分享|分享到|打印|реклама|publicidad|compartir|teilen|partager|\||:|,|/|·|•|\s)+$",
    re.IGNORECASE)
_SHARE_START = regex_programs.compile(
    r"^(?:share (?:this|on)|follow us on|subscribe to|sign up for|sign up to|get our|"
    r"join our|download our app|by (?:using|continuing to use|browsing) (?:this|our) "
    r"(?:site|website)|this (?:site|website) uses cookies|we use cookies|"
    r"(?:copyright|©|\(c\))\s|all rights reserved|advertisement\b|click to share|"
    r"leave a (?:comment|reply)|you must be logged in)", re.IGNORECASE)


class ShareLineFilter(LineFilter):
    """Share/print/subscribe/cookie/copyright lines: whole line made of such words, or
    a short line starting with such a phrase."""

    name = "share_line"
    description = "share/print/subscribe/cookie-banner/copyright line ('Share this:', 'We use cookies...')"
    PARAMS = {"max_words": 30}
    MAY_DROP_AT_START = f"(?!.{{80}})(?i:{_SHARE_WORDS.pattern})|(?i:{_SHARE_START.pattern})"
    MAY_DROP = "all rights reserved"

    def line_cap(self) -> int | None:
        return self.max_words * 25

    def check_line(self, line: str, ctx: LineContext) -> Verdict:
        if len(line) < 80 and _SHARE_WORDS.match(line):
            return self.drop
        # (the cheap, mostly failing tests first: split() costs 3 us on a body line)
        if _SHARE_START.match(line) and len(line.split()) <= self.max_words:
            return self.drop
        if "all rights reserved" in line.lower() and len(line.split()) <= self.max_words:
            return self.drop
        return KEEP


_EMAIL_PLACEHOLDER = regex_programs.compile(r"\[\s*email\s*(?:&#160;|\s)?\s*protected\s*\]|"
                                r"\[at\]|\(at\)|\[dot\]", re.IGNORECASE)
_EMAIL = regex_programs.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_CONTACT = regex_programs.compile(r"^(?:write to|contact|e-?mail|reach|send (?:tips|news) to|follow)\s+"
                      r"(?:\S+\s+){0,6}(?:at|on|via|to)\b", re.IGNORECASE)


class EmailPlaceholderFilter(LineFilter):
    """Short lines with Cloudflare's "[email protected]" or an "[at]"-obfuscated address."""

    name = "email_placeholder"
    description = "short line with an obfuscated e-mail ('[email protected]', 'name [at] site')"
    PARAMS = {"max_words": 20}
    # Every _EMAIL_PLACEHOLDER branch starts with "[" but "(at)" ("a", "t": no case partners).
    MAY_DROP = r"\[|\(at\)"
    # Each branch holds one of these (a "[" alone let 6,400 teasers "...[详细]" of
    # news_copies through to the 1 us search)
    GUARD = ("[at]", "(at)", "[dot]", "protected")

    def line_cap(self) -> int | None:
        return self.max_words * 25

    def check_line(self, line: str, ctx: LineContext) -> Verdict:
        if _EMAIL_PLACEHOLDER.search(line) and len(line.split()) <= self.max_words:
            return self.drop
        return KEEP


class ContactLineFilter(LineFilter):
    """"Write to Jane Doe at jane@example.com": the author-contact footer of wire reposts."""

    name = "contact_line"
    description = "author contact footer ('Write to Jane Doe at jane.doe@example.com')"
    PARAMS = {"max_words": 15}
    MAY_DROP = "@"  # _EMAIL

    def line_cap(self) -> int | None:
        return self.max_words * 25

    def check_line(self, line: str, ctx: LineContext) -> Verdict:
        if _CONTACT.match(line) and len(line.split()) <= self.max_words and _EMAIL.search(line):
            return self.drop
        return KEEP


_AD = regex_programs.compile(r"\[ad_?\d*\]|\[/?ads?\]|\{ads?\}|\[adsense\]|\[advert\]|\[sponsored\]",
                 re.IGNORECASE)
#: every placeholder holds one of these
AD_MARKS = ("[", "{")


class AdPlaceholderFilter(LineFilter):
    """"[ad_1]"-style placeholders of auto-blog plugins, stripped wherever they stand.

    This rule rewrites: `strip` removes the tokens inside a line; the line is
    then judged by the other rules ("[ad_2]Source link" -> "Source link").
    """

    name = "ad_placeholder"
    description = "'[ad_1]'-style placeholders of auto-blog plugins (removed inside any line)"
    MAY_DROP = r"\[|\{"

    def strip(self, line: str) -> str:
        return _AD.sub("", line).strip() if AD_MARKS[0] in line or AD_MARKS[1] in line else line

    def check_line(self, line: str, ctx: LineContext) -> Verdict:
        return self.drop if _AD.search(line) and not self.strip(line) else KEEP
