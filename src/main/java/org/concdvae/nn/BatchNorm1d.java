package org.concdvae.nn;

import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * PyTorch {@code nn.BatchNorm1d(F)} (eps 1e-5, momentum 0.1, affine, running statistics). Keys {@code weight},
 * {@code bias}, {@code running_mean}, {@code running_var}, {@code num_batches_tracked} (INT64 scalar). Training mode
 * (from the tape) uses batch statistics and updates the running ones; evaluation uses the running statistics.
 */
public final class BatchNorm1d {
    public static final double EPS = 1e-5, MOMENTUM = 0.1;
    public final Tensor weight, bias;
    public final INDArray runningMean, runningVar, numBatchesTracked;

    public BatchNorm1d(ParameterStore store, String name, int features) {
        ParameterStore s = store.scope(name);
        weight = s.parameter("weight", features);
        bias = s.parameter("bias", features);
        runningMean = s.buffer("running_mean", features);
        runningVar = s.buffer("running_var", features);
        numBatchesTracked = s.buffer("num_batches_tracked", DataType.LONG);
        weight.value().assign(1);
        runningVar.assign(1);
    }

    public Tensor forward(Tape t, Tensor x) {
        Tensor y = t.batchNorm(x, weight, bias, runningMean, runningVar, t.isTraining(), MOMENTUM, EPS);
        if (t.updatesRunningStatistics()) numBatchesTracked.addi(1);
        return y;
    }
}
