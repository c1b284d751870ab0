#!/usr/bin/env bash
# Sample crystals with a SLURM job array: each array task does one shard of the run
# (`concdvae sample --shard I/N`, I = $SLURM_ARRAY_TASK_ID, 0-based) and a dependent job joins the shards
# (`concdvae sample merge`). The merged directory is byte for byte what one unsharded run with the same options and
# --seed writes (samples.csv, samples.extxyz, cifs/, trajectories/); only run.json also lists the shards.
#
# Submit both jobs (from the project directory):
#
#   bash scripts/slurm-sample-array.sh submit
#
# or by hand:
#
#   mkdir -p logs
#   jid=$(sbatch --parsable scripts/slurm-sample-array.sh)
#   sbatch --dependency=afterok:${jid} --job-name=concdvae-merge --time=00:30:00 \
#       --wrap "./concdvae sample merge --out samples/all samples/shard-*"
#
# The work is split by batches: targets x ceil(N_PER_TARGET / BATCH) batches, shard I takes a contiguous block of
# about (batches / SHARDS). Use at least as many batches as shards (more crystals or a smaller --batch-size), or some
# tasks get nothing to do. Every shard must run with the same options (only --shard and --out differ), which this
# script guarantees. A preempted or requeued task continues where it stopped (--resume, below).
#
# Adjust the #SBATCH lines and the settings below; keep --array=0-(SHARDS-1).
#SBATCH --job-name=concdvae-sample
#SBATCH --array=0-7
#SBATCH --cpus-per-task=8
#SBATCH --mem=16G
#SBATCH --time=24:00:00
#SBATCH --requeue
#SBATCH --output=logs/sample-%A_%a.out

set -euo pipefail

# Settings (or set them in the environment when submitting: sbatch exports it to the tasks by default).
SHARDS=${SHARDS:-8}                     # must match --array=0-(SHARDS-1) (the submit mode sets --array from it)
MODEL=${MODEL:-models/mp20}             # model directory (train-step1 + train-prior, or `concdvae import`)
TARGETS=${TARGETS:-targets.csv}         # one target per row: label + property columns
N_PER_TARGET=${N_PER_TARGET:-200}       # crystals per target
BATCH=${BATCH:-64}                      # crystals decoded per batch
SEED=${SEED:-42}                        # the same seed and shard count give the same crystals
OUT=${OUT:-samples}                     # shard i writes $OUT/shard-i, the merge writes $OUT/all
CONCDVAE=${CONCDVAE:-./concdvae}        # the launcher

if [[ "${1:-}" == "submit" ]]; then
    mkdir -p logs
    jid=$(sbatch --parsable --array=0-$((SHARDS - 1)) "$0")
    sbatch --dependency=afterok:"${jid}" --job-name=concdvae-merge --time=00:30:00 --output=logs/merge-%j.out \
        --wrap "${CONCDVAE} sample merge --out ${OUT}/all ${OUT}/shard-*"
    echo "submitted sampling array ${jid} (${SHARDS} shards) and its merge job"
    exit 0
fi

: "${SLURM_ARRAY_TASK_ID:?run this script with sbatch (or: bash $0 submit)}"
i=${SLURM_ARRAY_TASK_ID}
out="${OUT}/shard-${i}"
resume=""
if [[ -f "${out}/run.json" ]]; then resume=--resume; fi   # requeued: continue after the last finished batch

"${CONCDVAE}" sample --model "${MODEL}" --strategy default --targets "${TARGETS}" -n "${N_PER_TARGET}" \
    --batch-size "${BATCH}" --seed "${SEED}" --threads "${SLURM_CPUS_PER_TASK:-1}" --quiet \
    --shard "${i}/${SHARDS}" --out "${out}" ${resume}
