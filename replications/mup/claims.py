"""The muP claims, judged from the results tables. Ids and bounds are those registered in issues 6 and 16; never
loosen."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from replications.core.claims import Claim, Estimate, publish
from replications.core.provenance import read_table
from replications.core.stats import jackknife_estimate, per_seed_loglog_slopes, t_interval, wilson_interval
from replications.mup import datasets, measures, optimum, transformer
from replications.mup.abc_space import table_cells_reproduced
from replications.mup.paper import EXPECTED, SHORT

README = Path(__file__).with_name("README.md")
PER_SEED = "Student-t interval over the per-seed values"
JACKKNIFE = "jackknife interval over the seeds"


def _optima_note(sweep, by: str, classes: int = optimum.CLASSES) -> str:
    """What a statement must say about the optima it rests on: seeds whose eta* lies on the grid's edge (excluded
    from the fits) or whose net never trained (excluded), and minima next to a diverged rate (not refined)."""
    found = optimum.optima(sweep, by, classes)
    notes = []
    for flag, text in (
        ("at_edge", "eta* on the grid's edge, excluded"),
        ("unrefined", "eta* next to a diverged rate, not refined"),
    ):
        if found[flag].any():
            notes.append(f"{text} for {by} {sorted(found.loc[found[flag], by].unique().tolist())}")
    if untrained := optimum.untrained(sweep, by, classes):
        margin = f"{optimum.UNTRAINED_FRACTION:g} ln {classes}"
        notes.append(f"never trained (best loss above {margin}), excluded: {by} {untrained}")
    return "".join(f"; {note}" for note in notes)


def _grid(section: Mapping[str, Any]) -> str:
    if "log2_lr_offsets" in section:
        low, high = section["log2_lr_offsets"]
        return f"whole octaves {low:+d}..{high:+d} around the base width's tuned optimum"
    return f"log2 eta in [{section['log2_lr_min']}, {section['log2_lr_max']}] step {section['log2_lr_step']}"


def _transfer_claims(transfer: Mapping[str, Any], sweep) -> list[Claim]:
    """TP5 Fig 3's claims: eta* refined per seed (`optimum`), slopes over all widths, shift, regret, wider better."""
    base, widest = transfer["base_width"], max(transfer["widths"])
    setup = (
        f"widths {min(transfer['widths'])}..{widest}, {transfer['seeds']} seeds, {transfer['steps']} SGD steps on "
        f"{datasets.label(transfer)}, multipliers tuned at width {base}, {_grid(transfer)}; "
        "eta* per seed from the parabola through "
        f"the three grid points around its minimum; {PER_SEED}"
    )
    by = {p: sweep[sweep["parametrization"] == p] for p in ("sp", "mup")}
    note = {p: _optima_note(rows, "width") for p, rows in by.items()}
    rows = [
        ("mup.transfer.mup_shift", "mup_shift", f"|log2 eta*({widest}) - log2 eta*({base})| under muP; {setup}",
         optimum.shift(by["mup"], "width", base), None, 1.0, "mup"),
        ("mup.transfer.sp_shift", "sp_shift", f"the same under SP; {setup}",
         optimum.shift(by["sp"], "width", base), 1.0, None, "sp"),
        ("mup.transfer.mup_slope", "transfer_mup_slope", f"slope of log2 eta* against log2 width, muP; {setup}",
         optimum.slope(by["mup"], "width"), -0.25, 0.25, "mup"),
        ("mup.transfer.sp_slope", "transfer_sp_slope", f"the same, SP; {setup}",
         optimum.slope(by["sp"], "width"), -1.3, -0.3, "sp"),
        ("mup.transfer.mup_regret", "mup_regret",
         f"muP: the width-{widest} net's loss at the base width's eta* minus its own best (nats); {setup}",
         optimum.regret(by["mup"], "width", base), None, 0.03, "mup"),
        ("mup.transfer.sp_regret", "sp_regret",
         f"the same under SP, a diverged net counting as ln 10; {setup}",
         optimum.regret(by["sp"], "width", base), 0.05, None, "sp"),
        ("mup.transfer.wider_better", "wider_better",
         f"fraction of consecutive width pairs in which the muP loss at its own eta* falls as width grows; {setup}",
         optimum.wider_better(by["mup"]), 0.75, None, "mup"),
    ]  # fmt: skip
    return [
        Claim(claim_id, SHORT["tp5_transfer"], text + note[p], EXPECTED[key].value, value, lo, hi,
              "fig3_mlp_transfer", kind="evidence")
        for claim_id, key, text, value, lo, hi, p in rows
    ]  # fmt: skip


