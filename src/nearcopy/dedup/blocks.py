"""Exact verification in blocks of candidate components, so the full sets of only one
block are in memory at a time.

A candidate component is a connected component of the candidate-pair graph (LSH and
containment candidates). Verified links and the clusters built from them never leave
a candidate component, and neither do the (document, representative) pairs whose
similarity the outputs report. So each block of whole components is verified,
clustered and labelled with its own sets, which are then dropped: each document's
set is made once, and the memory held is one block's sets instead of every
candidate's (about 0.4 GB per million documents, issue #4).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from nearcopy.dedup import cluster
from nearcopy.dedup.arrays import sorted_unique

#: collapsed-text bytes of the documents whose sets one block holds (their sets take
#: about two thirds of that as uint32 values; 8 MB held 100k-document peak RSS to 145 MB,
#: 24 MB to 177 MB, with no measurable change in time)
DEFAULT_BLOCK_BYTES = 8 << 20


@dataclass
class Block:
    """Documents (sorted), the candidate pairs and containment candidates among them."""

    docs: np.ndarray
    pairs: np.ndarray      # indices into the candidate pair arrays
    c_pairs: np.ndarray    # indices into the containment candidate arrays


def candidate_blocks(num_docs: int, lengths: np.ndarray, left: np.ndarray, right: np.ndarray,
                     c_left: np.ndarray, c_right: np.ndarray,
                     block_bytes: int = DEFAULT_BLOCK_BYTES) -> Iterator[Block]:
    """Whole candidate components, packed in index order of their labels into blocks of
    about `block_bytes` of text (a larger component is a block of its own)."""
    all_left, all_right = np.concatenate([left, c_left]), np.concatenate([right, c_right])
    if all_left.size == 0:
        return
    labels = cluster.components(num_docs, all_left, all_right)
    docs = sorted_unique(np.concatenate([all_left, all_right]))
    docs = docs[np.argsort(labels[docs], kind="stable")]
    doc_labels = labels[docs]
    starts = np.flatnonzero(np.r_[True, doc_labels[1:] != doc_labels[:-1]])
    cost = np.cumsum(lengths[docs], dtype=np.int64)
    before = np.r_[0, cost[:-1]][starts]  # text of the components before each one
    comp_block = np.unique(before // max(block_bytes, 1), return_inverse=True)[1]
    doc_block = np.repeat(comp_block, np.diff(np.r_[starts, docs.size]))
    block_of = np.full(num_docs, -1, dtype=np.int64)
    block_of[docs] = doc_block
    pair_groups = _group(block_of[left], comp_block.max() + 1)
    c_groups = _group(block_of[c_left], comp_block.max() + 1)
    doc_groups = _group(doc_block, comp_block.max() + 1)
    del labels, block_of  # two arrays per corpus document: not held while blocks are verified
    for b in range(comp_block.max() + 1):
        yield Block(np.sort(docs[doc_groups[b]]), pair_groups[b], c_groups[b])


def _group(keys: np.ndarray, count: int) -> list[np.ndarray]:
    """Indices of `keys` split by key value 0..count-1 (each part in index order)."""
    order = np.argsort(keys, kind="stable")
    bounds = np.searchsorted(keys[order], np.arange(count + 1))
    return [order[bounds[b]:bounds[b + 1]] for b in range(count)]
