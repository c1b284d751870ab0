package org.concdvae.graph;

import org.concdvae.crystal.Element;
import org.concdvae.crystal.Structure;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CrystalNN (Pan, Ganose, Horton et al., Inorg. Chem. 60 (2021) 1590), following pymatgen 2022.11.7's
 * {@code CrystalNN.get_nn_data}: Voronoi neighbours within {@code searchCutoff} → solid-angle weights normalised to
 * the largest → optional porous and electronegativity adjustments → renormalised → optional smooth distance
 * cutoffs → rounded to three decimals → the coordination number whose semicircle-integral likelihood is largest
 * (first on ties) → its neighbours. Thread-safe.
 *
 * <p>{@link #nnData} exposes the full likelihood table so CrystalNN site fingerprints can be built on top.
 */
public final class CrystalNN implements NearNeighbors {

    /** CrystalNN settings; {@link #official()} is the one the Con-CDVAE encoder graphs use. */
    public record Options(boolean weightedCn, double[] distanceCutoffs, double xDiffWeight, boolean porousAdjustment,
                          double searchCutoff) {
        public Options {
            if (distanceCutoffs != null && distanceCutoffs.length != 2) {
                throw new IllegalArgumentException("distanceCutoffs needs two values");
            }
            if (!(searchCutoff > 0) || !Double.isFinite(searchCutoff)) {
                throw new IllegalArgumentException("searchCutoff must be positive");
            }
        }

        /** pymatgen defaults: {@code CrystalNN()}. */
        public static Options defaults() { return new Options(false, new double[]{0.5, 1.0}, 3.0, true, 7.0); }

        /** {@code CrystalNN(distance_cutoffs=None, x_diff_weight=-1, porous_adjustment=False)} (model.md §2.1). */
        public static Options official() { return new Options(false, null, -1, false, 7.0); }
    }

    /**
     * Everything CrystalNN knows about one site: all weighted candidate neighbours (weights rounded to 3 decimals,
     * descending), the likelihood of each coordination number (insertion order: increasing CN, then CN 0), and the
     * neighbours belonging to each CN.
     */
    public record NNData(List<Neighbor> allNeighbors, Map<Integer, Double> cnWeights,
                         Map<Integer, List<Neighbor>> cnNeighbors) {
        /** The most likely coordination number (the first maximum in insertion order, as Python's max). */
        public int mostLikelyCn() {
            int best = -1;
            double bw = Double.NEGATIVE_INFINITY;
            for (Map.Entry<Integer, Double> e : cnWeights.entrySet()) {
                if (e.getValue() > bw) {
                    bw = e.getValue();
                    best = e.getKey();
                }
            }
            return best;
        }
    }

    private final Options options;
    private final VoronoiNN voronoi;

    /** The official encoder setting. */
    public CrystalNN() { this(Options.official()); }

    public CrystalNN(Options options) {
        this.options = options;
        this.voronoi = new VoronoiNN(options.searchCutoff());
    }

    public Options options() { return options; }

    @Override
    public List<Neighbor> neighbors(Structure s, int n) {
        return neighbors(new BondSearch(s), n);
    }

    @Override
    public List<List<Neighbor>> allNeighbors(Structure s) {
        BondSearch search = new BondSearch(s);
        List<List<Neighbor>> all = new ArrayList<>(s.size());
        for (int n = 0; n < s.size(); n++) all.add(neighbors(search, n));
        return all;
    }

    private List<Neighbor> neighbors(BondSearch search, int n) {
        NNData data = nnData(search, n);
        if (!options.weightedCn()) {
            List<Neighbor> chosen = data.cnNeighbors().get(data.mostLikelyCn());
            List<Neighbor> out = new ArrayList<>(chosen.size());
            for (Neighbor nb : chosen) out.add(nb.withWeight(1.0));
            return out;
        }
        // weighted CN: each candidate weighs the total likelihood of the CNs that include it
        List<Neighbor> out = new ArrayList<>();
        for (Neighbor cand : data.allNeighbors()) {
            double w = 0;
            for (Map.Entry<Integer, List<Neighbor>> e : data.cnNeighbors().entrySet()) {
                for (Neighbor x : e.getValue()) {
                    if (x == cand) w += data.cnWeights().get(e.getKey());
                }
            }
            out.add(cand.withWeight(w));
        }
        return out;
    }

    /** The full CrystalNN analysis of site n (the input of a CrystalNN site fingerprint). */
    public NNData nnData(Structure s, int n) { return nnData(new BondSearch(s), n); }

    private NNData nnData(BondSearch search, int n) {
        Structure s = search.structure();
        List<VoronoiFace> faces = voronoi.polyhedron(search, n);
        double maxAngle = 0;
        for (VoronoiFace f : faces) maxAngle = Math.max(maxAngle, f.solidAngle());
        List<Neighbor> nn = new ArrayList<>();
        for (VoronoiFace f : faces) {
            if (!(f.solidAngle() > 0)) continue; // VoronoiNN tol = 0
            double w = f.solidAngle() / maxAngle;
            // solid angles mislead in open / porous structures
            if (options.porousAdjustment()) w *= f.solidAngle() / f.area();
            nn.add(new Neighbor(f.site(), f.image(), w, f.distance()));
        }
        if (options.xDiffWeight() > 0) {
            double x1 = s.element(n).electronegativity();
            for (int i = 0; i < nn.size(); i++) {
                double x2 = s.element(nn.get(i).site()).electronegativity();
                // 3.3 is the largest electronegativity difference between two elements
                double chem = Double.isNaN(x1) || Double.isNaN(x2) ? 1 : 1 + options.xDiffWeight() * Math.sqrt(Math.abs(x1 - x2) / 3.3);
                nn.set(i, nn.get(i).withWeight(nn.get(i).weight() * chem));
            }
        }
        sortDescending(nn);
        if (nn.isEmpty() || nn.get(0).weight() == 0) return zeroCoordinated();
        double highest = nn.get(0).weight();
        for (int i = 0; i < nn.size(); i++) nn.set(i, nn.get(i).withWeight(nn.get(i).weight() / highest));

        if (options.distanceCutoffs() != null) {
            // pymatgen falls back to covalent-radius sums for sites without oxidation states (all sites here)
            double r1 = covalentRadius(s, n);
            for (int i = 0; i < nn.size(); i++) {
                Neighbor e = nn.get(i);
                double d = r1 + covalentRadius(s, e.site());
                double lowCut = d + options.distanceCutoffs()[0], highCut = d + options.distanceCutoffs()[1];
                double dw = 0;
                if (e.distance() <= lowCut) dw = 1;
                else if (e.distance() < highCut) dw = (Math.cos((e.distance() - lowCut) / (highCut - lowCut) * Math.PI) + 1) * 0.5;
                nn.set(i, e.withWeight(e.weight() * dw));
            }
        }
        sortDescending(nn);
        if (nn.get(0).weight() == 0) return zeroCoordinated();

        List<Neighbor> kept = new ArrayList<>(nn.size());
        for (Neighbor e : nn) {
            double w = round3(e.weight());
            if (w > 0) kept.add(e.withWeight(w));
        }
        // transition weights: the distinct rounded weights (descending), then 0
        List<Double> bins = new ArrayList<>();
        for (Neighbor e : kept) {
            if (bins.isEmpty() || bins.get(bins.size() - 1) != e.weight()) bins.add(e.weight());
        }
        bins.add(0.0);
        Map<Integer, Double> cnWeights = new LinkedHashMap<>();
        Map<Integer, List<Neighbor>> cnNeighbors = new LinkedHashMap<>();
        for (int idx = 0; idx < bins.size(); idx++) {
            double val = bins.get(idx);
            if (val == 0) continue;
            List<Neighbor> members = new ArrayList<>();
            for (Neighbor e : kept) if (e.weight() >= val) members.add(e);
            int cn = members.size();
            cnNeighbors.put(cn, Collections.unmodifiableList(members));
            cnWeights.put(cn, semicircleIntegral(bins, idx));
        }
        double sum = 0;
        for (double w : cnWeights.values()) sum += w;
        double cn0 = 1.0 - sum;
        if (cn0 > 0) {
            cnNeighbors.put(0, List.of());
            cnWeights.put(0, cn0);
        }
        return new NNData(Collections.unmodifiableList(kept), cnWeights, cnNeighbors);
    }

    private static double covalentRadius(Structure s, int site) {
        double r = cutoffRadius(s.element(site));
        if (Double.isNaN(r)) {
            throw new org.concdvae.crystal.InvalidStructureException("site " + site + " (" + s.element(site).symbol()
                    + "): no covalent radius known, which CrystalNN distance cutoffs need");
        }
        return r;
    }

    /**
     * The radius CrystalNN's distance cutoffs use for a site without oxidation state: pymatgen's {@code CovalentRadius}
     * table. It follows Cordero et al. (2008) like {@link Element#covalentRadius()} except for four entries: sp2 carbon,
     * and for Mn, Fe and Co the mean of the low- and high-spin radii.
     */
    static double cutoffRadius(Element e) {
        return switch (e.z()) {
            case 6 -> 0.73;
            case 25 -> 1.5;
            case 26 -> 1.42;
            case 27 -> 1.38;
            default -> e.covalentRadius();
        };
    }

    private static NNData zeroCoordinated() {
        Map<Integer, Double> w = new LinkedHashMap<>();
        w.put(0, 1.0);
        Map<Integer, List<Neighbor>> nb = new LinkedHashMap<>();
        nb.put(0, List.of());
        return new NNData(List.of(), w, nb);
    }

    /** Stable sort by descending weight (Python's {@code sorted(..., reverse=True)} keeps ties in order). */
    private static void sortDescending(List<Neighbor> nn) {
        nn.sort((a, b) -> Double.compare(b.weight(), a.weight()));
    }

    /** Python's {@code round(x, 3)}: the exact binary value rounded half-even to 3 decimals. */
    static double round3(double x) {
        if (!Double.isFinite(x)) return x;
        return new BigDecimal(x).setScale(3, RoundingMode.HALF_EVEN).doubleValue();
    }

    /** Area of the unit quarter circle between x2 and x1 (x1 = bins[idx], x2 = bins[idx+1]), normalised to 1. */
    static double semicircleIntegral(List<Double> bins, int idx) {
        double x1 = bins.get(idx), x2 = bins.get(idx + 1);
        double area1 = x1 == 1 ? 0.25 * Math.PI : quarterArea(x1);
        double area2 = quarterArea(x2);
        return (area1 - area2) / (0.25 * Math.PI);
    }

    private static double quarterArea(double x) {
        double root = Math.sqrt(1 - x * x);
        return 0.5 * (x * root + StrictMath.atan(x / root));
    }
}