def _depth_claims(depth: Mapping[str, Any], sweep) -> list[Claim]:
    """TP6 Fig 10's claims, from the base depth to the deepest depth that trains in every seed."""
    base = depth["base_depth"]
    by = {b: sweep[sweep["block"] == b] for b in ("depth_mup", "branch_only", "standard")}
    setup = (
        f"width {depth['width']}, depths {min(depth['depths'])}..{max(depth['depths'])}, base depth {base}, "
        f"{depth['seeds']} seeds, {depth['steps']} Adam steps on MNIST-1D, {_grid(depth)}; eta* per seed from the "
        f"parabola through the three grid points around its minimum; {PER_SEED}"
    )

    def to_deepest(block: str) -> str:
        return f"|log2 eta*(L = {optimum.deepest_trained(by[block], 'depth'):g}) - log2 eta*(L = {base})|"

    rows = [
        ("mup.depth.depthmup_shift", "depthmup_shift", f"{to_deepest('depth_mup')} under Depth-muP; {setup}",
         optimum.shift(by["depth_mup"], "depth", base), None, 1.0, "depth_mup"),
        ("mup.depth.standard_shift", "standard_shift", f"{to_deepest('standard')}, standard block; {setup}",
         optimum.shift(by["standard"], "depth", base), 1.0, None, "standard"),
        ("mup.depth.blocks_only_shift", "blocks_only_shift",
         f"{to_deepest('branch_only')}, branch multiplier 1/sqrt(L) without the learning-rate rule (alpha = 1/2, "
         f"gamma = 0); {setup}", optimum.shift(by["branch_only"], "depth", base), 1.0, None, "branch_only"),
        ("mup.depth.depthmup_slope", "depthmup_slope",
         f"slope of log2 eta* against log2 depth, Depth-muP, depths >= {base}; {setup}",
         optimum.slope(by["depth_mup"][by["depth_mup"]["depth"] >= base], "depth"), -0.3, 0.3, "depth_mup"),
    ]  # fmt: skip
    return [
        Claim(claim_id, SHORT["tp6_depth"], text + _optima_note(by[block], "depth"), EXPECTED[key].value, value,
              lo, hi, "fig_depth_transfer", kind="evidence")
        for claim_id, key, text, value, lo, hi, block in rows
    ]  # fmt: skip


