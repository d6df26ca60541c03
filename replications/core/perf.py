"""A compute job's performance record, and the machine's limits to compare it with.

    with perf.recording("results/mup/benchmarks/transfer.perf.json"):   # python -m replications ... --perf PATH
        ...                                                               # the task: its programs count their FLOPs

Compile time: the seconds of JAX's monitoring events for tracing, lowering to MLIR and XLA's backend compile
(`COMPILE_EVENTS`), summed over the job; with the persistent compilation cache (`enable_compilation_cache`), a
program found there costs its retrieval instead of its compile.

FLOPs: XLA's cost analysis counts the body of a loop once, not times its trip count, so a program that scans T
training steps cannot be costed whole. The training loops cost one step of one net instead (`step_flops`: the HLO
cost analysis of the lowered, unoptimized step, 2 M N K for an (M x K) @ (K x N) product, one per elementwise
operation, with every `lax.scan` inside the step counted as many times as it runs) and `add_flops` that number
times steps x nets. A job whose programs count nothing reports no FLOPs.

Machine: `gemm_rate`, the float32 rate of a jitted (2048 x 2048) @ (2048 x 2048) product (2 x 2048^3 FLOPs), the
roof a job's FLOP rate is read against; `memory_budget_bytes`, what one program may hold (the sweeps' chunking);
`one_cpu_device_per_core`, the CPU backend as one device per core, which the sweeps split their nets over.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import jax
import jax.extend
import jax.numpy as jnp
from jax._src import core as jax_core  # jaxpr_as_fun, jaxprs_in_params: the walk over scans

COMPILE_EVENTS = (
    "/jax/core/compile/jaxpr_trace_duration",
    "/jax/core/compile/jaxpr_to_mlir_module_duration",
    "/jax/core/compile/backend_compile_duration",
)
BACKEND_COMPILE_EVENT = COMPILE_EVENTS[-1]
CACHE_ENV = "REPLICATIONS_JAX_CACHE"  # the persistent compilation cache's folder (set by the workflow)
MEM_MB_ENV = "REPLICATIONS_MEM_MB"  # the job's memory (MB, the rule's mem_mb): a CPU program's budget
DEVICE_MEMORY_FRACTION = 0.8  # of an accelerator's memory, a program's budget where none is configured
GEMM_SIZE = 2048
FORCED_DEVICES_FLAG = "xla_force_host_platform_device_count"  # a user's XLA_FLAGS with it keep their own count


class _Counters:
    def __init__(self) -> None:
        self.compile_seconds = 0.0
        self.backend_compiles = 0
        self.flops: float | None = None

    def listen(self, event: str, duration: float, **_: object) -> None:
        if event in COMPILE_EVENTS:
            self.compile_seconds += duration
            self.backend_compiles += event == BACKEND_COMPILE_EVENT


_COUNTERS = _Counters()
jax.monitoring.register_event_duration_secs_listener(_COUNTERS.listen)


def add_flops(flops: float) -> None:
    """Count `flops` floating-point operations executed by this job (its programs call this)."""
    _COUNTERS.flops = (_COUNTERS.flops or 0.0) + float(flops)


def step_flops(function: Callable[..., object], *args: object) -> float:
    """FLOPs of one call of `function(*args)` (arrays or ShapeDtypeStructs): XLA's cost analysis of the lowered
    program (no compilation), corrected for the `lax.scan`s inside it (`_scan_correction`: XLA counts a loop body
    once; a residual net's blocks, say, are a scan)."""
    traced = jax.jit(function).trace(*args)  # traced once: the lowering and the scan correction read the same jaxpr
    return float(traced.lower().cost_analysis()["flops"]) + _scan_correction(traced.jaxpr.jaxpr)


def _xla_flops(closed: jax.extend.core.ClosedJaxpr) -> float:
    """XLA's count for a closed jaxpr lowered on its own (its own loops' bodies counted once)."""
    shapes = [jax.ShapeDtypeStruct(aval.shape, aval.dtype) for aval in closed.in_avals]
    return float(jax.jit(jax_core.jaxpr_as_fun(closed)).lower(*shapes).cost_analysis()["flops"])


def _scan_correction(jaxpr: jax_core.Jaxpr) -> float:
    """What XLA's once-per-loop count misses: for each scan of length n and body B in `jaxpr` (at any nesting),
    XLA counts xla(B) where the step runs n x true(B), true(B) = xla(B) + correction(B); so the correction is
    the sum of (n - 1) xla(B) + n correction(B)."""
    missing = 0.0
    for equation in jaxpr.eqns:
        if equation.primitive.name == "scan":
            body, length = equation.params["jaxpr"], equation.params["length"]
            missing += (length - 1) * _xla_flops(body) + length * _scan_correction(body.jaxpr)
        else:
            missing += sum(_scan_correction(sub) for sub in jax_core.jaxprs_in_params(equation.params))
    return missing


@contextmanager
def recording(path: str | os.PathLike) -> Iterator[None]:
    """Write the job's record to `path` (JSON: the block's wall seconds, the process's CPU seconds since it started,
    every thread and the imports included, compile seconds, backend compiles, FLOPs or null) when the block ends
    without an error. (Snakemake's benchmark samples a job's CPU time now and then, and misses what a job does
    after its last sample: the process's own count is exact.)"""
    _COUNTERS.__init__()
    start = time.perf_counter()
    yield
    record = {
        "wall_seconds": time.perf_counter() - start,
        "cpu_seconds": time.process_time(),
        "compile_seconds": _COUNTERS.compile_seconds,
        "backend_compiles": _COUNTERS.backend_compiles,
        "flops": _COUNTERS.flops,
    }
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(record, indent=1) + "\n")


