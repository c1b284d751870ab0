#!/usr/bin/env bash
# Train step one on ONE whole node (e.g. 128 cores). Two layouts (docs/distributed.md, Choosing a layout):
#
#   LAYOUT=replicas  one process with one model replica per core: no MPI needed, the replicas' gradients are summed
#                    in memory on the replicas' threads. The simplest choice.
#   LAYOUT=numa      one MPI rank per NUMA domain (srun --ntasks-per-node=$DOMAINS), each with a replica per core of
#                    its domain: every rank's memory (tapes, gradient copies) stays local, which pays off on large
#                    nodes with several NUMA domains.
#
# The global batch data.batch_size.train (256 for mp20) is split evenly over all replicas of all ranks, so the
# official hyper-parameters keep their meaning; use a replica count that divides it (and leaves >= 2 crystals each).
# Submit from the project directory:  sbatch scripts/slurm-train-node.sh   (LAYOUT=replicas sbatch ... for one process;
# requeued jobs continue with --resume)
#
#SBATCH --job-name=concdvae-train
#SBATCH --nodes=1
#SBATCH --exclusive
#SBATCH --time=24:00:00
#SBATCH --requeue
#SBATCH --output=logs/train-%j.out

set -euo pipefail

LAYOUT=${LAYOUT:-numa}                # replicas | numa
DOMAINS=${DOMAINS:-$(lscpu 2>/dev/null | awk -F: '/^NUMA node\(s\)/ {gsub(/ /, "", $2); print $2}')}
DOMAINS=${DOMAINS:-2}                 # NUMA domains per node (lscpu: "NUMA node(s)")
CONFIG=${CONFIG:-mp20}                # config preset or YAML file
DATA=${DATA:-data/mp20}               # preprocess output or directory with train/val/test CSVs
OUT=${OUT:-runs/mp20}                 # run directory: checkpoints, metrics, run.json (written by rank 0 only)
CONCDVAE=${CONCDVAE:-./concdvae}      # the launcher (builds the jar once, under a lock, on first use)
CORES=${SLURM_CPUS_ON_NODE:-$(nproc)}
export JAVA_OPTS=${JAVA_OPTS:--Xmx32g}  # per process; a replica needs about 0.07 GB per crystal of its micro-batch

resume=""
if [[ -f "${OUT}/run.json" ]]; then resume=--resume; fi   # requeued or restarted: continue from the last checkpoint

case "${LAYOUT}" in
  replicas)
    "${CONCDVAE}" train-step1 --config "${CONFIG}" --data "${DATA}" --out "${OUT}" \
        --replicas "${CORES}" --threads "${CORES}" ${resume}
    ;;
  numa)
    per=$((CORES / DOMAINS))
    # --cpu-bind=ldoms keeps each rank (and its replicas' threads) in one NUMA domain; --mpi=pmix or pmi2, as the
    # cluster's MPI was built (srun --mpi=list). Load the cluster's MPI module first (module load openmpi ...).
    srun --ntasks-per-node="${DOMAINS}" --cpus-per-task="${per}" --cpu-bind=ldoms --mpi="${SRUN_MPI:-pmix}" \
        "${CONCDVAE}" train-step1 --config "${CONFIG}" --data "${DATA}" --out "${OUT}" \
        --replicas "${per}" --threads "${per}" ${resume}
    ;;
  *) echo "LAYOUT must be replicas or numa, got '${LAYOUT}'" >&2; exit 2 ;;
esac
