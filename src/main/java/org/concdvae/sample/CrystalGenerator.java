package org.concdvae.sample;

import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.crystal.Lattice;
import org.concdvae.crystal.Structure;
import org.concdvae.io.InvalidInputException;
import org.concdvae.model.ConCdvae;
import org.concdvae.model.ConditionModel;
import org.concdvae.model.ElementFeatures;
import org.concdvae.model.LatentPrior;
import org.concdvae.model.Latent;
import org.concdvae.model.Probe;
import org.concdvae.model.PropertyPredictor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Conditional crystal generation (generation.md §1–§4): the prior samples latents for the target conditions
 * (missing ones filled from reference rows for 'less'), the step-one Predictor keeps the best {@code 1/downSample} of
 * them, the step-one PropEmb and {@code z_condition} give {@code z_con}, and annealed Langevin dynamics decodes the
 * crystals (number of atoms and lattice from the heads, initial types from the composition head, then
 * {@code levels × nStepEach} decoder updates). Every batch draws from its own generator seeded by (seed, target,
 * batch), so a run is reproducible and can be resumed batch by batch. Optionally the Langevin trajectory of every
 * crystal is kept ({@link Frame}s every N updates); recording it draws nothing, so the crystals are the same.
 */
public final class CrystalGenerator {
    /** Generation settings. {@code levels} limits the σ levels (null: all); {@code minSigma} stops early. */
    public record Options(int batchSize, int downSample, int nStepEach, double stepLr, double minSigma, Integer levels,
                          long seed, int threads) {}

    /**
     * One generated crystal; {@code structure} is null when the model predicted 0 atoms. {@code predictions}: the
     * Predictor's output for its latent per property (scalars in the property's units, classes as the most likely class). {@code trajectory} holds the
     * recorded Langevin frames (empty when none were asked for or the crystal has no atoms).
     */
    public record Crystal(Structure structure, int numAtoms, double[] lengths, double[] angles, double score,
                          Map<String, Double> conditions, Map<String, Double> predictions, List<Frame> trajectory,
                          float[] latent, int latentIndex, int sample) {}

    /**
     * The state of a crystal after {@code step} Langevin updates; {@code level} and {@code sigma} are the noise level of
     * the last update (for the initial state, step 0, the first level's).
     */
    public record Frame(int step, int level, double sigma, Structure structure) {}

    private final ConCdvae model;
    private final LatentPrior prior;
    private final double[] scalerMean, scalerStd;
    private final Options opt;
    private final LangevinSampler sampler;
    private final ElementFeatures formulaFeatures;

    public CrystalGenerator(ConCdvae model, LatentPrior prior, double[] scalerMean, double[] scalerStd,
                            ElementFeatures formulaFeatures, Options opt) {
        if (opt.batchSize() < 1 || opt.downSample() < 1 || opt.nStepEach() < 1) {
            throw new InvalidInputException("batch size, candidates ratio and Langevin steps must be at least 1");
        }
        if (prior.latentDim() != model.config().latentDim()) {
            throw new InvalidInputException("the prior models a " + prior.latentDim() + "-dim latent, the step-one model has " + model.config().latentDim());
        }
        this.model = model;
        this.prior = prior;
        this.scalerMean = scalerMean;
        this.scalerStd = scalerStd;
        this.formulaFeatures = formulaFeatures;
        this.opt = opt;
        this.sampler = new LangevinSampler(model.cdvae(), model.decoder(), opt.stepLr(), opt.threads());
    }

    /** Called after every Langevin update of any batch (progress); thread-safe callers only. */
    private volatile Runnable onUpdate;

    /** Sets what runs after every Langevin update (a progress bar's step); null: nothing. */
    public void onUpdate(Runnable listener) { this.onUpdate = listener; }

    /** Langevin updates one batch makes with these options (levels x steps, less the levels below min_sigma). */
    public long updatesPerBatch() {
        double[] sigmas = model.cdvae().sigmas().castTo(DataType.DOUBLE).toDoubleVector();
        return AnnealedLangevin.updates(sigmas, opt.nStepEach(), opt.minSigma(), opt.levels());
    }

    /** Condition names the prior needs, in config order. */
    public List<String> priorConditions() { return prior.conditionModel().names(); }

    /** Properties the step-one Predictor estimates from a latent, in model order. */
    public List<String> predictorNames() {
        List<String> n = new ArrayList<>();
        for (PropertyPredictor p : model.cdvae().predictors()) n.add(p.name());
        return n;
    }

    /**
     * One batch: {@code count} crystals from {@code count·downSample} prior latents.
     *
     * @param conditions per latent (size count·downSample), the complete condition values (name → value; the formula
     *                   condition as its string under "formula")
     * @param rng        the batch's generator
     */
    public List<Crystal> batch(List<Map<String, Object>> conditions, int count, Random rng) {
        return batch(conditions, count, rng, 0);
    }

