"""Peak-memory estimates of the Transformer tasks (checked against a job's mem_mb before any job runs; the `paper`
profile's plan for one 141 GB GPU). Pure Python: the workflow imports it when it builds the DAG.

Per net (float32): the parameters P, their gradient and update, Adam's two moments: 5 P numbers; the activations
one training step keeps for its backward pass, per token: about 18 d per block (the residual stream, q, k, v, the
attention and FFN outputs, the 4 d FFN pre- and post-activation, the LayerNorms) plus the attention logits and
weights (2 H S), and the logits and their softmax (2 x 256). Every net of a program is resident at once (one vmapped
program per width, or, where `program_memory_mb` is set, programs of as many nets as it holds), and the training
windows (inputs as float32, targets as int32) once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

VOCAB = 256
OVERHEAD_MB = 1000.0  # the runtime, compiled code and XLA's scratch buffers


def params(width: int, layers: int, seq: int) -> int:
    """The number of parameters of the net (`transformer.param_shapes`)."""
    d = width
    per_block = 4 * d * d + 2 * 4 * d * d + 4 * d + d + 4 * d  # attention, FFN kernels, FFN biases, two LayerNorms
    return VOCAB * d + seq * d + layers * per_block + 2 * d + d * VOCAB + VOCAB


def net_bytes(width: int, layers: int, heads: int, seq: int, batch: int) -> float:
    """Bytes of one net in training: 5 P numbers and one step's activations."""
    tokens = batch * seq
    activations = tokens * (layers * (18 * width + 2 * heads * seq) + 2 * VOCAB + width)
    return 4.0 * (5 * params(width, layers, seq) + activations)


def nets_per_program(config: Mapping[str, Any], width: int) -> int:
    """How many nets of `width` one program may train at once: as many as `program_memory_mb` holds (at least
    one), unbounded where it is null."""
    if config.get("program_memory_mb") is None:
        return 2**62
    per_net = net_bytes(width, config["layers"], config["heads"], config["seq"], config["batch"])
    return max(1, int(config["program_memory_mb"] * 2**20 // per_net))


def _data_bytes(config: Mapping[str, Any]) -> float:
    chars = 12e6 if config["corpus"] == "wikitext2" else 3.2e6  # WikiText-2's training split; the gensim text
    return 8.0 * chars


def transfer_memory_mb(config: Mapping[str, Any]) -> float:
    """The transfer task's peak (`config`: the group's section): the largest of its programs (the tuning's at the
    base width, each width's)."""
    config = config["transformer"]
    tuning = config["tuning"]
    lrs = {p: hi - lo + 1 for p, (lo, hi) in ((p, config[f"log2_lr_offsets_{p}"]) for p in ("sp", "mup"))}
    programs = [
        (config["base_width"],
         len(tuning["readout_mults"]) * len(tuning["attn_mults"]) * (tuning["log2_lr_max"] - tuning["log2_lr_min"] + 1)
         * tuning["seeds"]),
        *((w, sum(lrs.values()) * config["seeds"]) for w in config["widths"]),
    ]  # fmt: skip
    peak = max(
        min(nets, nets_per_program(config, w))
        * net_bytes(w, config["layers"], config["heads"], config["seq"], config["batch"])
        for w, nets in programs
    )
    return (peak + _data_bytes(config)) / 2**20 + OVERHEAD_MB


def coordcheck_memory_mb(config: Mapping[str, Any]) -> float:
    """The coordinate check's peak: its widest program (SP and muP, one seed at a time), with the tracked
    activations of every step (`config`: the group's section)."""
    config = config["transformer_coordcheck"]
    width, nets = max(config["widths"]), 2
    tracked = (
        config["batch"] * config["seq"] * (config["layers"] * (width + config["heads"] * config["seq"]) + width + VOCAB)
    )
    per_net = net_bytes(width, config["layers"], config["heads"], config["seq"], config["batch"])
    per_net += 4.0 * (config["steps"] + 1) * tracked
    return (nets * per_net + _data_bytes(config)) / 2**20 + OVERHEAD_MB
