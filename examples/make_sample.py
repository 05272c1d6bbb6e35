"""Build the bundled sample corpus `examples/sample/news.jsonl` from `sample/articles.json`.

Each article gets copies of the kinds crawled news shows: a content-farm page
(breadcrumbs, a wrong date line, a column of teaser headlines in Chinese), a
syndication glitch that repeats paragraphs, an auto-blog copy with ad
placeholders, "Source link" and obfuscated e-mail junk, an exact copy, a copy
that differs in case and white space, and a partial copy. The `harbor-*` and
`grain-*` articles are pairs that share names and topic but are different
stories: they must never be merged. Deterministic: run it again, get the same file.

    python examples/make_sample.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).parent
TEASERS = ["习近平会见外国领导人 [详细]", "股市今日小幅上涨…", "台风逼近沿海地区 [更多]",
           "新能源汽车销量创新高...", "教育部发布最新通知 [详细]"]
JUNK_TOP = ["[ad_1]", "Share this: Facebook Twitter WhatsApp Email Print"]
JUNK_BOTTOM = ["Write to Jane Doe at [email protected]", "[ad_2]", "Source link",
               "We use cookies to improve your experience. Accept all cookies"]


def body(article: dict) -> list[str]:
    return [article["title"], *article["paras"]]


def content_farm(article: dict, rng: random.Random) -> str:
    crumbs = "Home > News > Local > " + article["title"][:30] + "..."
    stamp = f"Published {rng.randint(1, 28)} Feb 2019 | Source: Daily Wire Service"
    teasers = [f"• {t}" for t in rng.sample(TEASERS, 4)]
    return "\n".join([crumbs, stamp, *body(article), "Related articles", *teasers])


def syndication_repeat(article: dict) -> str:
    lines = body(article)
    return "\n".join(lines[:4] + lines[2:4] + lines[4:])


def auto_blog(article: dict) -> str:
    lines = body(article)
    middle = len(lines) // 2
    text = lines[:middle] + ["Read more: Top 10 stories you missed this week"] + lines[middle:]
    return "\n".join(JUNK_TOP + text + JUNK_BOTTOM)


def build() -> list[dict]:
    rng = random.Random(7)
    articles = json.loads((HERE / "sample" / "articles.json").read_text())
    docs = []
    for art in articles:
        base = "\n".join(body(art))
        key = art["id"]
        docs.append({"id": f"{key}", "text": base, "url": f"https://example.org/{key}"})
        if key in ("harbor-ferry", "grain-strike"):
            docs.append({"id": f"{key}-farm", "text": content_farm(art, rng),
                         "url": f"https://contentfarm.example/{key}"})
            continue
        docs.append({"id": f"{key}-farm", "text": content_farm(art, rng),
                     "url": f"https://contentfarm.example/{key}"})
        docs.append({"id": f"{key}-synd", "text": syndication_repeat(art),
                     "url": f"https://feeds.example/{key}"})
        docs.append({"id": f"{key}-blog", "text": auto_blog(art),
                     "url": f"https://autoblog.example/{key}"})
        docs.append({"id": f"{key}-mirror", "text": base, "url": f"https://mirror.example/{key}"})
        docs.append({"id": f"{key}-caps", "text": "  ".join(base.upper().split(" ")),
                     "url": f"https://shouty.example/{key}"})
        partial = "\n".join(body(art)[:4])
        docs.append({"id": f"{key}-partial", "text": partial,
                     "url": f"https://snippets.example/{key}"})
    rng.shuffle(docs)
    return docs


def main() -> None:
    out = HERE / "sample" / "news.jsonl"
    with open(out, "w", encoding="utf-8") as handle:
        for doc in build():
            handle.write(json.dumps(doc, ensure_ascii=False) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
