#!/usr/bin/env bash
# Train step one on ONE whole node (e.g. 128 cores, 2 sockets). Two layouts (docs/distributed.md):
#
#   LAYOUT=replicas  one process with one model replica per core: no MPI needed, the replicas' gradients are summed
#                    in memory. The simplest choice; start here.
#   LAYOUT=sockets   one MPI rank per socket (srun --ntasks-per-node=$SOCKETS), each with a replica per core of its
#                    socket: every rank's memory stays on its own socket (NUMA), which pays off on 2+ socket nodes.
#
# The global batch data.batch_size.train (256 for mp20) is split evenly over all replicas of all ranks, so the
# official hyper-parameters keep their meaning; use a replica count that divides it (and leaves >= 2 crystals each).
# Submit from the project directory:  sbatch scripts/slurm-train-node.sh   (requeued jobs continue with --resume)
#
#SBATCH --job-name=concdvae-train
#SBATCH --nodes=1
#SBATCH --exclusive
#SBATCH --time=24:00:00
#SBATCH --requeue
#SBATCH --output=logs/train-%j.out

set -euo pipefail

LAYOUT=${LAYOUT:-replicas}            # replicas | sockets
SOCKETS=${SOCKETS:-2}                 # sockets per node (lscpu: "Socket(s)")
CONFIG=${CONFIG:-mp20}                # config preset or YAML file
DATA=${DATA:-data/mp20}               # preprocess output or directory with train/val/test CSVs
OUT=${OUT:-runs/mp20}                 # run directory: checkpoints, metrics, run.json (written by rank 0 only)
CONCDVAE=${CONCDVAE:-./concdvae}      # the launcher (builds the jar once, under a lock, on first use)
CORES=${SLURM_CPUS_ON_NODE:-$(nproc)}
export JAVA_OPTS=${JAVA_OPTS:--Xmx64g}  # per process; a replica needs about 0.1 GB per crystal of its micro-batch

resume=""
if [[ -f "${OUT}/run.json" ]]; then resume=--resume; fi   # requeued or restarted: continue from the last checkpoint

case "${LAYOUT}" in
  replicas)
    "${CONCDVAE}" train-step1 --config "${CONFIG}" --data "${DATA}" --out "${OUT}" \
        --replicas "${CORES}" --threads "${CORES}" ${resume}
    ;;
  sockets)
    per=$((CORES / SOCKETS))
    # --cpu-bind=sockets keeps each rank (and its replicas' threads) on one socket; --mpi=pmix or pmi2, as the
    # cluster's MPI was built (srun --mpi=list). Load the cluster's MPI module first (module load openmpi ...).
    srun --ntasks-per-node="${SOCKETS}" --cpus-per-task="${per}" --cpu-bind=sockets --mpi="${SRUN_MPI:-pmix}" \
        "${CONCDVAE}" train-step1 --config "${CONFIG}" --data "${DATA}" --out "${OUT}" \
        --replicas "${per}" --threads "${per}" ${resume}
    ;;
  *) echo "LAYOUT must be replicas or sockets, got '${LAYOUT}'" >&2; exit 2 ;;
esac
