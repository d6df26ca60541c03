# The table of every claim of every group (figures/CLAIMS.md). `snakemake --report report.html` adds the
# browsable report, with each figure's caption from workflows/report/<group>/.


rule claims_table:
    """Collect every group's claims.json into one markdown table."""
    input:
        **{group: f"{FIGURES}/{group}/claims.json" for group in GROUPS},
    output:
        table=f"{FIGURES}/CLAIMS.md",
    params:
        io=io_args,
    conda:
        "../envs/replications.yaml"
    log:
        f"{RESULTS}/logs/claims_table.log",
    shell:
        "python -m replications report claims {params.io} > {log} 2>&1"
