"""Exact repeated spans across documents, with a suffix array (Lee et al. 2021).

Why tokens, not bytes: each document becomes the sequence of its word tokens
(the same tokens, NFKC + case folding, as the `nearcopy dedup` shingles), each
token hash mapped to a dense id, documents joined with a unique separator id
each. `min_span` then counts words whatever the spacing or case, and spans
never cross a document. libdivsufsort (pydivsufsort) sorts bytes, so the ids
are written as fixed-width big-endian bytes (3 bytes below 2**24 ids) and only
the suffixes at token-aligned offsets are kept: their byte order is their token
order. LCPs come from pydivsufsort's Kasai.

A k-gram class (k = min_span) is a run of suffix-array rows with LCP >= k; it
counts if its occurrences lie in 2+ different documents (a repeat inside one
document only is the cleaner's business, not reported), and then lists every
occurrence, also repeats within a document. Consecutive classes whose
occurrence sets are the same set shifted by one token are chained into one
span of k + chain - 1 tokens: a span is a maximal run with a constant
occurrence set, so spans may overlap where the set changes.

Sharding (corpus larger than memory): documents go to disk in shards of at
most `shard_tokens` tokens. Each shard gets its own suffix array (repeats
inside the shard) and writes its distinct k-token window hashes; a hash-range
partitioned merge finds hashes in 2+ shards. Classes with such a hash are
dropped from the shard results and found instead, complete and confirmed
token by token, by one more suffix array over the regions of every shard
that such windows cover. The result equals the unsharded one.

Limits: one shard (~`BYTES_PER_TOKEN` bytes of RAM per token) and the
cross-shard regions must fit in memory, and so must the repeated occurrences
(16 bytes each); a highly duplicated corpus makes the region pass as large as
its duplicated part. Shards hold < 2**31 / 3 tokens (32-bit suffix arrays).
"""

from nearcopy.dedup.spans.finder import (BYTES_PER_TOKEN, DEFAULT_MIN_SPAN, SpanFinder,
                                         SpanParams, find_spans)
from nearcopy.dedup.spans.suffix import SpanIndex, suffix_array
from nearcopy.dedup.spans.tokens import token_offsets, tokenize_texts

__all__ = ["BYTES_PER_TOKEN", "DEFAULT_MIN_SPAN", "SpanFinder", "SpanIndex", "SpanParams",
           "find_spans", "suffix_array", "token_offsets", "tokenize_texts"]
