"""The replication archive's pipeline: one rule group per key result, then the claims table and report.

    snakemake --cores 2                                              # default profile (the laptop replication)
    snakemake --cores 2 --workflow-profile workflows/profiles/smoke   # toy size, into results/smoke/
"""

from replications.core.config import validate_config


configfile: "workflows/config/config.yaml"


validate_config(config)

RESULTS = config["results_dir"]
FIGURES = config["figures_dir"]
PROFILE = config["profile"]
GROUPS = ["neal", "nngp", "ntk", "meanfield", "mup"]


include: "workflows/common.smk"
include: "workflows/neal.smk"
include: "workflows/nngp.smk"
include: "workflows/ntk.smk"
include: "workflows/meanfield.smk"
include: "workflows/mup.smk"
include: "workflows/report.smk"


rule all:
    default_target: True
    input:
        f"{FIGURES}/CLAIMS.md",
        f"{FIGURES}/BENCHMARKS.md",
