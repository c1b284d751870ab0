package org.concdvae.model;

import org.concdvae.autodiff.Index;
import org.concdvae.autodiff.Tape;
import org.concdvae.autodiff.Tensor;
import org.concdvae.config.Config;
import org.concdvae.crystal.Element;
import org.concdvae.crystal.InvalidStructureException;
import org.concdvae.crystal.Lattice;
import org.concdvae.io.InvalidInputException;
import org.concdvae.nn.GemNetGraph;
import org.concdvae.nn.ParameterStore;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The whole step-one Con-CDVAE ({@code CDVAE.forward} + {@code compute_stats}, model.md §4–§12): DimeNet++ encoder,
 * latent, PropEmb conditions, {@code z_condition}, crystal-statistics heads, property predictors and the GemNet-T
 * score decoder, all in one {@link ParameterStore} under the official state_dict names.
 *
 * <p>One {@link #forward} is one training or validation step of the reference: ε of the reparameterisation, the
 * predictor heads on z, {@code z_con}, the heads with the true atom counts, teacher forcing of the lattice, one noise
 * level per crystal (shared by coordinates and types), type corruption with the predicted composition, Cartesian
 * noise in the passed lattice, the decoder, and every loss term (§12) with the coordinate target taken as the
 * minimum-image vector in the <em>true</em> lattice (§16).
 *
 * <p>Random draws come from one {@link Random} in the reference's order: ε ({@code B×latent} normals), predictor
 * dropout (through the tape's random source, set to the same generator), noise levels ({@code B} integers), atom
 * types (one uniform per atom), coordinate noise ({@code 3N} normals, atom-major). {@link Draws} injects fixed values
 * instead (the reference's saved draws, for parity).
 *
 * <p>Gradient through the lattice, as in the reference: without teacher forcing the noise is added in, and the decoder
 * runs in, the <em>predicted</em> lattice, but that lattice is a constant for the gradient. The official
 * {@code predict_lattice} passes {@code fc_lattice(z_con)} through {@code StandardScalerTorch.inverse_transform}, which
 * starts with {@code X = torch.tensor(X, dtype=torch.float)}; {@code torch.tensor} of a tensor is
 * {@code X.clone().detach()}, so the predicted lengths and angles (and with them the noisy coordinates, the decoder
 * geometry and the coordinate target) carry no autograd history: {@code fc_lattice} is trained by the lattice loss
 * alone, and the decoder losses reach {@code z_con} only through the decoder's latent input. Computing the decoder
 * geometry (radius graph, distances, bases) outside the tape is therefore exact, with or without teacher forcing
 * ({@code TeacherForcingGradientTest}).
 */
public final class ConCdvae {
    private final Config.Model cfg;
    private final ParameterStore store;
    private final CdvaeModel cdvae;
    private final GemNetDecoder decoder;

    /** A batch of crystals with their encoder graph (built by the caller, e.g. the trainer). */
    public record Batch(int[] numAtoms, int[] atomTypes, double[] frac, double[] lengths, double[] angles,
                        double[] lattices, EncoderGraph encoderGraph, Map<String, double[]> properties) {
        public int size() { return numAtoms.length; }

        public int atoms() { return atomTypes.length; }
    }

    /**
     * Fixed random draws; a null field is drawn from the generator. {@code noisyFrac} (3 per atom, in [0,1)) replaces
     * the coordinate corruption (then no normals are drawn); {@code types} are atomic numbers.
     */
    public record Draws(INDArray eps, int[] levels, int[] types, double[] noisyFrac) {
        public static final Draws NONE = new Draws(null, null, null, null);
    }

    /**
     * Everything one step produces. The loss tensors live on the step's tape. {@code trainLoss} is the weighted
     * training total (§12), {@code valLoss} the validation/test loss {@code cost_coord·coord + cost_type·type}.
     */
    public record Output(Tensor natom, Tensor lattice, Tensor composition, Tensor coord, Tensor type, Tensor kl,
                         Tensor predict, Map<String, Tensor> propertyLosses, Tensor trainLoss, Tensor valLoss,
                         Tensor numAtomsLogits, Tensor scaledLattice, Tensor predLengthsAngles, Tensor typeLogits,
                         int[] levels, int[] noisyTypes, double[] noisyFrac) {

        /** The scalar loss terms by the reference's log names (without the train_/val_ prefix). */
        public Map<String, Double> terms() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("natom_loss", natom.item());
            m.put("lattice_loss", lattice.item());
            m.put("coord_loss", coord.item());
            m.put("type_loss", type.item());
            m.put("kld_loss", kl.item());
            m.put("composition_loss", composition.item());
            m.put("predict_loss", predict.item());
            return m;
        }
    }

    /** Builds the model in {@code store} (floating type = the store's). */
    public ConCdvae(ParameterStore store, Config.Model cfg) {
        this.cfg = cfg;
        this.store = store;
        this.cdvae = new CdvaeModel(store, cfg);
        this.decoder = new GemNetDecoder(store, cfg.decoder());
        if (cdvae.predictors().isEmpty()) {
            throw new InvalidInputException("model.conditionpre.condition_predict: at least one property predictor is required");
        }
    }

    /** Initialisation for training from scratch (model.md §14). */
    public void initialise(Random r) {
        cdvae.initialise(r);
        decoder.initialise(r);
    }

    public ParameterStore store() { return store; }

    public Config.Model config() { return cfg; }

    public CdvaeModel cdvae() { return cdvae; }

    public GemNetDecoder decoder() { return decoder; }

    /**
     * The elements the model can embed: the DimeNet++ encoder's atom embedding has 95 rows (Z = 1..94, as the
     * official {@code Embedding(95, hidden)}); the composition head's 100 classes are wider.
     */
    public static final int VOCABULARY_MAX_Z = Math.min(DimeNetPlusPlus.EMBEDDING_ROWS - 1, CrystalStatsHeads.MAX_ATOMIC_NUM);

    /** Refuses atom types outside {@link #VOCABULARY_MAX_Z} with a message naming the element. */
    public static void checkVocabulary(int[] atomTypes) {
        for (int z : atomTypes) {
            if (z < 1 || z > VOCABULARY_MAX_Z) {
                throw new InvalidInputException("element " + (z >= 1 && z <= Element.MAX_Z ? Element.of(z).symbol() + " " : "")
                        + "(Z = " + z + ") is outside the model's element vocabulary Z = 1.." + VOCABULARY_MAX_Z);
            }
        }
    }

    /**
     * One forward pass with all losses. Training mode and gradient recording come from the tape
     * ({@code Tape.training()} for a training step, {@code Tape.inference()} for validation, as
     * {@code model.eval()}).
     *
     * @param teacherForcing pass the true lattice on (training while epoch ≤ teacher_forcing_max_epoch); validation
     *                       passes false
     * @param rng            the step's generator (also used for dropout)
     * @param fixed          injected draws ({@link Draws#NONE} for none)
     * @param scalerMean     lattice scaler means (6)
     * @param scalerStd      lattice scaler stds (6)
     */
    public Output forward(Tape t, Batch b, boolean teacherForcing, Random rng, Draws fixed, double[] scalerMean,
                          double[] scalerStd, int threads) {
        int nb = b.size(), n = b.atoms();
        DataType type = store.floatType();
        t.random(rng);
        for (int c = 0; c < nb; c++) {
            if (b.numAtoms()[c] > cfg.maxAtoms()) {
                throw new InvalidInputException("crystal " + c + " of the batch has " + b.numAtoms()[c]
                        + " atoms, more than model.max_atoms = " + cfg.maxAtoms());
            }
        }
        checkVocabulary(b.atomTypes());
        Index atomCrystal = b.encoderGraph().atomCrystal();

        // encoder + latent (ε drawn first)
        INDArray eps = fixed.eps() != null ? fixed.eps()
                : t.own(Latent.standardNormal(nb, cdvae.latent().dim(), rng, type));
        Tensor c = cdvae.conditions(t, b.properties(), nb, Probe.NONE);
        Latent.Encoded enc = cdvae.encode(t, b.encoderGraph(), eps, Probe.NONE);
        Tensor z = enc.z();

        // property predictors on z
        Map<String, Tensor> propertyLosses = new LinkedHashMap<>();
        Tensor predict = null;
        for (PropertyPredictor p : cdvae.predictors()) {
            double[] v = b.properties().get(p.name());
            if (v == null) throw new InvalidInputException("property '" + p.name() + "' has no values in the batch");
            Tensor l = p.loss(t, p.forward(t, z), v);
            propertyLosses.put(p.name(), l);
            predict = predict == null ? l : t.add(predict, l);
        }

        // z_con and the crystal-statistics heads with the true atom counts
        Tensor zCon = cdvae.zCondition(t, z, c);
        CrystalStatsHeads heads = cdvae.heads();
        Tensor numLogits = heads.numAtomsLogits(t, zCon);
        Tensor scaled = heads.scaledLattice(t, zCon);
        Tensor predLa = CrystalStatsHeads.lengthsAndAngles(t, scaled, b.numAtoms(), scalerMean, scalerStd);
        Tensor comp = heads.compositionLogits(t, zCon, b.numAtoms());

        // the predicted lattice is passed on as values only: the reference detaches it (see the class comment)
        double[] passLattices = b.lattices();
        if (!(cfg.teacherForcingLattice() && teacherForcing)) passLattices = latticesOf(predLa.value());

        // noise levels, type corruption, coordinate corruption (in this order)
        int levelsCount = (int) cdvae.sigmas().length();
        int[] levels = fixed.levels() != null ? fixed.levels().clone() : new int[nb];
        if (fixed.levels() == null) for (int i = 0; i < nb; i++) levels[i] = rng.nextInt(levelsCount);
        if (levels.length != nb) throw new IllegalArgumentException(levels.length + " noise levels for " + nb + " crystals");
        double[] sigmaAtom = new double[n], typeSigmaAtom = new double[n];
        int[] crystalOf = atomCrystal.values();
        for (int a = 0; a < n; a++) {
            sigmaAtom[a] = cdvae.sigmas().getDouble(levels[crystalOf[a]]);
            typeSigmaAtom[a] = cdvae.typeSigmas().getDouble(levels[crystalOf[a]]);
        }
        int[] noisyTypes = fixed.types() != null ? fixed.types() : sampleTypes(comp.value(), b.atomTypes(), typeSigmaAtom, rng);
        double[] noisyFrac = fixed.noisyFrac() != null ? fixed.noisyFrac()
                : corruptCoordinates(b.frac(), passLattices, b.numAtoms(), sigmaAtom, rng);

        // decoder on [z_con ; time_emb(level)] (z detached on this path with model.nograd)
        Tensor zDec = cfg.nograd() ? cdvae.zCondition(t, t.stopGradient(z), c) : zCon;
        double[] lv = new double[nb];
        for (int i = 0; i < nb; i++) lv[i] = levels[i];
        Tensor zTime = t.concat(zDec, cdvae.timeEmbedding().forward(t, lv));
        GemNetGraph g = decoder.graph(passLattices, cartesian(noisyFrac, passLattices, b.numAtoms()), b.numAtoms(), type, threads);
        // the backward pass reads the graph's bases: the tape releases them with everything else of the step
        t.own(g.unitVectors);
        t.own(g.rbf);
        t.own(g.rad3);
        GemNetDecoder.Output dec = decoder.forward(t, g, zTime, noisyTypes, Probe.NONE);

        // losses (model.md §12)
        Tensor natom = t.crossEntropy(numLogits, b.numAtoms());
        Tensor lattice = t.mse(scaled, t.ownedConstant(latticeTarget(b, scalerMean, scalerStd, type)));
        int[] cls = new int[n];
        for (int a = 0; a < n; a++) cls[a] = b.atomTypes()[a] - 1;
        Tensor composition = t.mean(t.segmentMean(t.crossEntropyRows(comp, cls), atomCrystal));
        double[] target = coordTarget(b.frac(), noisyFrac, b.lattices(), b.numAtoms());
        double[] scaledTarget = new double[3 * n];
        for (int a = 0; a < n; a++) for (int k = 0; k < 3; k++) scaledTarget[3 * a + k] = target[3 * a + k] / sigmaAtom[a];
        Tensor diff = t.sub(dec.coordDiff(), t.ownedConstant(array(scaledTarget, type, n, 3)));
        Tensor perAtom = t.mul(t.sum(t.mul(diff, diff), 1), 0.5);
        Tensor coord = t.mean(t.segmentMean(perAtom, atomCrystal));
        Tensor typeCe = t.div(t.crossEntropyRows(dec.typeLogits(), cls), t.ownedConstant(array(typeSigmaAtom, type, n, 1)));
        Tensor typeLoss = t.mean(t.segmentMean(typeCe, atomCrystal));
        Tensor kl = Latent.kl(t, enc.mu(), enc.logVar());

        Tensor total = t.mul(natom, cfg.costNatom());
        total = t.add(total, t.mul(lattice, cfg.costLattice()));
        total = t.add(total, t.mul(coord, cfg.costCoord()));
        total = t.add(total, t.mul(typeLoss, cfg.costType()));
        total = t.add(total, t.mul(kl, cfg.beta()));
        total = t.add(total, t.mul(composition, cfg.costComposition()));
        total = t.add(total, t.mul(predict, cfg.predictProperty() ? cfg.costProperty() : 0.0));
        Tensor val = t.add(t.mul(coord, cfg.costCoord()), t.mul(typeLoss, cfg.costType()));
        return new Output(natom, lattice, composition, coord, typeLoss, kl, predict, propertyLosses, total, val,
                numLogits, scaled, predLa, dec.typeLogits(), levels, noisyTypes, noisyFrac);
    }

    /** Validation metrics of {@code compute_stats} (prefix val): natom accuracy, lengths MARD, angles MAE, volume MARD, type accuracy. */
    public static Map<String, Double> metrics(Output o, Batch b) {
        int nb = b.size(), n = b.atoms();
        int[] natom = argmaxRows(o.numAtomsLogits().value());
        int correct = 0;
        for (int i = 0; i < nb; i++) if (natom[i] == b.numAtoms()[i]) correct++;
        double[] la = doubles(o.predLengthsAngles().value());
        double lenMard = 0, angMae = 0, volMard = 0;
        for (int i = 0; i < nb; i++) {
            for (int k = 0; k < 3; k++) {
                lenMard += Math.abs(b.lengths()[3 * i + k] - la[6 * i + k]) / b.lengths()[3 * i + k];
                angMae += Math.abs(la[6 * i + 3 + k] - b.angles()[3 * i + k]);
            }
            double vt = volume(b.lengths(), b.angles(), i, 0, 0);
            double vp = volume(la, la, i, 6, 3);
            volMard += Math.abs(vt - vp) / vt;
        }
        int[] tl = argmaxRows(o.typeLogits().value());
        int[] crystalOf = b.encoderGraph().atomCrystal().values();
        double[] acc = new double[nb];
        for (int a = 0; a < n; a++) if (tl[a] == b.atomTypes()[a] - 1) acc[crystalOf[a]] += 1.0 / b.numAtoms()[crystalOf[a]];
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("natom_accuracy", correct / (double) nb);
        m.put("lengths_mard", lenMard / (3.0 * nb));
        m.put("angles_mae", angMae / (3.0 * nb));
        m.put("volumes_mard", volMard / nb);
        m.put("type_accuracy", Arrays.stream(acc).average().orElse(0));
        return m;
    }

    /** Volume from lengths/angles (lengths_angles_to_volume), lengths at {@code off+3i}·stride. */
    private static double volume(double[] len, double[] ang, int i, int stride, int angOff) {
        int lo = stride == 0 ? 3 * i : stride * i, ao = stride == 0 ? 3 * i : stride * i + angOff;
        double ca = Math.cos(Math.toRadians(ang[ao])), cb = Math.cos(Math.toRadians(ang[ao + 1])), cg = Math.cos(Math.toRadians(ang[ao + 2]));
        double f = 1 - ca * ca - cb * cb - cg * cg + 2 * ca * cb * cg;
        return len[lo] * len[lo + 1] * len[lo + 2] * Math.sqrt(Math.max(f, 0));
    }

    /** The 9-per-crystal lattice matrices of predicted {@code [B,6]} lengths and angles. */
    private static double[] latticesOf(INDArray la) {
        int nb = (int) la.size(0);
        double[] v = doubles(la);
        double[] out = new double[9 * nb];
        for (int c = 0; c < nb; c++) {
            double[][] m;
            try {
                m = Lattice.fromParameters(v[6 * c], v[6 * c + 1], v[6 * c + 2], v[6 * c + 3], v[6 * c + 4], v[6 * c + 5]).matrix();
            } catch (InvalidStructureException e) {
                m = new double[3][3];   // non-finite prediction: a zero cell (no neighbours), as NaN would give none
            }
            for (int r = 0; r < 3; r++) System.arraycopy(m[r], 0, out, 9 * c + 3 * r, 3);
        }
        return out;
    }

    /** {@code transform([lengths/n^⅓ ; angles])} in float32 as the reference computes it: {@code [B, 6]}. */
    private static INDArray latticeTarget(Batch b, double[] mean, double[] std, DataType type) {
        int nb = b.size();
        double[] v = new double[6 * nb];
        for (int c = 0; c < nb; c++) {
            float cube = (float) Math.pow((float) b.numAtoms()[c], 1.0 / 3.0);
            for (int k = 0; k < 6; k++) {
                float x = k < 3 ? (float) b.lengths()[3 * c + k] / cube : (float) b.angles()[3 * c + k - 3];
                v[6 * c + k] = (x - (float) mean[k]) / (float) std[k];
            }
        }
        return array(v, type, nb, 6);
    }

    /**
     * {@code Z̃ = 1 + Categorical(onehot(Z−1) + σ^type·softmax(comp))} per atom, one uniform per atom (inverse CDF over
     * the unnormalised weights, as {@code torch.multinomial} normalises them).
     */
    static int[] sampleTypes(INDArray compLogits, int[] atomTypes, double[] typeSigma, Random rng) {
        int n = atomTypes.length, k = (int) compLogits.size(1);
        double[] logits = doubles(compLogits);
        int[] out = new int[n];
        double[] w = new double[k];
        for (int a = 0; a < n; a++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) max = Math.max(max, logits[a * k + j]);
            double s = 0;
            for (int j = 0; j < k; j++) s += (w[j] = Math.exp(logits[a * k + j] - max));
            double total = 0;
            for (int j = 0; j < k; j++) total += (w[j] = w[j] / s * typeSigma[a] + (j == atomTypes[a] - 1 ? 1 : 0));
            double u = rng.nextDouble() * total, cum = 0;
            int pick = atomTypes[a] - 1;
            for (int j = 0; j < k; j++) {
                cum += w[j];
                if (u < cum && w[j] > 0) {
                    pick = j;
                    break;
                }
            }
            out[a] = pick + 1;
        }
        return out;
    }

    /** {@code frac̃ = ((frac·L + σ·ε)·L⁻¹) mod 1}, ε standard normal, 3 per atom. */
    static double[] corruptCoordinates(double[] frac, double[] lattices, int[] numAtoms, double[] sigmaAtom, Random rng) {
        double[] out = new double[frac.length];
        for (int c = 0, a = 0; c < numAtoms.length; c++) {
            double[] l = Arrays.copyOfRange(lattices, 9 * c, 9 * c + 9);
            double[] inv = inverse(l);
            for (int i = 0; i < numAtoms[c]; i++, a++) {
                double[] cart = new double[3];
                for (int k = 0; k < 3; k++) {
                    cart[k] = frac[3 * a] * l[k] + frac[3 * a + 1] * l[3 + k] + frac[3 * a + 2] * l[6 + k];
                }
                for (int k = 0; k < 3; k++) cart[k] += sigmaAtom[a] * rng.nextGaussian();
                for (int k = 0; k < 3; k++) {
                    double f = cart[0] * inv[k] + cart[1] * inv[3 + k] + cart[2] * inv[6 + k];
                    out[3 * a + k] = wrap(f);
                }
            }
        }
        return out;
    }

    /** Moore–Penrose inverse of a 3×3 row-vector lattice (the inverse when non-singular; 0 for a zero cell). */
    private static double[] inverse(double[] l) {
        double a = l[0], b = l[1], c = l[2], d = l[3], e = l[4], f = l[5], g = l[6], h = l[7], k = l[8];
        double det = a * (e * k - f * h) - b * (d * k - f * g) + c * (d * h - e * g);
        if (!(Math.abs(det) > 1e-12)) return new double[9];
        return new double[]{(e * k - f * h) / det, (c * h - b * k) / det, (b * f - c * e) / det,
                (f * g - d * k) / det, (a * k - c * g) / det, (c * d - a * f) / det,
                (d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det};
    }

    /** Python {@code x % 1.0}; non-finite values become 0. */
    private static double wrap(double x) {
        if (!Double.isFinite(x)) return 0;
        double r = x - Math.floor(x);
        return r >= 1.0 ? 0.0 : r;
    }

    private static double[] cartesian(double[] frac, double[] lattices, int[] numAtoms) {
        double[] cart = new double[frac.length];
        for (int c = 0, a = 0; c < numAtoms.length; c++) {
            for (int i = 0; i < numAtoms[c]; i++, a++) {
                for (int k = 0; k < 3; k++) {
                    cart[3 * a + k] = frac[3 * a] * lattices[9 * c + k] + frac[3 * a + 1] * lattices[9 * c + 3 + k]
                            + frac[3 * a + 2] * lattices[9 * c + 6 + k];
                }
            }
        }
        return cart;
    }

    /**
     * The coordinate target of §12: {@code Δ = cart_true − (cart(frac̃) + image*·L)} in the true lattice, image* the
     * first of the 27 offsets in {−1,0,1}³ (x slowest) of minimal length ({@code min_distance_sqr_pbc}).
     */
    static double[] coordTarget(double[] frac, double[] noisyFrac, double[] lattices, int[] numAtoms) {
        double[] clean = cartesian(frac, lattices, numAtoms), noisy = cartesian(noisyFrac, lattices, numAtoms);
        double[] out = new double[frac.length];
        for (int c = 0, a = 0; c < numAtoms.length; c++) {
            for (int i = 0; i < numAtoms[c]; i++, a++) {
                double best = Double.POSITIVE_INFINITY;
                for (int x = -1; x <= 1; x++) {
                    for (int y = -1; y <= 1; y++) {
                        for (int w = -1; w <= 1; w++) {
                            double[] v = new double[3];
                            double d2 = 0;
                            for (int k = 0; k < 3; k++) {
                                double off = x * lattices[9 * c + k] + y * lattices[9 * c + 3 + k] + w * lattices[9 * c + 6 + k];
                                v[k] = clean[3 * a + k] - (noisy[3 * a + k] + off);
                                d2 += v[k] * v[k];
                            }
                            if (d2 < best) {
                                best = d2;
                                System.arraycopy(v, 0, out, 3 * a, 3);
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /** The values of {@code a} in c order as doubles, releasing the temporary copies. */
    static double[] doubles(INDArray a) {
        INDArray c = a.dup('c');
        INDArray d = c.castTo(DataType.DOUBLE);
        double[] v = d.data().asDouble();
        if (d != c) d.close();
        c.close();
        return v;
    }

    /** Row-wise argmax of a 2-D array. */
    private static int[] argmaxRows(INDArray a) {
        int rows = (int) a.size(0), cols = (int) a.size(1);
        double[] v = doubles(a);
        int[] out = new int[rows];
        for (int r = 0; r < rows; r++) {
            int best = 0;
            for (int k = 1; k < cols; k++) if (v[r * cols + k] > v[r * cols + best]) best = k;
            out[r] = best;
        }
        return out;
    }

    private static INDArray array(double[] v, DataType type, long... shape) {
        INDArray d = Nd4j.create(v, shape, DataType.DOUBLE);
        if (type == DataType.DOUBLE) return d;
        INDArray r = d.castTo(type);
        d.close();
        return r;
    }
}
