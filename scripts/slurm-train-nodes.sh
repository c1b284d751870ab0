#!/usr/bin/env bash
# Train step one across SEVERAL nodes with srun: one MPI rank per NUMA domain, a few model replicas per rank.
# Gradients are summed in memory within a rank, then over the network with MPI_Allreduce (the cluster's MPI:
# Open MPI, MPICH, Intel MPI, Cray MPICH or MVAPICH, found from srun's environment; CONCDVAE_MPI_LIBRARY names its
# libmpi.so if it is not on the loader path). Rank 0 alone writes checkpoints, metrics and run.json.
#
# Every step all-reduces the model's parameters once (mp20: 5.29 M float32 = 21.1 MB); docs/distributed.md has the
# expected throughput for a given interconnect, and `srun ./concdvae bench allreduce` measures yours.
# The global batch (data.batch_size.train, 256 for mp20) is split evenly over ranks x replicas, at least 2 crystals
# each: 4 nodes x 8 ranks (one per 16-core NUMA domain of a 128-core node) x 4 replicas = 128 replicas of 2 crystals,
# each replica with 4 of its rank's 16 cores (docs/distributed.md, Choosing a layout); on nodes with 2 NUMA domains
# use 2 ranks per node.
# More replicas need a larger global batch (e.g. --set data.batch_size.train=1024, learning rate re-tuned).
#
# Submit from the project directory (on a shared file system):  sbatch scripts/slurm-train-nodes.sh
#
#SBATCH --job-name=concdvae-train-mpi
#SBATCH --nodes=4
#SBATCH --ntasks-per-node=8
#SBATCH --cpus-per-task=16
#SBATCH --exclusive
#SBATCH --time=12:00:00
#SBATCH --requeue
#SBATCH --output=logs/train-mpi-%j.out

set -euo pipefail

CONFIG=${CONFIG:-mp20}
DATA=${DATA:-data/mp20}
OUT=${OUT:-runs/mp20-mpi}
CONCDVAE=${CONCDVAE:-./concdvae}
REPLICAS=${REPLICAS:-4}               # per rank; ranks x REPLICAS must divide the global batch
THREADS=${SLURM_CPUS_PER_TASK:-16}    # worker threads per rank, shared by its replicas
export JAVA_OPTS=${JAVA_OPTS:--Xmx12g}  # per rank

# Build the jar once before the ranks start (the launcher also serialises this, but a build per job step is noise).
"${CONCDVAE}" --version >/dev/null

resume=""
if [[ -f "${OUT}/run.json" ]]; then resume=--resume; fi   # the same or another number of ranks may resume

srun --mpi="${SRUN_MPI:-pmix}" --cpu-bind=cores \
    "${CONCDVAE}" train-step1 --config "${CONFIG}" --data "${DATA}" --out "${OUT}" \
        --replicas "${REPLICAS}" --threads "${THREADS}" ${resume}