def _transformer_claims(section: Mapping[str, Any], coord: Mapping[str, Any], sweep, deltas) -> list[Claim]:
    """TP5 Fig 1's claims (eta* refined per seed, nats per byte: never trained = above 0.95 ln 256) and the
    Transformer's coordinate check under Adam (TP5 Fig 5)."""
    base, widest = section["base_width"], max(section["widths"])
    setup = (
        f"byte-level Transformer ({section['layers']} layers, {section['heads']} heads, "
        f"{'pre' if section['pre_ln'] else 'post'}-LN), widths {min(section['widths'])}..{widest}, base {base}, "
        f"{section['seeds']} seeds with common random numbers, {section['steps']} Adam steps of batch "
        f"{section['batch']} x {section['seq']} bytes ({section['corpus']}), readout and attention multipliers tuned "
        f"at width {base}; whole-octave grids {section['log2_lr_offsets_sp']} (SP) and "
        f"{section['log2_lr_offsets_mup']} (muP) around the tuned rate; eta* per seed from the parabola through the "
        f"three grid points around its minimum; {PER_SEED}"
    )
    classes = transformer.VOCAB
    by = {p: sweep[sweep["parametrization"] == p] for p in ("sp", "mup")}
    note = {p: _optima_note(rows, "width", classes) for p, rows in by.items()}
    rows = [
        ("mup.tfm.sp_slope", "tfm_sp_slope", f"slope of the refined log2 eta* against log2 width, SP; {setup}",
         optimum.slope(by["sp"], "width", classes), -1.3, -0.4, note["sp"]),
        ("mup.tfm.mup_slope", "tfm_mup_slope", f"the same, muP; {setup}",
         optimum.slope(by["mup"], "width", classes), -0.25, 0.25, note["mup"]),
        ("mup.tfm.wider_better", "tfm_wider_better",
         f"fraction of consecutive width pairs in which the muP loss at its own eta* falls as width grows; {setup}",
         optimum.wider_better(by["mup"], classes), 0.66, None, note["mup"]),
        ("mup.tfm.mup_beats_sp", "tfm_mup_beats_sp",
         f"muP's best loss at width {widest} minus SP's best loss at any width (nats per byte; the paper's dashed "
         f"line), within each seed; {setup}",
         optimum.beats(sweep, "mup", "sp", classes), None, 0.0, note["sp"] + note["mup"]),
    ]  # fmt: skip
    claims = [
        Claim(claim_id, SHORT["tp5_fig1"], text + extra, EXPECTED[key].value, value, lo, hi,
              "fig1_transformer_transfer", kind="evidence")
        for claim_id, key, text, value, lo, hi, extra in rows
    ]  # fmt: skip
    wide = 1024 if 1024 in coord["widths"] else max(coord["widths"])
    narrow = 64 if 64 in coord["widths"] and wide > 64 else min(coord["widths"])
    coord_setup = (
        f"{coord['seeds']} seeds, Adam at eta = {coord['learning_rate']:g} on one batch of {coord['batch']} x "
        f"{coord['seq']} bytes, readout multiplier {coord['readout_mult']:g}, attention multiplier "
        f"{coord['attn_mult']:g}, base width {coord['base_width']}; {JACKKNIFE}"
    )
    claims += [
        Claim(
            "mup.tfm.coord_ratio",
            SHORT["tp5_coord"],
            f"muP, Adam: largest max(q, 1/q) over the tracked activations (token embedding output, each block's "
            f"attention logits and output, the logits) and steps 1-3, q = mean |Delta a| at width {wide} over width "
            f"{narrow} (activations that have not moved at either width left out); {coord_setup}",
            EXPECTED["tfm_coord_ratio"].value,
            jackknife_estimate(
                deltas,
                lambda rows: measures.coord_ratio(
                    rows, parametrization="mup", optimizer="adam", wide=wide, narrow=narrow, steps=(1, 2, 3)
                ),
                lowest=1.0,
            ),
            None,
            1.5,
            "fig_transformer_coordcheck",
            kind="evidence",
        ),
        Claim(
            "mup.tfm.sp_logit_growth",
            SHORT["tp5_coord"],
            f"SP, Adam: mean |Delta logits| at step 2, width {wide} over width {narrow}; {coord_setup}",
            EXPECTED["tfm_sp_logit_growth"].value,
            jackknife_estimate(
                deltas,
                lambda rows: measures.logit_growth(
                    rows, parametrization="sp", optimizer="adam", wide=wide, narrow=narrow, step=2
                ),
                lowest=0.0,
            ),
            4.0,
            None,
            "fig_transformer_coordcheck",
            kind="evidence",
        ),
    ]
    return claims


_W2V_MODEL = {"skipgram": "skip-gram (issue 18's model; TP4's is CBOW)", "cbow": "CBOW (TP4's model)"}


def _shifted(interval: tuple[float, float] | None, by: float) -> tuple[float, float] | None:
    """An interval moved down by `by` (None stays None)."""
    return None if interval is None else (float(interval[0] - by), float(interval[1] - by))


