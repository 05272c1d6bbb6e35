"""The short summary a batch command prints when it finishes."""

from __future__ import annotations

import click


def print_summary(summary: dict, out_dir) -> None:
    docs = summary["documents"]
    by = ", ".join(f"{k} {v:,}" for k, v in sorted(summary["removed_by_method"].items()))
    skipped = sum(summary["skipped"].values())
    total = summary["total"]
    noun = "document" if docs["read"] == 1 else "documents"
    click.echo(f"read {docs['read']:,} {noun}"
               + (f" ({skipped:,} bad record{'s' * (skipped != 1)} skipped: see stats.json)"
                  if skipped else ""), err=True)
    click.echo(f"kept {docs['kept']:,}, removed {docs['removed']:,}" + (f" ({by})" if by else "")
               + f", {docs['clusters']:,} clusters", err=True)
    rate = f" at {total['mb_per_s']:.1f} MB/s" if total["mb"] >= 1 and total["mb_per_s"] else ""
    click.echo(f"{total['seconds']:.1f} s, {total['mb']:.2f} MB{rate} -> {out_dir}/", err=True)
