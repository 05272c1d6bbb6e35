"""What a parent process runs before its local workers fork, so they inherit it loaded.

The compiled kernels, the language model, the normalisers' tables, the line gate's
prefix sets: each is loaded or built on first use. Used once in the parent, they are in
every forked worker's memory from the start; otherwise each worker loads them again for
itself (~0.4 s a worker for a cleaner on news_copies; issue #3).

ftfy is left out: only a text with mojibake reaches it (no page of news_copies), and
its import is 0.1 s of serial start-up. A worker that meets mojibake imports it then,
while the others go on.
"""

from __future__ import annotations

from nearcopy.document import Document

#: besides ASCII prose, lines that reach the lazily loaded parts: accents, typographic
#: punctuation and a bullet (non-ASCII line rules), another script
WARM_UP = ("Warm-up text: the compiled kernels, the language model and the lazily built "
           "tables load here, once, before the workers fork.\n"
           "Caf\u00e9 cr\u00e8me, na\u00efve fa\u00e7ade \u2013 \u201cquoted\u201d "
           "text\u2026\n"
           "\u2022 \u65b0\u95fb\u6807\u9898 \u66f4\u591a [\u8be6\u7ec6]\n"
           "Home > News > World")


def warm_up(cleaner=None, sketch_params=None, sample_mod: int = 0) -> None:
    """Clean and/or sketch the warm-up text in this process (results are thrown away)."""
    if sketch_params is not None:
        from nearcopy.dedup.sketch import sketch_texts

        sketch_texts([WARM_UP], sketch_params, keep_sets=True, sample_mod=sample_mod)
    if cleaner is not None:
        cleaner.clean(Document("warm-up", WARM_UP))
