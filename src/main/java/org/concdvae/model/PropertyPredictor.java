package org.concdvae.model;

import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.config.Config;
import org.concdvae.io.InvalidInputException;
import org.concdvae.nn.Linear;
import org.concdvae.nn.Mlp;
import org.concdvae.nn.ParameterStore;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

/**
 * One property predictor head on the latent z (model.md §8): {@code ScalarConditionPredict} (build_mlp with norm,
 * loss {@code mse(ŷ, (y − min)/(max − min))}) or {@code ClassConditionPredict} (optional dropout, one Linear,
 * cross-entropy loss). Keys {@code conditions_predict.<k>.mlp.*}.
 */
public abstract sealed class PropertyPredictor permits PropertyPredictor.Scalar, PropertyPredictor.ClassLabel {
    protected final String name;

    PropertyPredictor(String name) { this.name = name; }

    /** The property this head predicts. */
    public String name() { return name; }

    /** Prediction from z {@code [B, latent]}: {@code [B, out]} (scalar, normalised) or logits {@code [B, n_type]}. */
    public abstract Tensor forward(Tape t, Tensor z);

    /** The head's loss against the true property values of the B crystals. */
    public abstract Tensor loss(Tape t, Tensor prediction, double[] values);

    public abstract void initialise(Random r);

    /** Builds the head of config entry {@code cfg} in {@code scope} ({@code conditions_predict.<k>}). */
    public static PropertyPredictor create(ParameterStore scope, Config.ConditionPredict cfg, int latentDim, String key) {
        if (cfg.conditionName() == null) throw new InvalidInputException(key + ".condition_name is required");
        int latent = cfg.latentDim() == null ? latentDim : cfg.latentDim();
        double drop = cfg.drop() == null ? -1 : cfg.drop();
        String type = cfg.type() == null ? "" : cfg.type();
        switch (type) {
            case "scalar":
                if (cfg.conditionMin() == null || cfg.conditionMax() == null || !(cfg.conditionMax() > cfg.conditionMin())) {
                    throw new InvalidInputException(key + ": scalar predictors need condition_min < condition_max");
                }
                if (cfg.hiddenDim() == null || cfg.nLayers() == null) throw new InvalidInputException(key + ": hidden_dim and n_layers are required");
                return new Scalar(scope, cfg.conditionName(), cfg.conditionMin(), cfg.conditionMax(), latent, cfg.hiddenDim(),
                        cfg.outDim() == null ? 1 : cfg.outDim(), cfg.nLayers(), drop);
            case "class":
                if (cfg.nType() == null || cfg.nType() < 1) throw new InvalidInputException(key + ".n_type must be a positive integer");
                return new ClassLabel(scope, cfg.conditionName(), cfg.nType(), latent, drop);
            default:
                throw new InvalidInputException(key + ".type: unknown predictor type '" + type + "' (expected scalar or class)");
        }
    }

    /** {@code ScalarConditionPredict}. */
    public static final class Scalar extends PropertyPredictor {
        private final double min, max;
        private final Mlp mlp;

        Scalar(ParameterStore s, String name, double min, double max, int latent, int hidden, int out, int layers, double drop) {
            super(name);
            this.min = min;
            this.max = max;
            this.mlp = new Mlp(s, "mlp", latent, hidden, layers, out, drop, true);
        }

        @Override
        public Tensor forward(Tape t, Tensor z) { return mlp.forward(t, z); }

        /** {@code condition_min}: the prediction is {@code (y − min)/(max − min)}. */
        public double min() { return min; }

        /** {@code condition_max}. */
        public double max() { return max; }

        /** {@code mse(ŷ, (y − min)/(max − min))} with the target as a column {@code [B,1]} (F.mse_loss). */
        @Override
        public Tensor loss(Tape t, Tensor prediction, double[] values) {
            if (values.length != prediction.size(0)) throw new InvalidInputException("property '" + name + "': " + values.length + " values for " + prediction.size(0) + " crystals");
            double[] y = new double[values.length];
            // the reference normalises the float32 value in float32
            for (int b = 0; b < y.length; b++) y[b] = ((float) values[b] - (float) min) / (float) (max - min);
            DataType type = prediction.value().dataType();
            long cols = prediction.size(1);
            double[] target = new double[(int) (y.length * cols)];
            for (int b = 0; b < y.length; b++) for (int c = 0; c < cols; c++) target[(int) (b * cols + c)] = y[b];
            Tensor tgt = t.ownedConstant(Nd4j.create(target, prediction.shape(), DataType.DOUBLE).castTo(type));
            return t.mse(prediction, tgt);
        }

        @Override
        public void initialise(Random r) { mlp.initPyTorch(r); }
    }

    /** {@code ClassConditionPredict}: {@code hidden_dim} and {@code n_layers} are ignored, as in the reference. */
    public static final class ClassLabel extends PropertyPredictor {
        private final Linear linear;
        private final double drop;

        ClassLabel(ParameterStore s, String name, int nType, int latent, double drop) {
            super(name);
            boolean useDrop = drop > 0 && drop < 1;
            this.drop = useDrop ? drop : 0;
            this.linear = new Linear(s.scope("mlp"), useDrop ? "1" : "0", latent, nType, true);
        }

        @Override
        public Tensor forward(Tape t, Tensor z) {
            Tensor x = drop > 0 && t.isTraining() ? t.dropout(z, drop) : z;
            return linear.forward(t, x);
        }

        @Override
        public Tensor loss(Tape t, Tensor prediction, double[] values) {
            int[] target = new int[values.length];
            for (int b = 0; b < target.length; b++) {
                target[b] = (int) values[b];
                if (target[b] < 0 || target[b] >= prediction.size(1)) {
                    throw new InvalidInputException("property '" + name + "': class " + values[b] + " of crystal " + b + " outside [0, " + prediction.size(1) + ")");
                }
            }
            return t.crossEntropy(prediction, target);
        }

        @Override
        public void initialise(Random r) { linear.initPyTorch(r); }
    }
}
