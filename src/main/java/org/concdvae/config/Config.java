package org.concdvae.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * One run's configuration: the official hydra config groups with their keys kept (design/config.md), bound from
 * YAML by {@link ConfigLoader}. Defaults are the official mp20 values ({@code configs/mp20.yaml}); every field is
 * always present after loading (null only where the schema allows it).
 */
public record Config(Data data, Model model, Optim optim, Train train, Prior prior, Gen gen) {

    /** A value per split. */
    public record Splits<T>(T train, T val, T test) {}

    /**
     * {@code data:} (conf/data/*.yaml). {@code preprocess_workers} is the default thread count of {@code preprocess}
     * (at most the cores); {@code use_space_group} and {@code use_pos_index} must be false (not implemented).
     */
    public record Data(
            String rootPath, List<String> preloProp, List<String> prop, boolean niggli,
            boolean primitive, String graphMethod, String latticeScaleMethod, int preprocessWorkers, String readout,
            int maxAtoms, boolean otfGraph, int trainMaxEpochs, int earlyStoppingPatience,
            int teacherForcingMaxEpoch, boolean useSpaceGroup,
            boolean usePosIndex, Splits<String> splits, Splits<String> cache, Splits<Integer> batchSize,
            String latticeScalerFile, Filter filter, Splits<Double> split) {}

    /** {@code data.filter:} the paper's row filters (Java addition); a null bound is off. */
    public record Filter(Double minNumberDensity, @JsonProperty("max_e_above_hull") Double maxEAboveHull, Double maxBandGap, Integer maxAtoms) {}

    /** {@code model:} (conf/model/vae_*.yaml). */
    public record Model(
            int hiddenDim, int latentDim, int timeEmbDim, int fcNumLayers, int maxAtoms, double costNatom,
            double costCoord, double costType, double costLattice, double costComposition,
            double costProperty, double beta, boolean teacherForcingLattice, int teacherForcingMaxEpoch,
            int maxNeighbors, double radius, double sigmaBegin, double sigmaEnd, double typeSigmaBegin,
            double typeSigmaEnd, int numNoiseLevel, boolean predictProperty, boolean smooth,
            boolean nograd, Encoder encoder, Decoder decoder, ConditionModel conditionmodel,
            ConditionPre conditionpre) {}

    /** {@code model.encoder:} DimeNet++ (conf/model/encoder/dimenet.yaml). */
    public record Encoder(
            int hiddenChannels, int numBlocks, int intEmbSize, int basisEmbSize, int outEmbChannels,
            int numSpherical, int numRadial, boolean otfGraph, double cutoff, int maxNumNeighbors,
            int envelopeExponent, int numBeforeSkip, int numAfterSkip, int numOutputLayers, String readout) {}

    /** {@code model.decoder:} GemNet-T (conf/model/decoder/gemnet.yaml plus the fixed GemNetT arguments). */
    public record Decoder(
            int hiddenDim, int latentDim, int timeEmbDim, int maxNeighbors, double radius, String scaleFile,
            int numSpherical, int numRadial, int numBlocks, int embSizeTrip, int embSizeRbf, int embSizeCbf,
            int embSizeBilTrip, int numBeforeSkip, int numAfterSkip, int numConcat, int numAtom,
            int envelopeExponent) {}

    /** {@code model.conditionmodel:} the condition embedding (PropEmb). */
    public record ConditionModel(int nFeatures, int nLayers, List<ConditionEmbedding> conditionEmbeddings) {}

    /**
     * One condition embedding: {@code type} scalar (condition_min/max, grid_spacing), class (n_type, n_emb) or
     * vector (n_in); fields of other types are null.
     */
    public record ConditionEmbedding(
            String type, String conditionName, Double conditionMin, Double conditionMax, Double gridSpacing,
            Integer nType, Integer nEmb, Integer nIn, Integer nFeatures, Integer nLayers) {}

    /** {@code model.conditionpre:} the property predictors. */
    public record ConditionPre(List<ConditionPredict> conditionPredict) {}

    /** One property predictor: scalar or class. */
    public record ConditionPredict(
            String type, String conditionName, Double conditionMin, Double conditionMax, Integer nType,
            Integer latentDim, Integer hiddenDim, Integer outDim, Integer nLayers, Double drop) {}

    /** {@code optim:} (conf/optim/*.yaml). */
    public record Optim(Optimizer optimizer, boolean useLrScheduler, LrScheduler lrScheduler) {}

    public record Optimizer(String name, double lr, List<Double> betas, double eps, double weightDecay) {}

    public record LrScheduler(String name, double factor, int patience, double minLr, String monitor, String mode) {}

    /** {@code train:} (conf/train/default.yaml). */
    public record Train(
            boolean deterministic, long randomSeed, boolean useExit, int maxEpochs, int devices, int precision,
            int accumulateGradBatches, double gradientClipVal, String gradientClipAlgorithm,
            String monitorMetric, String monitorMetricMode, EarlyStopping earlyStopping,
            ModelCheckpoints modelCheckpoints, int valCheckInterval) {}

    public record EarlyStopping(int patience) {}

    public record ModelCheckpoints(int saveTopK, boolean saveLast) {}

    /**
     * {@code prior:} (conf/prior/default.yaml + prior optim/train). {@code formula_features} (Java addition): a JSON
     * file of 92-dim element vectors keyed "1".."100" (CGCNN's atom_init.json layout) for a {@code formula} vector
     * condition; null uses the built-in table (model.ElementFeatures).
     */
    public record Prior(
            String label, double ddpmNoiseStart, double ddpmNoiseEnd, @JsonProperty("ddpm_n_noise") int ddpmNNoise, int timeEmbDim,
            @JsonProperty("n_UNet_layers") int nUNetLayers, int hiddenDim, ConditionModel conditionmodel,
            Optim optim, PriorTrain train, String formulaFeatures) {}

    public record PriorTrain(
            boolean deterministic, long randomSeed, int maxEpochs, double gradientClipVal,
            String gradientClipAlgorithm, EarlyStopping earlyStopping, ModelCheckpoints modelCheckpoints) {}

    /**
     * {@code gen:} (conf/gen/*.yaml): defaults of {@code sample}'s options. {@code prior_label} of {@code --prior},
     * {@code save_traj} with {@code down_sample_traj_step} of {@code --save-trajectory}, {@code disable_bar} hides the
     * progress bar. The official keys without a meaning here are {@link RetiredKeys}.
     */
    public record Gen(
            String priorLabel, int batchSize, int downSample,
            boolean saveTraj, int downSampleTrajStep, int numSamplesPerZ,
            boolean disableBar, double minSigma, double stepLr, int nStepEach, String lessMode,
            double tolerate) {}
}
