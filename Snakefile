"""The replication archive's pipeline: one rule group per key result, then the claims table and report.

    snakemake --cores 2                                              # default profile (the laptop replication)
    snakemake --cores 2 --workflow-profile workflows/profiles/smoke   # toy size, into results/smoke/
    snakemake --cores 2 nngp                                         # one group: its figures and claims

Before any job: the config against its schema, the workflow profile named on the command line (it must exist and
its overrides must be what was loaded), the data files each group needs, and each compute job's estimated memory
against its mem_mb (replications/core/config.py, `profile_problems`, and Graph.problems in core/graph.py).
"""

import sys

from replications import GROUPS
from replications.core.config import ConfigError, profile_problems, validate_config


configfile: "workflows/config/config.yaml"


validate_config(config)
if workflow.is_main_process and (problems := profile_problems(config, workflow.configfiles, sys.argv)):
    raise ConfigError("\n".join(problems))

RESULTS = config["results_dir"]
FIGURES = config["figures_dir"]
PROFILE = config["profile"]


report: "workflows/report/workflow.rst"


include: "workflows/common.smk"
include: "workflows/groups.smk"
include: "workflows/report.smk"


rule all:
    default_target: True
    input:
        [GROUP_TARGETS[group] for group in GROUPS],
        f"{FIGURES}/CLAIMS.md",
        f"{FIGURES}/BENCHMARKS.md",
