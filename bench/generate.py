"""Deterministic news-like corpus with injected copies, and its exact ground truth.

Why a generator of our own: the speed benchmark needs 20k..1M documents of
~3 KB whose copies are known exactly, reproducible from a seed on any machine.

Documents are Zipf-distributed words from a fixed vocabulary, in sentences and
paragraphs. About 10% of documents start a *family*: the original plus 1..6
variants (exact copies, light or heavier word substitutions, a dropped or an
appended paragraph), each derived from the original or from an earlier variant
(so chains exist). Families are shuffled among unrelated documents in blocks of
`BLOCK_DOCS`; a block depends only on (seed, block number), so the 20k corpus
is a prefix of the 100k one.

Ground truth is exact: every word is one lowercase alnum token and everything
between words is punctuation/space, so nearcopy's tokenizer (and the peers'
`[a-z0-9]+` on lowercased text) sees exactly the word-id sequence. The word
5-gram sets are computed from the ids (packed losslessly: 12 bits per word), and
every within-family pair gets its exact Jaccard. Unrelated documents share almost
no 5-grams; `--check-unrelated` proves it per block (all cross-family pairs).

    python bench/generate.py --docs 20000 --out bench/.work/c20000 [--check-unrelated]
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

VOCAB_SIZE = 4096          # 12 bits per word id: a 5-gram packs into 60 bits exactly
BLOCK_DOCS = 2000
NGRAM = 5
FAMILY_RATE = 0.10         # fraction of a block's documents that start a family
WORDS_MEAN, WORDS_SD = 470, 70   # ~3 KB per document
# variant kind -> probability; "sub" is the fraction of words replaced
KINDS = {"exact": 0.25, "light": 0.30, "border": 0.25, "drop": 0.10, "append": 0.10}
SUB_RANGE = {"exact": (0.0, 0.0), "light": (0.001, 0.015), "border": (0.015, 0.045),
             "drop": (0.0, 0.004), "append": (0.0, 0.004)}
# separator after a word: space, comma, sentence end, paragraph end, document end
SUFFIXES = [b" ", b", ", b". ", b".\\n\\n", b"."]   # already JSON-escaped
SPACE, COMMA, STOP, PARA, END = range(5)

COMMON = ("the of to and a in that for is on said with was he it as at by from his be "
          "have has an are but not they were had this its who their been will would more "
          "one new after year two also we first than last about which people over when "
          "government she up could president our other into officials state percent out "
          "there some all police most told city week three time what billion million may "
          "country no if years court market can before company many only under while").split()


def build_vocabulary(seed: int = 7) -> list[str]:
    """Common English words first (the Zipf head), then pronounceable made-up words."""
    rng = np.random.default_rng(seed)
    onsets = "b c d f g h j k l m n p r s t v w br cr dr fl gr pl st tr ch sh th".split()
    vowels = "a e i o u ai ea ou io".split()
    codas = ["", "", "", "n", "r", "s", "t", "l", "nd", "st"]
    words, seen = list(COMMON), set(COMMON)
    while len(words) < VOCAB_SIZE - 64:
        syllables = min(3, int(rng.geometric(0.5)))
        word = "".join(rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas)
                       for _ in range(syllables))
        if word not in seen:
            seen.add(word)
            words.append(word)
    words += [str(n) for n in (*range(2, 50), *range(2010, 2026))]  # numbers in the tail
    return words[:VOCAB_SIZE]


@dataclass
class Vocabulary:
    """Byte table of lower-case and capitalised words plus separators, and the Zipf cdf."""

    table: np.ndarray     # uint8 bytes of all pieces
    offsets: np.ndarray   # int64 start of each piece
    lengths: np.ndarray   # int64 length of each piece
    cdf: np.ndarray       # float64 cumulative word probability

    @classmethod
    def create(cls) -> Vocabulary:
        words = build_vocabulary()
        pieces = [w.encode() for w in words] + [w.capitalize().encode() for w in words] + SUFFIXES
        lengths = np.array([len(p) for p in pieces], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        weights = 1.0 / (np.arange(VOCAB_SIZE) + 2.7)   # Zipf-Mandelbrot, s = 1
        cdf = np.cumsum(weights / weights.sum())
        cdf[-1] = 1.0
        return cls(np.frombuffer(b"".join(pieces), dtype=np.uint8), offsets, lengths, cdf)

    def sample(self, rng: np.random.Generator, count: int) -> np.ndarray:
        return np.searchsorted(self.cdf, rng.random(count)).astype(np.int32)


@dataclass
class Doc:
    words: np.ndarray    # int32 word ids (the exact token sequence)
    suffix: np.ndarray   # int8 separator code after each word


def random_texts(vocab: Vocabulary, rng: np.random.Generator, counts: list[int]) -> list[Doc]:
    """Documents of the given word counts, with commas, sentence ends (~1 in 17 words) and
    paragraph ends (~1 in 5 sentences); sampled in one vectorised draw."""
    total = int(sum(counts))
    words = vocab.sample(rng, total)
    draw = rng.random(total)
    suffix = np.full(total, SPACE, dtype=np.int8)
    suffix[draw < 0.06] = COMMA
    stop = draw > 1 - 1 / 17
    suffix[stop] = np.where(rng.random(int(stop.sum())) < 0.2, PARA, STOP)
    ends = np.cumsum(counts)
    suffix[ends - 1] = END
    return [Doc(w, s) for w, s in zip(np.split(words, ends[:-1]), np.split(suffix, ends[:-1]))]


def random_text(vocab: Vocabulary, rng: np.random.Generator, count: int) -> Doc:
    return random_texts(vocab, rng, [count])[0]


def make_variant(vocab: Vocabulary, rng: np.random.Generator, parent: Doc, kind: str) -> Doc:
    """A copy of `parent` edited according to `kind` (see KINDS)."""
    words, suffix = parent.words.copy(), parent.suffix.copy()
    if kind == "drop":
        ends = np.flatnonzero(suffix == PARA)
        if ends.size >= 2:
            bounds = np.concatenate([[-1], ends, [words.size - 1]])
            k = int(rng.integers(0, bounds.size - 1))
            keep = np.ones(words.size, dtype=bool)
            keep[bounds[k] + 1:bounds[k + 1] + 1] = False
            words, suffix = words[keep], suffix[keep]
            suffix[-1] = END
    elif kind == "append":
        extra = random_text(vocab, rng, int(rng.integers(50, 110)))
        suffix[-1] = PARA
        words = np.concatenate([words, extra.words])
        suffix = np.concatenate([suffix, extra.suffix])
    low, high = SUB_RANGE[kind]
    if high > 0:
        hit = rng.random(words.size) < rng.uniform(low, high)
        words[hit] = vocab.sample(rng, int(hit.sum()))
    return Doc(words, suffix)


def shingle_set(doc: Doc) -> np.ndarray:
    """Sorted distinct word 5-grams, packed losslessly into uint64 (12 bits per word)."""
    w = doc.words.astype(np.uint64)
    if w.size < NGRAM:  # never generated (>= 120 words); kept explicit rather than wrong
        raise ValueError(f"document of {w.size} words is shorter than one {NGRAM}-gram")
    count = w.size - NGRAM + 1
    keys = np.zeros(count, dtype=np.uint64)
    for j in range(NGRAM):
        keys = (keys << np.uint64(12)) | w[j:j + count]
    return np.unique(keys)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    common = np.intersect1d(a, b, assume_unique=True).size
    return common / (a.size + b.size - common)


def generate_block(vocab: Vocabulary, seed: int, block: int, count: int):
    """Documents of one block in output order, and its families (slot lists, kinds, pairs)."""
    rng = np.random.default_rng([seed, block])
    n_fam = int(round(count * FAMILY_RATE))
    families, docs = [], []
    kinds, probs = list(KINDS), np.array(list(KINDS.values()))
    budget = count - n_fam
    for _ in range(n_fam):
        size = min(6, int(rng.geometric(0.5)), budget - (n_fam - len(families) - 1))
        if size < 1:
            break
        budget -= size
        members = [random_text(vocab, rng, _doc_words(rng))]
        member_kinds = ["original"]
        for _ in range(size):
            kind = str(rng.choice(kinds, p=probs))
            parent = members[0] if rng.random() < 0.7 else members[int(rng.integers(len(members)))]
            members.append(make_variant(vocab, rng, parent, kind))
            member_kinds.append(kind)
        families.append((len(docs), member_kinds))
        docs.extend(members)
    docs.extend(random_texts(vocab, rng, [_doc_words(rng) for _ in range(count - len(docs))]))
    slot = rng.permutation(count)            # slot[i] = output position of generated doc i
    ordered = [None] * count
    for i, doc in enumerate(docs):
        ordered[slot[i]] = doc
    fams = []
    for first, member_kinds in families:
        members = list(range(first, first + len(member_kinds)))
        sets = [shingle_set(docs[i]) for i in members]
        pairs = [(int(slot[members[a]]), int(slot[members[b]]), round(jaccard(sets[a], sets[b]), 5))
                 for a in range(len(members)) for b in range(a + 1, len(members))]
        fams.append({"slots": [int(slot[i]) for i in members], "kinds": member_kinds,
                     "pairs": pairs})
    return ordered, fams


def _doc_words(rng: np.random.Generator) -> int:
    return int(np.clip(rng.normal(WORDS_MEAN, WORDS_SD), 120, 900))


def render(vocab: Vocabulary, docs: list[Doc]) -> list[bytes]:
    """JSON-escaped text of each document, built with one vectorised byte gather."""
    words = np.concatenate([d.words for d in docs]).astype(np.int64)
    suffix = np.concatenate([d.suffix for d in docs]).astype(np.int64)
    capital = np.concatenate([[True], (suffix[:-1] == STOP) | (suffix[:-1] == PARA)
                              | (suffix[:-1] == END)])
    pieces = np.empty(words.size * 2, dtype=np.int64)
    pieces[0::2] = words + capital * VOCAB_SIZE
    pieces[1::2] = 2 * VOCAB_SIZE + suffix
    lengths = vocab.lengths[pieces]
    ends = np.cumsum(lengths)
    starts = ends - lengths
    idx = np.repeat(vocab.offsets[pieces] - starts, lengths) + np.arange(ends[-1])
    data = vocab.table[idx].tobytes()
    bounds = np.concatenate([[0], ends[np.cumsum([2 * d.words.size for d in docs]) - 1]])
    return [data[bounds[i]:bounds[i + 1]] for i in range(len(docs))]


def check_unrelated(docs: list[Doc], fams: list[dict]) -> tuple[float, int]:
    """Max exact Jaccard over all pairs of the block's documents from different families
    (unrelated documents are families of one), and how many such pairs share any 5-gram."""
    family = np.arange(len(docs))
    for f, fam in enumerate(fams):
        family[fam["slots"]] = len(docs) + f
    sets = [shingle_set(d) for d in docs]
    sizes = np.array([s.size for s in sets])
    keys = np.concatenate(sets)
    owner = np.repeat(np.arange(len(docs)), sizes)
    order = np.argsort(keys, kind="stable")
    keys, owner = keys[order], owner[order]
    run_start = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
    run_len = np.diff(np.concatenate([run_start, [keys.size]]))
    pairs = []
    for length in np.unique(run_len[run_len >= 2]):
        starts = run_start[run_len == length]
        for a in range(length):
            for b in range(a + 1, length):
                left, right = owner[starts + a], owner[starts + b]
                cross = family[left] != family[right]
                lo, hi = np.minimum(left, right)[cross], np.maximum(left, right)[cross]
                pairs.append(lo.astype(np.int64) * len(docs) + hi)
    if not pairs:
        return 0.0, 0
    packed, common = np.unique(np.concatenate(pairs), return_counts=True)
    if packed.size == 0:
        return 0.0, 0
    left, right = packed // len(docs), packed % len(docs)
    jac = common / (sizes[left] + sizes[right] - common)
    return float(jac.max()), int(packed.size)


def generate(docs: int, out: Path, *, seed: int = 0, check: bool = False) -> dict:
    """Write out/corpus.jsonl, out/truth.jsonl and out/meta.json; return the meta dict."""
    out.mkdir(parents=True, exist_ok=True)
    vocab = Vocabulary.create()
    started = time.perf_counter()
    total_bytes, n_fam, max_cross, shared_pairs = 0, 0, 0.0, 0
    with open(out / "corpus.jsonl.tmp", "wb") as corpus, open(out / "truth.jsonl.tmp", "w") as truth:
        for block, first in enumerate(range(0, docs, BLOCK_DOCS)):
            count = min(BLOCK_DOCS, docs - first)
            ordered, fams = generate_block(vocab, seed, block, count)
            for i, text in enumerate(render(vocab, ordered)):
                corpus.write(b'{"id":"%s","text":"%s"}\n' % (doc_id(first + i).encode(), text))
                total_bytes += len(text) - 2 * text.count(b"\\n")
            for fam in fams:
                fam["ids"] = [doc_id(first + s) for s in fam.pop("slots")]
                fam["pairs"] = [[doc_id(first + a), doc_id(first + b), j]
                                for a, b, j in fam["pairs"]]
                truth.write(json.dumps(fam) + "\n")
            n_fam += len(fams)
            if check:
                block_max, block_shared = check_unrelated(ordered, _slots(fams, first))
                max_cross, shared_pairs = max(max_cross, block_max), shared_pairs + block_shared
    (out / "corpus.jsonl.tmp").rename(out / "corpus.jsonl")
    (out / "truth.jsonl.tmp").rename(out / "truth.jsonl")
    meta = {"docs": docs, "seed": seed, "bytes": total_bytes, "families": n_fam,
            "block_docs": BLOCK_DOCS, "vocab_size": VOCAB_SIZE, "kinds": KINDS,
            "seconds": round(time.perf_counter() - started, 2)}
    if check:
        meta["unrelated_check"] = {"max_cross_family_jaccard": round(max_cross, 5),
                                   "cross_family_pairs_sharing_a_5gram": shared_pairs,
                                   "scope": "all pairs within each block"}
    (out / "meta.json").write_text(json.dumps(meta, indent=1))
    return meta


def _slots(fams: list[dict], first: int) -> list[dict]:
    return [{"slots": [int(i[1:]) - first for i in fam["ids"]]} for fam in fams]


def doc_id(index: int) -> str:
    return f"d{index:07d}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--check-unrelated", action="store_true",
                        help="verify no cross-family pair of a block reaches J 0.8 (slower)")
    args = parser.parse_args(argv)
    print(json.dumps(generate(args.docs, args.out, seed=args.seed, check=args.check_unrelated)))


if __name__ == "__main__":
    main()
