package org.concdvae.verify;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code batch8_train_bn_stats_after.safetensors}: the BatchNorm running statistics after one training-mode pass
 * (z_condition, the crystal-statistics heads, the property predictor; model.md §5: biased variance to normalise,
 * unbiased for the running update, momentum 0.1). Tolerance rtol 1e-4 + atol 1e-6; {@code num_batches_tracked} exact.
 */
public final class TrainingBatchNormReferenceCheck implements ReferenceCheck {
    public static final String FILE = "batch8_train_bn_stats_after.safetensors";
    public static final Tolerance STATS = new Tolerance(1e-6, 1e-4);

    @Override
    public String file() { return FILE; }

    @Override
    public List<Comparison> run(ReferenceSession s) {
        ReferenceTrainingPass.Result r = ReferenceTrainingPass.run(s);
        Map<String, Comparison> c = new LinkedHashMap<>();
        for (String name : s.file(FILE).names()) {
            INDArray ours = r.buffersAfter().get(name);
            if (ours == null) {
                c.put(name, Comparison.failed(FILE, name, "no such BatchNorm buffer in the model"));
            } else if (name.endsWith("num_batches_tracked")) {
                c.put(name, s.compareExact(FILE, name, new long[]{ours.getLong(0)}));
            } else {
                c.put(name, s.compare(FILE, name, ours, STATS));
            }
        }
        return s.complete(FILE, c);
    }
}