def enable_compilation_cache(directory: str | os.PathLike) -> None:
    """JAX's persistent compilation cache in `directory`: a rerun (or another job) finds a program compiled before
    instead of compiling it again. Entries are keyed by the program's HLO, the compile options, the backend and
    the jax/jaxlib versions, so a changed program or installation misses rather than reuses."""
    jax.config.update("jax_compilation_cache_dir", str(directory))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.5)


def gemm_rate(size: int = GEMM_SIZE, repeats: int = 7) -> float:
    """FLOP/s of a jitted float32 (size x size) @ (size x size) product on the default device, best of `repeats`
    after one call that compiles."""
    a_NxN = jax.random.normal(jax.random.key(0), (size, size), jnp.float32)
    b_NxN = jax.random.normal(jax.random.key(1), (size, size), jnp.float32)
    matmul = jax.jit(jnp.matmul)
    matmul(a_NxN, b_NxN).block_until_ready()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        matmul(a_NxN, b_NxN).block_until_ready()
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best


def one_cpu_device_per_core() -> None:
    """Make JAX's CPU backend one device per core this process may run on, unless the user set a count (XLA_FLAGS'
    FORCED_DEVICES_FLAG, or JAX's own JAX_NUM_CPU_DEVICES) or JAX has started its backends already (a caller in a
    process that ran JAX: its devices stay). Call it before JAX runs anything; it starts no backend itself.

    A program sharded over `jax.devices()` (mup's sweeps: their (variant, learning rate) pairs) then runs one
    shard per core. XLA:CPU's batched products of small nets keep about one core busy, however many there are:
    mup's depth sweep at width 128, alone on 2 cores, took 10.4 s of wall for 13.7 s of CPU on one device, and
    5.1 s for 10.0 s split over two. Programs not sharded still run on device 0, and on an accelerator
    `jax.devices()` are its devices, so neither changes."""
    if FORCED_DEVICES_FLAG in os.environ.get("XLA_FLAGS", "") or "JAX_NUM_CPU_DEVICES" in os.environ:
        return
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        jax.config.update("jax_num_cpu_devices", cores)
    except RuntimeError:  # the backends have started
        pass


def memory_budget_bytes(program_memory_mb: float | None = None) -> float | None:
    """The bytes one program may hold: `program_memory_mb` where given; else DEVICE_MEMORY_FRACTION of an
    accelerator's memory; else (CPU) the job's mem_mb from the environment (MEM_MB_ENV); else None (no limit)."""
    if program_memory_mb is not None:
        return float(program_memory_mb) * 2**20
    device = jax.devices()[0]
    if device.platform != "cpu":
        limit = (device.memory_stats() or {}).get("bytes_limit")
        if limit:
            return DEVICE_MEMORY_FRACTION * float(limit)
    if os.environ.get(MEM_MB_ENV):
        return float(os.environ[MEM_MB_ENV]) * 2**20
    return None
