package org.concdvae.train;

import org.concdvae.data.CrystalRecord;
import org.concdvae.graph.CrystalGraph;
import org.concdvae.io.InvalidInputException;
import org.concdvae.model.ConCdvae;
import org.concdvae.model.DimeNetPlusPlus;
import org.concdvae.model.EncoderGraph;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Collates crystals into model batches (the PyG collate of the reference: atoms, edges and images concatenated,
 * edge indices offset by the atoms before them) and orders the training set per epoch.
 */
public final class Batches {
    private Batches() {}

    /**
     * One batch: lattices from the six parameters, Cartesian positions, the precomputed encoder graph with its
     * triplets and bases, and the property values the model needs (conditions and predictors) by name.
     *
     * @param propertyNames names of {@link CrystalRecord#properties()} in order
     * @param needed        properties the model reads; a missing (NaN) value is an error naming the crystal
     */
    public static ConCdvae.Batch collate(List<CrystalRecord> crystals, List<String> propertyNames, List<String> needed,
                                         ConCdvae model, int threads) {
        int b = crystals.size(), n = 0, e = 0;
        for (CrystalRecord c : crystals) {
            n += c.numAtoms();
            e += c.numEdges();
        }
        int[] numAtoms = new int[b], types = new int[n], src = new int[e], dst = new int[e], img = new int[3 * e], bonds = new int[b];
        double[] frac = new double[3 * n], lengths = new double[3 * b], angles = new double[3 * b], lattices = new double[9 * b], cart = new double[3 * n];
        Map<String, double[]> props = new LinkedHashMap<>();
        for (String p : needed) {
            if (!propertyNames.contains(p)) throw new InvalidInputException("property '" + p + "' is not in the data (cached: " + propertyNames + ")");
            props.put(p, new double[b]);
        }
        int a0 = 0, e0 = 0;
        for (int c = 0; c < b; c++) {
            CrystalRecord r = crystals.get(c);
            numAtoms[c] = r.numAtoms();
            bonds[c] = r.numEdges();
            System.arraycopy(r.atomTypes(), 0, types, a0, r.numAtoms());
            System.arraycopy(r.fracCoords(), 0, frac, 3 * a0, 3 * r.numAtoms());
            System.arraycopy(r.lengths(), 0, lengths, 3 * c, 3);
            System.arraycopy(r.angles(), 0, angles, 3 * c, 3);
            double[][] m = r.lattice().matrix();
            for (int k = 0; k < 3; k++) System.arraycopy(m[k], 0, lattices, 9 * c + 3 * k, 3);
            for (int i = 0; i < r.numAtoms(); i++) {
                for (int k = 0; k < 3; k++) {
                    int a = a0 + i;
                    cart[3 * a + k] = frac[3 * a] * m[0][k] + frac[3 * a + 1] * m[1][k] + frac[3 * a + 2] * m[2][k];
                }
            }
            for (int q = 0; q < r.numEdges(); q++) {
                src[e0 + q] = r.edgeSource()[q] + a0;
                dst[e0 + q] = r.edgeTarget()[q] + a0;
            }
            System.arraycopy(r.edgeImages(), 0, img, 3 * e0, 3 * r.numEdges());
            for (Map.Entry<String, double[]> p : props.entrySet()) {
                double v = r.properties()[propertyNames.indexOf(p.getKey())];
                if (!Double.isFinite(v)) {
                    throw new InvalidInputException(r.file() + ": row " + r.row() + " (" + r.id() + "): property '" + p.getKey() + "' is missing");
                }
                p.getValue()[c] = v;
            }
            a0 += r.numAtoms();
            e0 += r.numEdges();
        }
        ConCdvae.checkVocabulary(types);
        CrystalGraph g = CrystalGraph.fromEdges(lattices, cart, numAtoms, src, dst, img, bonds);
        DataType type = model.store().floatType();
        EncoderGraph eg = EncoderGraph.build(g, types, DimeNetPlusPlus.EMBEDDING_ROWS,
                model.cdvae().encoder().sphericalBasis(), type, threads);
        return new ConCdvae.Batch(numAtoms, types, frac, lengths, angles, lattices, eg, props);
    }

    /** The properties a model reads: its conditions, then its predictors' targets. */
    public static List<String> neededProperties(ConCdvae model) {
        List<String> names = new ArrayList<>(model.cdvae().conditionModel().names());
        model.cdvae().predictors().forEach(p -> { if (!names.contains(p.name())) names.add(p.name()); });
        return names;
    }

    /** Index order of one epoch: a Fisher–Yates shuffle with {@code rng}, or file order. */
    public static int[] order(int n, Random rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        if (rng != null) {
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
        }
        return p;
    }

    /** Consecutive chunks of {@code order} of at most {@code size}. */
    public static List<List<CrystalRecord>> chunks(List<CrystalRecord> all, int[] order, int size) {
        List<List<CrystalRecord>> out = new ArrayList<>();
        for (int s = 0; s < order.length; s += size) {
            List<CrystalRecord> part = new ArrayList<>();
            for (int i = s; i < Math.min(order.length, s + size); i++) part.add(all.get(order[i]));
            out.add(part);
        }
        return out;
    }
}