    /**
     * As {@link #batch(List, int, Random)}, also recording each crystal's trajectory: the initial state, the state after
     * every {@code trajectoryEvery}-th update, and the final state ({@code trajectoryEvery} 0: no trajectory).
     */
    public List<Crystal> batch(List<Map<String, Object>> conditions, int count, Random rng, int trajectoryEvery) {
        return batch(conditions, count, rng, trajectoryEvery, AtomControl.NONE, 1);
    }

    /**
     * As {@link #batch(List, int, Random, int)} with hard controls of the atoms ({@link AtomControl}) and
     * {@code samplesPerZ} Langevin decodes of every kept latent (the official {@code num_samples_per_z}), one after
     * another from the batch's generator, so each decode has its own random draws. Returns {@code count·samplesPerZ}
     * crystals, latent by latent ({@link Crystal#latentIndex()}, {@link Crystal#sample()}).
     */
    public List<Crystal> batch(List<Map<String, Object>> conditions, int count, Random rng, int trajectoryEvery,
                               AtomControl control, int samplesPerZ) {
        if (samplesPerZ < 1) throw new InvalidInputException("--samples-per-z must be at least 1, got " + samplesPerZ);
        if (trajectoryEvery < 0) throw new IllegalArgumentException("trajectory interval must be >= 0");
        int m = conditions.size();
        if (m != count * opt.downSample()) throw new IllegalArgumentException("need " + count * opt.downSample() + " condition rows");
        // 1. prior latents (μ-space)
        INDArray zT = Latent.standardNormal(m, prior.latentDim(), rng, DataType.FLOAT);
        INDArray z = prior.sample(values(conditions, prior.conditionModel()), zT, rng);
        // 2. Predictor filter
        double[] score = new double[m];
        List<Map<String, Double>> predicted = new ArrayList<>();
        for (int i = 0; i < m; i++) predicted.add(new LinkedHashMap<>());
        int[] keep;
        try (Tape t = Tape.inference()) {
            Tensor zt = t.constant(z);
            for (PropertyPredictor p : model.cdvae().predictors()) {
                INDArray out = p.forward(t, zt).value();
                for (int i = 0; i < m; i++) {
                    double target = number(conditions.get(i), p.name());
                    if (p instanceof PropertyPredictor.Scalar s) {
                        score[i] += Math.abs(out.getDouble(i, 0) - (target - s.min()) / (s.max() - s.min()));
                        predicted.get(i).put(p.name(), s.min() + out.getDouble(i, 0) * (s.max() - s.min()));
                    } else {
                        INDArray row = out.getRow(i).castTo(DataType.DOUBLE);
                        double mx = row.maxNumber().doubleValue(), sum = 0;
                        for (int k = 0; k < row.length(); k++) sum += Math.exp(row.getDouble(k) - mx);
                        int cls = (int) target;
                        if (cls < 0 || cls >= row.length()) throw new InvalidInputException("property '" + p.name() + "': class " + cls + " outside [0, " + row.length() + ")");
                        score[i] += 1 - Math.exp(row.getDouble(cls) - mx) / sum;
                        predicted.get(i).put(p.name(), (double) row.argMax().getInt(0));
                    }
                }
            }
        }
        if (opt.downSample() > 1) {
            Integer[] order = new Integer[m];
            for (int i = 0; i < m; i++) order[i] = i;
            Arrays.sort(order, Comparator.comparingDouble(i -> score[i]));   // stable: ties keep the original order
            keep = new int[count];
            for (int i = 0; i < count; i++) keep[i] = order[i];
        } else {
            keep = new int[m];
            for (int i = 0; i < m; i++) keep[i] = i;
        }
        INDArray zk = Nd4j.create(DataType.FLOAT, count, z.size(1));
        List<Map<String, Object>> kept = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            zk.putRow(i, z.getRow(keep[i]));
            kept.add(conditions.get(keep[i]));
        }
        // 3. z_con with the step-one PropEmb
        INDArray zCon;
        try (Tape t = Tape.inference()) {
            Tensor c = model.cdvae().conditions(t, values(kept, model.cdvae().conditionModel()), count, Probe.NONE);
            zCon = model.cdvae().zCondition(t, t.constant(zk), c).value().dup();
        }
        // 4. decode (samplesPerZ times, in the order of the official loop's draws)
        float[][] latents = new float[count][];
        for (int i = 0; i < count; i++) latents[i] = zk.getRow(i).toFloatVector();
        List<List<Crystal>> decodes = new ArrayList<>();
        for (int s = 0; s < samplesPerZ; s++) decodes.add(decode(zCon, rng, kept, keep, score, predicted, trajectoryEvery, control, latents, s));
        zCon.close();
        zk.close();
        if (samplesPerZ == 1) return decodes.get(0);
        List<Crystal> out = new ArrayList<>(count * samplesPerZ);
        for (int i = 0; i < count; i++) for (int s = 0; s < samplesPerZ; s++) out.add(decodes.get(s).get(i));
        return out;
    }

    private List<Crystal> decode(INDArray zCon, Random rng, List<Map<String, Object>> kept, int[] keep, double[] score,
                                 List<Map<String, Double>> predicted, int every, AtomControl control, float[][] latents, int sample) {
        int b = (int) zCon.size(0);
        LangevinSampler.Stats st = sampler.decodeStats(zCon, scalerMean, scalerStd, control.free() ? null : control::numAtoms);
        List<Integer> live = new ArrayList<>();
        for (int i = 0; i < b; i++) if (st.numAtoms()[i] > 0) live.add(i);
        Crystal[] result = new Crystal[b];
        for (int i = 0; i < b; i++) {
            if (st.numAtoms()[i] == 0) {
                result[i] = new Crystal(null, 0, Arrays.copyOfRange(st.lengths(), 3 * i, 3 * i + 3),
                        Arrays.copyOfRange(st.angles(), 3 * i, 3 * i + 3), score[keep[i]], numbers(kept.get(i)), predicted.get(keep[i]), List.of(),
                        latents[i], i, sample);
            }
        }
        if (!live.isEmpty()) {
            int nb = live.size();
            INDArray z = Nd4j.create(DataType.FLOAT, nb, zCon.size(1));
            int[] n = new int[nb];
            Lattice[] lat = new Lattice[nb];
            for (int j = 0; j < nb; j++) {
                z.putRow(j, zCon.getRow(live.get(j)));
                n[j] = st.numAtoms()[live.get(j)];
                lat[j] = st.lattice(live.get(j));
            }
            int total = Arrays.stream(n).sum();
            // initial types (sample_composition, or the fixed composition), then uniform coordinates
            int[] types = new int[total];
            if (control.fixesTypes()) {
                for (int j = 0, a = 0; j < nb; j++) {
                    System.arraycopy(control.types(n[j]), 0, types, a, n[j]);
                    a += n[j];
                }
            } else try (Tape t = Tape.inference()) {
                int[] ones = new int[nb];
                Arrays.fill(ones, 1);
                INDArray logits = model.cdvae().heads().compositionLogits(t, t.constant(z), ones).value();
                for (int j = 0, a = 0; j < nb; j++) {
                    int[] c = sampleComposition(logits.getRow(j).castTo(DataType.DOUBLE).toDoubleVector(), n[j], rng);
                    System.arraycopy(c, 0, types, a, n[j]);
                    a += n[j];
                }
            }
            double[] frac = new double[3 * total];
            for (int i = 0; i < frac.length; i++) frac[i] = rng.nextDouble();
            double[] sigmas = model.cdvae().sigmas().castTo(DataType.DOUBLE).toDoubleVector();
            double[][] state = {frac};
            int[][] typeState = {types};
            List<List<Frame>> frames = new ArrayList<>();
            for (int j = 0; j < nb; j++) frames.add(new ArrayList<>());
            int[] done = {0, 0};   // updates made, level of the last one
            if (every > 0) record(frames, 0, 0, sigmas[0], lat, n, frac, types);
            AnnealedLangevin.run(sigmas, opt.stepLr(), opt.nStepEach(), opt.minSigma(), opt.levels(), 3 * total, rng,
                    (level, sigma, eta, normal) -> {
                        LangevinSampler.Step step = sampler.step(z, level, lat, n, state[0], typeState[0], normal);
                        state[0] = step.frac();
                        if (!control.fixesTypes()) typeState[0] = step.types();   // gt_atom_types: types stay
                        step.zTime().close();
                        step.coordDiff().close();
                        step.typeLogits().close();
                        done[0]++;
                        done[1] = level;
                        if (every > 0 && done[0] % every == 0) record(frames, done[0], level, sigma, lat, n, state[0], typeState[0]);
                        Runnable u = onUpdate;
                        if (u != null) u.run();
                    });
            frac = state[0];
            types = typeState[0];
            if (every > 0 && done[0] % every != 0) record(frames, done[0], done[1], sigmas[done[1]], lat, n, frac, types);
            for (int j = 0, a = 0; j < nb; j++) {
                int i = live.get(j);
                double[][] f = new double[n[j]][];
                int[] zs = new int[n[j]];
                for (int q = 0; q < n[j]; q++, a++) {
                    f[q] = new double[]{frac[3 * a], frac[3 * a + 1], frac[3 * a + 2]};
                    zs[q] = types[a];
                }
                result[i] = new Crystal(new Structure(lat[j], zs, f), n[j], Arrays.copyOfRange(st.lengths(), 3 * i, 3 * i + 3),
                        Arrays.copyOfRange(st.angles(), 3 * i, 3 * i + 3), score[keep[i]], numbers(kept.get(i)), predicted.get(keep[i]), List.copyOf(frames.get(j)),
                        latents[i], i, sample);
            }
            z.close();
        }
        return Arrays.asList(result);
    }

    /** Appends the current state of every crystal of the batch to its trajectory. */
    private static void record(List<List<Frame>> frames, int step, int level, double sigma, Lattice[] lat, int[] n,
                               double[] frac, int[] types) {
        for (int j = 0, a = 0; j < n.length; j++) {
            double[][] f = new double[n[j]][];
            int[] zs = new int[n[j]];
            for (int q = 0; q < n[j]; q++, a++) {
                f[q] = new double[]{frac[3 * a], frac[3 * a + 1], frac[3 * a + 2]};
                zs[q] = types[a];
            }
            frames.get(j).add(new Frame(step, level, sigma, new Structure(lat[j], zs, f)));
        }
    }

    /**
     * {@code sample_composition} (generation.md §4.3): {@code c_k = round_half_even(p_k·n)}, elements with
     * {@code c_k > 0} in ascending Z, the remainder drawn from {@code max(p − c/n, 0)}, shuffled, truncated to n.
     */
    static int[] sampleComposition(double[] logits, int n, Random rng) {
        int k = logits.length;
        double mx = Arrays.stream(logits).max().orElse(0), sum = 0;
        double[] p = new double[k];
        for (int i = 0; i < k; i++) sum += p[i] = Math.exp(logits[i] - mx);
        for (int i = 0; i < k; i++) p[i] /= sum;
        List<Integer> atoms = new ArrayList<>();
        int[] c = new int[k];
        for (int i = 0; i < k; i++) {
            c[i] = (int) Math.rint(p[i] * n);
            for (int r = 0; r < c[i]; r++) atoms.add(i + 1);
        }
        if (atoms.size() < n) {
            double[] q = new double[k];
            double qs = 0;
            for (int i = 0; i < k; i++) qs += q[i] = Math.max(p[i] - (double) c[i] / n, 0);
            if (!(qs > 0)) {
                q = p;
                qs = 1;
            }
            int missing = n - atoms.size();
            for (int r = 0; r < missing; r++) {
                double u = rng.nextDouble() * qs, acc = 0;
                int pick = k - 1;
                for (int i = 0; i < k; i++) {
                    acc += q[i];
                    if (u < acc) {
                        pick = i;
                        break;
                    }
                }
                atoms.add(pick + 1);
            }
        }
        for (int i = atoms.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            Integer t = atoms.get(i);
            atoms.set(i, atoms.get(j));
            atoms.set(j, t);
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = atoms.get(i);
        return out;
    }

    /** Per-condition value arrays for a condition model (vectors: the formula's mean element vector). */
    private Map<String, double[]> values(List<Map<String, Object>> rows, ConditionModel cm) {
        Map<String, double[]> m = new LinkedHashMap<>();
        for (ConditionModel.ConditionEmbedding e : cm.embeddings()) {
            String name = e.name();
            if (e instanceof ConditionModel.Vector) {
                if (formulaFeatures == null) throw new InvalidInputException("condition '" + name + "' needs element features");
                int w = formulaFeatures.width();
                double[] v = new double[rows.size() * w];
                for (int i = 0; i < rows.size(); i++) {
                    Object f = rows.get(i).get(name);
                    if (!(f instanceof String s)) throw new InvalidInputException("condition '" + name + "' needs a chemical formula (e.g. --formula SrTiO3)");
                    System.arraycopy(formulaFeatures.mean(s), 0, v, i * w, w);
                }
                m.put(name, v);
            } else {
                double[] v = new double[rows.size()];
                for (int i = 0; i < v.length; i++) v[i] = number(rows.get(i), name);
                m.put(name, v);
            }
        }
        return m;
    }

    private static double number(Map<String, Object> row, String name) {
        Object v = row.get(name);
        if (v instanceof Number n) return n.doubleValue();
        throw new InvalidInputException("no value for condition '" + name + "' (give it as a target"
                + (v == null ? "" : ", got '" + v + "'") + ")");
    }

    private static Map<String, Double> numbers(Map<String, Object> row) {
        Map<String, Double> m = new LinkedHashMap<>();
        row.forEach((k, v) -> { if (v instanceof Number n) m.put(k, n.doubleValue()); });
        return m;
    }
}
