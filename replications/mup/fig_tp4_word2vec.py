"""TP4 §9's Word2Vec figure: muP nets get closer to the exact infinite-width muP limit as width grows, while the NTK
limit of the same model learns nothing.

Four panels. (a) Word-analogy accuracy (3CosAdd) and (b) WordSim-353 Spearman correlation against width: finite
muP nets (mean over seeds, 95 % Student-t interval), the muP limit (solid line) and the NTK limit (dashed: chance
1/V and correlation 0, by definition, since its embeddings are exactly orthogonal), frozen random embeddings of the
frozen width as a finite check of the NTK limit (grey diamond), and as a contrast the standard parametrization (SP:
both tables random with fan-in variance, logits <h, v>, the same learning rate; orange triangles, mean of its
seeds). (c) The mean |cosine - limit's cosine| over the
most frequent words' pairs against width, per seed and its mean, with the n^(-1/2) slope for reference and the
fitted slope (claim mup.tp4.w2v_convergence_slope); dashed, the untrained control: the same distance at
initialization, where the limit's cosines are all 0 and the finite net's are random, of size n^(-1/2), which
falls like n^(-1/2) with no training at all; dash-dotted, the learned part alone: the same distance between the
cosines of the displacements from initialization, u - u0 (the limit's: A - I), so that the convergence of what
was learned is seen apart from the random start. (d) For reference, TP4's
own numbers on text8 (CBOW, epoch 15, read off the authors' figure).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from replications.core.plotting import save_figure, set_theme, width_log_axes
from replications.core.provenance import read_table
from replications.core.stats import per_seed_loglog_slopes, t_interval, wilson_interval
from replications.mup.paper import TP4_TEXT8_ANALOGY, TP4_TEXT8_SOURCE

LIMIT = {"color": "C3", "lw": 2}
NTK = {"color": "C7", "lw": 1.5, "ls": "--"}


def _sp_points(ax: plt.Axes, sp, column: str, scale: float = 1.0) -> None:
    """The SP nets that trained (mean over their seeds per width), a contrast; diverged ones named in the label."""
    trained = sp[~sp["diverged"].astype(bool)]
    diverged = sorted({int(w) for w in sp.loc[sp["diverged"].astype(bool), "width"]})
    label = f"SP, width $n$, same learning rate (mean of {sp['seed'].nunique()} seeds)" + (
        f"; diverged at $n$ = {', '.join(map(str, diverged))}" if diverged else ""
    )
    means = trained.groupby("width")[column].mean()
    ax.plot(means.index, scale * means.to_numpy(), "^--", color="C1", ms=6, label=label)


def _against_width(ax: plt.Axes, nets, limit, ntk, frozen, column: str, ylabel: str, ntk_label: str,
                   limit_ci: tuple[float, float], scale: float = 1.0, sp=None) -> None:  # fmt: skip
    by_width = nets.groupby("width")[column]
    widths = np.array(sorted(nets["width"].unique()))
    means = scale * by_width.mean().loc[widths].to_numpy()
    intervals = [t_interval(by_width.get_group(w).to_numpy()) or (np.nan, np.nan) for w in widths]
    low, high = scale * np.array(intervals).T
    ax.errorbar(widths, means, yerr=[means - low, high - means], fmt="o-", color="C0", capsize=3,
                label=f"μP, width $n$ (mean, 95 % interval over {nets['seed'].nunique()} seeds)")  # fmt: skip
    ax.axhline(
        scale * limit[column], label="μP limit ($n = \\infty$, exact; band: 95 % interval over the benchmark)", **LIMIT
    )
    ax.axhspan(scale * limit_ci[0], scale * limit_ci[1], color=LIMIT["color"], alpha=0.12, lw=0)
    ax.axhline(scale * ntk[column], label=ntk_label, **NTK)
    if sp is not None and len(sp):
        _sp_points(ax, sp, column, scale)
    if len(frozen):
        ax.plot(frozen["width"].iloc[0], scale * frozen[column].mean(), "D", color="0.5",
                label=f"frozen random embeddings, width {frozen['width'].iloc[0]:g} (NTK's finite check)")  # fmt: skip
    ax.set_xscale("log", base=2)
    ax.set_xlabel("width $n$")
    ax.set_ylabel(ylabel)


def draw(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """The four panels from inputs["tp4_scores"] (and the toy check's table, quoted in the title)."""
    set_theme()
    scores = read_table(inputs["tp4_scores"])
    check = read_table(inputs["tp4_limit_check"]).iloc[0]
    limit = scores[scores["model"] == "mup_limit"].iloc[0]
    ntk = scores[scores["model"] == "ntk_limit"].iloc[0]
    nets = scores[(scores["model"] == "mup") & ~scores["diverged"].astype(bool)]
    frozen = scores[scores["model"] == "frozen_random"]
    sp = scores[scores["model"] == "sp"]
    vocabulary = int(limit["vocabulary_size"])
    fig, axes = plt.subplots(1, 4, figsize=(18, 4.4), gridspec_kw={"width_ratios": [1, 1, 1, 0.8]})

    questions = int(limit["questions_covered"])
    if questions:
        _against_width(axes[0], nets, limit, ntk, frozen, "analogy_accuracy", "analogy accuracy (3CosAdd, %)",
                       "NTK limit: all cosines 0, chance 1/V; WordSim $\\rho$ := 0",
                       wilson_interval(round(limit["analogy_accuracy"] * questions), questions), scale=100,
                       sp=sp)  # fmt: skip
    else:  # a small vocabulary (the smoke profile's) may cover no question: nothing to draw
        axes[0].text(0.5, 0.5, f"the {vocabulary:,}-word vocabulary\ncovers no analogy question", ha="center",
                     va="center", transform=axes[0].transAxes)  # fmt: skip
        axes[0].set_xticks([])
        axes[0].set_yticks([])
    covered = f"{questions:,}" if questions else "none"
    axes[0].set_title(f"(a) analogies: {covered} of {int(limit['questions_total']):,} questions covered")
    _against_width(axes[1], nets, limit, ntk, frozen, "wordsim_spearman", "WordSim-353 Spearman $\\rho$",
                   "NTK limit", (limit["wordsim_ci_low"], limit["wordsim_ci_high"]), sp=sp)  # fmt: skip
    axes[1].set_title(f"(b) WordSim-353: {int(limit['wordsim_covered'])} of 353 pairs covered")
    handles, labels = axes[0 if questions else 1].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize="small", bbox_to_anchor=(0.33, -0.12))

    ax = axes[2]
    for _, rows in nets.groupby("seed"):
        rows = rows.sort_values("width")
        ax.plot(rows["width"], rows["cosine_gap"], "-", color="C0", alpha=0.3, lw=1)
    gaps = nets.groupby("width")["cosine_gap"].mean()
    ax.plot(gaps.index, gaps.to_numpy(), "o", color="C0", label="μP net, trained (mean; lines: seeds)")
    untrained = nets.groupby("width")["untrained_cosine_gap"].mean()
    ax.plot(untrained.index, untrained.to_numpy(), "s--", color="0.5", ms=4,
            label="untrained control: at initialization")  # fmt: skip
    learned = nets.groupby("width")["learned_cosine_gap"].mean()
    ax.plot(learned.index, learned.to_numpy(), "v-.", color="C2", ms=5,
            label="learned part: displacements $u - u_0$")  # fmt: skip
    if len(sp):
        _sp_points(ax, sp, "cosine_gap")
    reference = gaps.iloc[0] * (gaps.index / gaps.index[0]) ** -0.5
    ax.plot(gaps.index, reference, ":", color="k", label="$\\propto n^{-1/2}$")
    slopes = per_seed_loglog_slopes(nets, "cosine_gap")
    ci = t_interval(slopes)
    slope_text = f"slope {np.mean(slopes):.2f}" + (f" [{ci[0]:.2f}, {ci[1]:.2f}]" if ci else "")
    width_log_axes(ax)
    ax.set_ylabel("mean |cos$_n$ − cos$_\\infty$|")
    ax.set_title(f"(c) distance to the limit, top {int(limit['top_words'])} words' pairs")
    ax.text(0.03, 0.04, slope_text.replace("-", "−"), transform=ax.transAxes)
    ax.legend(fontsize="small", loc="best")

    ax = axes[3]
    widths = [int(w) for w in TP4_TEXT8_ANALOGY if w != "limit"]
    ax.plot(widths, [100 * TP4_TEXT8_ANALOGY[str(w)] for w in widths], "o-", color="C0", label="μP, width $n$")
    ax.axhline(100 * TP4_TEXT8_ANALOGY["limit"], label="μP limit", **LIMIT)
    ax.axhline(0.0, label="NTK / NNGP limits (≈ chance)", **NTK)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("width $n$")
    ax.set_ylabel("analogy accuracy (%)")
    ax.set_title("(d) for reference: TP4 on text8")
    ax.text(0.03, 0.45, TP4_TEXT8_SOURCE, transform=ax.transAxes, fontsize="small")
    ax.legend(fontsize="small", loc="lower right")

    epochs = f"{config['epochs']} epoch" + ("s" if config["epochs"] > 1 else "")
    model = (
        "skip-gram, negative sampling: issue 18's model; TP4's is CBOW"
        if config["model"] == "skipgram"
        else f"CBOW, negative sampling, weight decay {config['weight_decay']:g}: TP4's model"
    )
    fig.suptitle(
        f"After TP4 §9: Word2Vec ({model}) in μP on the {config['corpus']} corpus: vocabulary "
        f"{vocabulary:,} (min count {config['min_count']}), {epochs}, {int(limit['examples']):,} "
        f"examples, batches of {config['batch']}; the same examples train every model.\nLimit check: width "
        f"{int(check['width'])} vs the exact limit on a {int(check['vocabulary_size'])}-word toy vocabulary, "
        f"relative logit error {check['relative_logit_error']:.3f}",
        fontsize="medium",
    )
    fig.tight_layout()
    save_figure(fig, outputs["png"])
