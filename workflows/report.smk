# The table of every claim of every group (figures/CLAIMS.md) and of every compute job's wall time, CPU time and
# memory (figures/BENCHMARKS.md). `snakemake --report report.html` adds the browsable report, with each figure's
# caption from workflows/report/<group>/.


rule claims_table:
    """Collect every group's claims.json into one markdown table."""
    input:
        **{group: f"{FIGURES}/{group}/claims.json" for group in GROUPS},
    output:
        table=f"{FIGURES}/CLAIMS.md",
    params:
        io=io_args,
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
        **{group: f"{FIGURES}/{group}/claims.json" for group in GROUPS},  # only to run after every group's jobs
    output:
        table=f"{FIGURES}/BENCHMARKS.md",
    params:
        config=json.dumps(
            {"profile": PROFILE, "benchmark_dirs": {group: f"{RESULTS}/{group}/benchmarks" for group in GROUPS}}
        ),
        io=io_args,
    resources:
        **LIGHT_RESOURCES,
    conda:
        "../envs/replications.yaml"
    log:
        f"{RESULTS}/logs/benchmarks_table.log",
    shell:
        "python -m replications report benchmarks --config {params.config:q} {params.io} > {log} 2>&1"