def _defined(interval: tuple[float, float]) -> tuple[float, float] | None:
    """The interval, or None where it is not defined (NaN ends)."""
    return None if any(np.isnan(end) for end in interval) else (float(interval[0]), float(interval[1]))


def _tp4_claims(tp4: Mapping[str, Any], scores, check) -> list[Claim]:
    """TP4 §9's Word2Vec claims (issue 18): the muP limit against the NTK limit and the widest net, the finite nets'
    convergence to the limit, and the toy check of the limit. Diverged nets are excluded and named. The statements
    give the counts behind the accuracies (correct answers out of the covered questions), so that a reader sees how
    little a small corpus's analogy accuracies rest on."""
    limit = scores[scores["model"] == "mup_limit"].iloc[0]
    ntk = scores[scores["model"] == "ntk_limit"].iloc[0]
    nets = scores[scores["model"] == "mup"]
    diverged = nets[nets["diverged"].astype(bool)]
    nets = nets[~nets["diverged"].astype(bool)]
    widest = nets[nets["width"] == max(tp4["widths"])]
    vocabulary, questions = int(limit["vocabulary_size"]), int(limit["questions_covered"])
    pairs = int(limit["wordsim_covered"])
    text = "text8" if tp4["corpus"] == "text8" else "words cleaned by text8's rules"
    setup = (
        f"{tp4['corpus']} corpus ({int(limit['tokens']):,} {text}), vocabulary {vocabulary:,} words of >= "
        f"{tp4['min_count']} occurrences, {questions:,} of {int(limit['questions_total']):,} analogy questions and "
        f"{pairs} of 353 WordSim pairs covered; {_W2V_MODEL[tp4['model']]}, weight decay {tp4['weight_decay']:g}, "
        f"window {tp4['window']}, {tp4['negatives']} negatives, subsampling {tp4['subsample']:g}, "
        f"{tp4['epochs']} epoch(s), {int(limit['examples']):,} examples in batches of {tp4['batch']} summed, SGD "
        f"rate {tp4['learning_rate']:g} decaying linearly; the same examples for every model; the limit: two "
        f"{vocabulary} x {vocabulary} float32 matrices ({limit['limit_bytes'] / 2**20:,.0f} MiB; its training time "
        "is in the job's log, the job's in BENCHMARKS.md)"
    )
    if len(diverged):
        setup += f"; diverged, excluded: width/seed {list(zip(diverged['width'], diverged['seed'], strict=True))}"
    seeds = f"{len(widest)} seeds (initial embeddings), Student-t interval over the per-seed differences"
    limit_correct = round(limit["analogy_accuracy"] * questions)
    widest_correct = ", ".join(str(round(a * questions)) for a in widest["analogy_accuracy"])
    accuracy_ci = wilson_interval(limit_correct, questions) if questions else None
    slopes = per_seed_loglog_slopes(nets, "cosine_gap")
    gap_means = nets.groupby("width")["cosine_gap"].mean()
    toy = check.iloc[0]
    wordsim_ci = _defined((limit["wordsim_ci_low"], limit["wordsim_ci_high"]))
    rows = [
        ("mup.tp4.w2v_limit_vs_ntk", "w2v_limit_vs_ntk",
         f"WordSim-353 Spearman correlation of the muP limit's input embeddings over the {pairs} covered pairs "
         "minus the NTK limit's (0 by definition: its cosines are all 0); interval: BCa bootstrap over those "
         f"{pairs} pairs; {setup}",
         Estimate(limit["wordsim_spearman"] - ntk["wordsim_spearman"], wordsim_ci, pairs),
         0.1, None, "evidence"),
        ("mup.tp4.w2v_limit_vs_widest", "w2v_limit_vs_widest",
         f"analogy accuracy (3CosAdd) of the muP limit minus that of the width-{max(tp4['widths'])} muP net: "
         f"{limit_correct} correct answers for the limit, {widest_correct} for the seeds of the widest net, out of "
         f"{questions:,} covered questions (where every accuracy is below 1 %, the bound -0.01 cannot fail: weak "
         f"evidence); {seeds}; {setup}",
         Estimate(limit["analogy_accuracy"] - widest["analogy_accuracy"].mean(),
                  t_interval(limit["analogy_accuracy"] - widest["analogy_accuracy"]), len(widest)),
         -0.01, None, "evidence"),
        ("mup.tp4.w2v_limit_vs_ntk_analogy", "w2v_limit_vs_ntk_analogy",
         f"analogy accuracy of the muP limit ({limit_correct} correct of {questions:,} covered questions) minus the "
         f"NTK limit's (chance, 1/V = {1 / vocabulary:.2g}, about {questions / vocabulary:.1f} correct by chance); "
         f"interval: Wilson over the {questions:,} questions; {setup}",
         Estimate(limit["analogy_accuracy"] - ntk["analogy_accuracy"], _shifted(accuracy_ci, ntk["analogy_accuracy"]),
                  questions),
         0.005, None, "evidence"),
        ("mup.tp4.w2v_convergence_slope", "w2v_convergence_slope",
         "log-log slope against width (" + ", ".join(f"{w:g}" for w in gap_means.index) + ") of the mean |cosine "
         f"of the finite muP net - cosine of the limit| over the pairs of the {int(limit['top_words'])} most "
         f"frequent words (mean gap " + " -> ".join(f"{g:.3g}" for g in gap_means) + f"); {len(slopes)} seeds, "
         "Student-t interval over the per-seed slopes; " + setup,
         Estimate(float(np.mean(slopes)), t_interval(slopes), len(slopes)), -0.8, -0.3, "evidence"),
        ("mup.tp4.limit_check", "limit_check",
         f"relative Frobenius error of the width-{int(toy['width'])} muP net's logits after training against the "
         f"exact limit's (whose logits have root mean square {toy['limit_logit_rms']:.3g}), on a toy vocabulary "
         f"(the {int(toy['vocabulary_size'])} most frequent words, {int(toy['tokens']):,} tokens, "
         f"{int(toy['examples']):,} examples in batches of {tp4['toy']['batch']}), one seed",
         Estimate(float(toy["relative_logit_error"])), None, 0.05, "check"),
    ]  # fmt: skip
    return [
        Claim(claim_id, SHORT["tp4_word2vec"], text, EXPECTED[key].value, value, lo, hi, "fig_tp4_word2vec", kind=kind)
        for claim_id, key, text, value, lo, hi, kind in rows
    ]


