# The table of every claim of every group (figures/CLAIMS.md) and of every compute job's wall time, CPU time and
# memory (figures/BENCHMARKS.md), both also items of the HTML report (`make report`: `snakemake --report
# report.html`), beside every figure with its caption from workflows/report/<group>/ and the workflow description
# workflows/report/workflow.rst.

from replications.core.config import profile_config_files
from replications.report.benchmarks import ESTIMATE_PROFILE, ESTIMATED_FROM

CLAIMS_FILES = {group: f"{FIGURES}/{group}/claims.json" for group in GROUPS}


rule claims_table:
    """Collect every group's claims.json into one markdown table."""
    input:
        **CLAIMS_FILES,
    output:
        table=report(f"{FIGURES}/CLAIMS.md", caption="report/claims.rst", category="Claims and benchmarks"),
    params:
        io=io_args(CLAIMS_FILES, {"table": f"{FIGURES}/CLAIMS.md"}),
    resources:
        **LIGHT_RESOURCES,
    conda:
        "../envs/replications.yaml"
    log:
        f"{RESULTS}/logs/claims_table.log",
    shell:
        "python -m replications report claims {params.io} > {log} 2>&1"


rule benchmarks_table:
    """Wall time, CPU time and peak memory of every compute job, from their benchmark files, and the machine."""
    input:
        **CLAIMS_FILES,
        results=[GROUP_TARGETS[group] for group in GROUPS],  # after every compute job
        # the paper profile's counts, which only a run of the ESTIMATED_FROM profile scales to (BENCHMARKS.md)
        paper_config=profile_config_files(ESTIMATE_PROFILE) if PROFILE == ESTIMATED_FROM else [],
    output:
        table=report(f"{FIGURES}/BENCHMARKS.md", caption="report/benchmarks.rst", category="Claims and benchmarks"),
    params:
        config=json.dumps(
            {"profile": PROFILE, "benchmark_dirs": {group: f"{RESULTS}/{group}/benchmarks" for group in GROUPS}}
        ),
        io=io_args(CLAIMS_FILES, {"table": f"{FIGURES}/BENCHMARKS.md"}),
    resources:
        **LIGHT_RESOURCES,
    conda:
        "../envs/replications.yaml"
    log:
        f"{RESULTS}/logs/benchmarks_table.log",
    shell:
        "python -m replications report benchmarks --config {params.config:q} {params.io} > {log} 2>&1"