def evaluate(config: Mapping[str, Any], inputs: Mapping[str, Path]) -> list[Claim]:
    """Every muP claim with its measurement from the tables in `inputs`."""
    coord, maxlr, transfer, depth = (config[k] for k in ("coordcheck", "maxlr", "transfer", "depth"))
    deltas = read_table(inputs["coordcheck_deltas"])
    edges = read_table(inputs["maxlr"])
    edges = edges[edges["multipliers"] == maxlr["multiplier_sets"][0]["name"]]
    widths_sweep = read_table(inputs["transfer_losses"])
    depths_sweep = read_table(inputs["depth_losses"])
    wide, narrow = measures.coord_widths(coord["widths"])
    resolution = maxlr["log2_lr_step"] / (maxlr["refinements"] + 1)
    maxlr_setup = (
        f"widths {min(maxlr['widths'])}..{max(maxlr['widths'])}, {maxlr['steps']} SGD steps, "
        f"{datasets.label(maxlr)}; interval: the "
        f"range of slopes the grid's resolution ({resolution:g} octave) allows, a rate stable when all "
        f"{maxlr['seeds']} seeds are"
    )
    return [
        Claim(
            "mup.abc.table_cells",
            SHORT["tp4_table"],
            "cells of TP4 Table 1 (r, stable, nontrivial, feature learning, kernel regime x SP with LR 1/n, NTP, "
            "MFP, muP) reproduced exactly from the conditions, of 20",
            EXPECTED["table_cells"].value,
            Estimate(float(table_cells_reproduced(read_table(inputs["abc_table"])))),
            20.0,
            20.0,
            "tab_abc",
            kind="check",
        ),
        Claim(
            "mup.coord.mup_ratio",
            SHORT["tp5_coord"],
            f"muP, SGD: largest max(q, 1/q) over layers and steps 1-3, q = mean |Delta h| at width {wide} over "
            f"width {narrow} ({coord['seeds']} seeds, {JACKKNIFE}; layers that have not moved at either width left "
            "out)",
            EXPECTED["mup_ratio"].value,
            jackknife_estimate(
                deltas,
                lambda rows: measures.coord_ratio(
                    rows, parametrization="mup", optimizer="sgd", wide=wide, narrow=narrow, steps=(1, 2, 3)
                ),
                lowest=1.0,
            ),
            None,
            1.5,
            "fig_coordcheck",
            kind="evidence",
        ),
        Claim(
            "mup.coord.mup_ratio_adam",
            SHORT["tp5_coord"],
            f"muP, Adam: largest max(q, 1/q) over layers and steps 1-3, q = mean |Delta h| at width {wide} over "
            f"width {narrow} ({coord['seeds']} seeds, Adam at eta = {coord['adam_learning_rate']:g}, {JACKKNIFE}; "
            "layers that have not moved at either width left out)",
            EXPECTED["mup_ratio_adam"].value,
            jackknife_estimate(
                deltas,
                lambda rows: measures.coord_ratio(
                    rows, parametrization="mup", optimizer="adam", wide=wide, narrow=narrow, steps=(1, 2, 3)
                ),
                lowest=1.0,
            ),
            None,
            1.5,
            "fig_coordcheck",
            kind="evidence",
        ),
        Claim(
            "mup.coord.sp_logit_growth",
            SHORT["tp5_coord"],
            f"SP, SGD: mean |Delta logits| at step 2, width {wide} over width {narrow}; {coord['seeds']} seeds, "
            + JACKKNIFE,
            EXPECTED["sp_logit_growth"].value,
            jackknife_estimate(
                deltas,
                lambda rows: measures.logit_growth(
                    rows, parametrization="sp", optimizer="sgd", wide=wide, narrow=narrow, step=2
                ),
                lowest=0.0,
            ),
            4.0,
            None,
            "fig_coordcheck",
            kind="evidence",
        ),
        Claim(
            "mup.maxlr.sp_slope",
            SHORT["tp4_maxlr"],
            f"log-log slope of the largest stable learning rate against width, SP; {maxlr_setup}",
            EXPECTED["sp_slope"].value,
            measures.maxlr_slope_estimate(edges, "sp", resolution, maxlr["seeds"]),
            -1.3,
            -0.5,
            "fig_maxlr",
            kind="evidence",
        ),
        Claim(
            "mup.maxlr.mup_slope",
            SHORT["tp4_maxlr"],
            f"the same under muP; {maxlr_setup}",
            EXPECTED["mup_slope"].value,
            measures.maxlr_slope_estimate(edges, "mup", resolution, maxlr["seeds"]),
            -0.3,
            0.3,
            "fig_maxlr",
            kind="evidence",
        ),
        *_transfer_claims(transfer, widths_sweep),
        *_depth_claims(depth, depths_sweep),
        *_transformer_claims(
            config["transformer"],
            config["transformer_coordcheck"],
            read_table(inputs["transformer_losses"]),
            read_table(inputs["transformer_coord_deltas"]),
        ),
        *_tp4_claims(config["tp4"], read_table(inputs["tp4_scores"]), read_table(inputs["tp4_limit_check"])),
    ]


def write(config: Mapping[str, Any], inputs: Mapping[str, Path], outputs: Mapping[str, Path]) -> None:
    """figures/mup/claims.json (and, for the default profile, the README's claims block)."""
    publish(outputs["claims"], "mup", config["profile"], evaluate(config, inputs), README)
