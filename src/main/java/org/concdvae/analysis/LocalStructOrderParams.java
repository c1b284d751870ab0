package org.concdvae.analysis;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * One local structure order parameter of a site given its neighbours, following the definitions of pymatgen
 * 2022.11.7's {@code LocalStructOrderParams.get_order_parameters} with an explicit neighbour list: Zimmermann et al.'s
 * motif parameters (Front. Mater. 4 (2017) 34; Peters, J. Chem. Phys. 131 (2009) 244103 for "bcc"), the single-bond
 * parameter, and Steinhardt's bond-orientational q_l (Phys. Rev. B 28 (1983) 784).
 *
 * <p>Only the types matminer's CrystalNN "ops" fingerprint uses are supported. A value that pymatgen reports as
 * {@code None} (too few neighbours for the angles) is {@code NaN} here. Immutable and thread-safe.
 */
public final class LocalStructOrderParams {
    private static final Set<String> MAX_NORMALISED = Set.of("T", "tri_pyr", "see_saw_rect", "sq_pyr", "tri_bipyr",
            "sq_bipyr", "pent_pyr", "hex_pyr", "pent_bipyr", "hex_bipyr", "oct_max", "tri_plan_max", "tet_max",
            "sq_plan_max", "pent_plan_max", "cuboct_max", "hex_plan_max");
    private static final Set<String> SUPPORTED;
    /** Types with neighbours at the "South pole" of the j–centre axis (equatorial-plane motifs with an apex). */
    private static final Set<String> SOUTH_POLE = Set.of("tri_bipyr", "sq_bipyr", "pent_bipyr", "hex_bipyr", "oct_max",
            "sq_plan_max", "hex_plan_max", "see_saw_rect");
    private static final Set<String> EQUATORIAL_BIPYR = Set.of("tri_bipyr", "sq_bipyr", "pent_bipyr", "hex_bipyr",
            "oct_max", "sq_plan_max", "hex_plan_max");
    private static final Set<String> PYRAMIDS = Set.of("T", "tri_pyr", "sq_pyr", "pent_pyr", "hex_pyr");

    static {
        java.util.HashSet<String> s = new java.util.HashSet<>(MAX_NORMALISED);
        s.addAll(Set.of("sgl_bd", "bent", "bcc", "q2", "q4", "q6"));
        SUPPORTED = Set.copyOf(s);
    }

    /** Below this length a Gram–Schmidt axis counts as zero (pymatgen's {@code very_small}). */
    private static final double VERY_SMALL = 1e-12;
    private static final double LEFT_OF_UNITY = 1.0 - 1e-12;
    private static final double FAC_BCC = 1.0 / Math.exp(-0.5);

    private final String type;
    private final double ta, igwTa, igwEp, facAa, expCosAa, minSpp, igwSpp, wSpp;
    /** cuboct_max's extra parameters, pymatgen's integer keys 2, 4, 5, 6. */
    private final double cub2, cub4, cub5, cub6;

    /**
     * @param type   pymatgen's type name
     * @param params the parameter dictionary (keys as pymatgen: TA, IGW_TA, IGW_EP, fac_AA, exp_cos_AA, min_SPP,
     *               IGW_SPP, w_SPP, and "2", "4", "5", "6" for cuboct_max); parameters the type uses must be present
     */
    public LocalStructOrderParams(String type, Map<String, Double> params) {
        if (!SUPPORTED.contains(type)) throw new IllegalArgumentException("unsupported order parameter type " + type);
        this.type = type;
        Map<String, Double> p = params == null ? Map.of() : params;
        ta = p.getOrDefault("TA", Double.NaN);
        igwTa = p.getOrDefault("IGW_TA", Double.NaN);
        igwEp = p.getOrDefault("IGW_EP", Double.NaN);
        facAa = p.getOrDefault("fac_AA", Double.NaN);
        expCosAa = p.getOrDefault("exp_cos_AA", Double.NaN);
        minSpp = p.getOrDefault("min_SPP", Double.NaN);
        igwSpp = p.getOrDefault("IGW_SPP", Double.NaN);
        wSpp = p.getOrDefault("w_SPP", Double.NaN);
        cub2 = p.getOrDefault("2", Double.NaN);
        cub4 = p.getOrDefault("4", Double.NaN);
        cub5 = p.getOrDefault("5", Double.NaN);
        cub6 = p.getOrDefault("6", Double.NaN);
    }

    public String type() { return type; }

    /**
     * The order parameter of a centre at {@code centre} (Cartesian, Å) with neighbours at {@code neighbours}
     * (Cartesian, Å, the periodic images meant); NaN where pymatgen returns None.
     */
    public double compute(double[] centre, double[][] neighbours) {
        int n = neighbours.length;
        double[][] u = new double[n][];
        double[] dist = new double[n];
        for (int j = 0; j < n; j++) {
            double[] r = {neighbours[j][0] - centre[0], neighbours[j][1] - centre[1], neighbours[j][2] - centre[2]};
            dist[j] = Math.sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
            u[j] = new double[]{r[0] / dist[j], r[1] / dist[j], r[2] / dist[j]};
        }
        return switch (type) {
            case "sgl_bd" -> singleBond(dist);
            case "q2" -> n == 0 ? Double.NaN : steinhardt(2, u);
            case "q4" -> n == 0 ? Double.NaN : steinhardt(4, u);
            case "q6" -> n == 0 ? Double.NaN : steinhardt(6, u);
            default -> motif(u);
        };
    }

    private static double singleBond(double[] dist) {
        if (dist.length == 0) return 0.0;
        if (dist.length == 1) return 1.0;
        double[] d = dist.clone();
        Arrays.sort(d);
        return 1.0 - d[0] / d[1];
    }

    /** Steinhardt q_l = sqrt(4π/(2l+1) Σ_m |mean_j Y_lm(θ_j, φ_j)|²), polar axis z, prime meridian x. */
    static double steinhardt(int l, double[][] u) {
        int n = u.length;
        double[] cosT = new double[n], sinT = new double[n], phi = new double[n];
        for (int j = 0; j < n; j++) {
            double z = Math.max(-1.0, Math.min(u[j][2], 1.0));
            double theta = Math.acos(z);
            double p = 0.0;
            // azimuth only where the bond is not (almost) along z
            if (-LEFT_OF_UNITY < u[j][2] && u[j][2] < LEFT_OF_UNITY) {
                p = Math.acos(Math.max(-1.0, Math.min(u[j][0] / Math.sqrt(u[j][0] * u[j][0] + u[j][1] * u[j][1]), 1.0)));
                if (u[j][1] < 0.0) p = -p;
            }
            cosT[j] = Math.cos(theta);
            sinT[j] = Math.sin(theta);
            phi[j] = p;
        }
        double acc = 0;
        for (int m = 0; m <= l; m++) {
            double norm = Math.sqrt((2 * l + 1) / (4 * Math.PI) * factorialRatio(l, m));
            double re = 0, im = 0;
            for (int j = 0; j < n; j++) {
                double y = norm * associatedLegendre(l, m, cosT[j], sinT[j]);
                re += y * Math.cos(m * phi[j]);
                im += y * Math.sin(m * phi[j]);
            }
            acc += (m == 0 ? 1 : 2) * (re * re + im * im); // |Y_l,-m| sums equal |Y_l,m| sums
        }
        return Math.sqrt(4 * Math.PI * acc / ((2 * l + 1) * (double) n * n));
    }

    /** (l − m)! / (l + m)!. */
    private static double factorialRatio(int l, int m) {
        double r = 1;
        for (int k = l - m + 1; k <= l + m; k++) r /= k;
        return r;
    }

    /** P_l^m(x) for m ≥ 0 by the standard upward recurrence (the sign convention does not matter for |Y|²). */
    private static double associatedLegendre(int l, int m, double x, double sinTheta) {
        double pmm = 1;
        for (int k = 1; k <= m; k++) pmm *= (2 * k - 1) * sinTheta;
        if (l == m) return pmm;
        double pm1 = x * (2 * m + 1) * pmm;
        if (l == m + 1) return pm1;
        double pll = 0;
        for (int ll = m + 2; ll <= l; ll++) {
            pll = (x * (2 * ll - 1) * pm1 - (ll + m - 1) * pmm) / (ll - m);
            pmm = pm1;
            pm1 = pll;
        }
        return pll;
    }

    /**
     * The motif parameters: each neighbour j in turn is put at the North pole, each other neighbour k fixes the prime
     * meridian, and every further neighbour m contributes by its polar angle θ_m and azimuth φ_m; Gaussian penalties
     * around the motif's ideal angles are summed per (j, k) with their counts, then normalised.
     */
    private double motif(double[][] u) {
        int n = u.length;
        double[][] q = new double[n][Math.max(0, n - 1)];
        double[][] norms = new double[n][Math.max(0, n - 1)];
        double ipi = 1.0 / Math.PI;
        boolean bcc = type.equals("bcc");
        for (int j = 0; j < n; j++) {
            double[] zaxis = u[j];
            int kc = 0;
            for (int k = 0; k < n; k++) {
                if (k == j) continue;
                double thetak = Math.acos(clamp(dot(zaxis, u[k])));
                double[] xaxis = gramSchmidt(u[k], zaxis);
                double xl = norm(xaxis);
                boolean flagX = xl < VERY_SMALL;
                if (!flagX) xaxis = scale(xaxis, 1 / xl);
                double qs = 0, ns = 0;
                // j–centre–k angle
                switch (type) {
                    case "bent" -> {
                        double t = igwTa * (thetak * ipi - ta);
                        qs += Math.exp(-0.5 * t * t);
                        ns += 1;
                    }
                    case "tri_plan_max", "tet_max" -> {
                        double t = igwTa * (thetak * ipi - ta);
                        qs += Math.exp(-0.5 * t * t);
                        ns += 1;
                    }
                    case "T", "tri_pyr", "sq_pyr", "pent_pyr", "hex_pyr" -> {
                        double t = igwEp * (thetak * ipi - 0.5);
                        qs += Math.exp(-0.5 * t * t);
                        ns += 1;
                    }
                    case "cuboct_max" -> {
                        if (thetak >= minSpp) {
                            double t = igwSpp * (thetak * ipi - 1.0);
                            qs += wSpp * Math.exp(-0.5 * t * t);
                            ns += wSpp;
                        }
                    }
                    case "see_saw_rect", "tri_bipyr", "sq_bipyr", "pent_bipyr", "hex_bipyr", "oct_max", "sq_plan_max",
                         "hex_plan_max" -> {
                        if (thetak < minSpp) {
                            double t = type.equals("hex_plan_max") ? igwTa * (Math.abs(thetak * ipi - 0.5) - ta)
                                    : igwEp * (thetak * ipi - 0.5);
                            qs += Math.exp(-0.5 * t * t);
                            ns += 1;
                        }
                    }
                    case "pent_plan_max" -> {
                        double target = thetak <= ta * Math.PI ? 0.4 : 0.8;
                        double t = igwTa * (thetak * ipi - target);
                        qs += Math.exp(-0.5 * t * t);
                        ns += 1;
                    }
                    case "bcc" -> {
                        if (j < k && thetak >= minSpp) {
                            double t = igwSpp * (thetak * ipi - 1.0);
                            qs += wSpp * Math.exp(-0.5 * t * t);
                            ns += wSpp;
                        }
                    }
                    default -> { }
                }
                for (int m = 0; m < n && !flagX; m++) {
                    if (m == j || m == k) continue;
                    double thetam = Math.acos(clamp(dot(zaxis, u[m])));
                    double[] x2 = gramSchmidt(u[m], zaxis);
                    double l2 = norm(x2);
                    boolean flagX2 = l2 < VERY_SMALL;
                    double phi = 0;
                    if (!flagX2) phi = Math.acos(clamp(dot(scale(x2, 1 / l2), xaxis)));
                    if (SOUTH_POLE.contains(type) && thetam >= minSpp) {
                        double t = igwSpp * (thetam * ipi - 1.0);
                        qs += Math.exp(-0.5 * t * t);
                        ns += 1;
                    }
                    if (flagX2) continue;
                    if (type.equals("tri_plan_max") || type.equals("tet_max")) {
                        double t = igwTa * (thetam * ipi - ta);
                        qs += Math.exp(-0.5 * t * t) * cosPow(facAa * phi);
                        ns += 1;
                    } else if (type.equals("pent_plan_max")) {
                        double target = thetam <= ta * Math.PI ? 0.4 : 0.8;
                        double t = igwTa * (thetam * ipi - target);
                        double c = Math.cos(phi);
                        qs += Math.exp(-0.5 * t * t) * c * c;
                        ns += 1;
                    } else if (PYRAMIDS.contains(type)) {
                        double t = igwEp * (thetam * ipi - 0.5);
                        qs += cosPow(facAa * phi) * Math.exp(-0.5 * t * t);
                        ns += 1;
                    } else if (EQUATORIAL_BIPYR.contains(type)) {
                        if (thetam < minSpp && thetak < minSpp) {
                            double t = type.equals("hex_plan_max") ? igwTa * (Math.abs(thetam * ipi - 0.5) - ta)
                                    : igwEp * (thetam * ipi - 0.5);
                            qs += cosPow(facAa * phi) * Math.exp(-0.5 * t * t);
                            ns += 1;
                        }
                    } else if (bcc) {
                        if (j < k && thetak < minSpp) {
                            double fac = thetak > Math.PI / 2 ? 1.0 : -1.0;
                            double t = (thetam - Math.PI / 2) / Math.asin(1.0 / 3.0);
                            qs += fac * Math.cos(3 * phi) * FAC_BCC * t * Math.exp(-0.5 * t * t);
                            ns += 1;
                        }
                    } else if (type.equals("see_saw_rect")) {
                        if (thetam < minSpp && thetak < minSpp && phi < 0.75 * Math.PI) {
                            double t = igwEp * (thetam * ipi - 0.5);
                            qs += cosPow(facAa * phi) * Math.exp(-0.5 * t * t);
                            ns += 1;
                        }
                    } else if (type.equals("cuboct_max")) {
                        if (thetam < minSpp && cub4 < thetak && thetak < cub2) {
                            if (cub4 < thetam && thetam < cub2) {
                                double c = Math.cos(phi);
                                double t = cub5 * (thetam * ipi - 0.5);
                                qs += c * c * Math.exp(-0.5 * t * t);
                                ns += 1;
                            } else if (thetam < cub4 || thetam > cub2) {
                                double a = 0.0556 * (Math.cos(phi - 0.5 * Math.PI) - 0.81649658);
                                double t = cub6 * (thetam * ipi - (thetam < cub4 ? 1.0 / 3.0 : 2.0 / 3.0));
                                qs += Math.exp(-0.5 * a * a) * Math.exp(-0.5 * t * t);
                                ns += 1;
                            }
                        }
                    }
                }
                q[j][kc] = qs;
                norms[j][kc] = ns;
                kc++;
            }
        }
        if (type.equals("bent")) {
            double sum = 0, tot = 0;
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < q[j].length; k++) {
                    sum += q[j][k];
                    tot += norms[j][k];
                }
            }
            return tot > 1e-12 ? sum / tot : Double.NaN;
        }
        if (bcc) {
            if (n <= 3) return Double.NaN;
            double sum = 0;
            for (int j = 0; j < n; j++) for (int k = 0; k < q[j].length; k++) sum += q[j][k];
            return sum / (0.5 * (n * (6 + (n - 2) * (n - 3))));
        }
        // the best (j, k) frame wins
        if (n <= 1) return Double.NaN;
        double best = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            for (int k = 0; k < q[j].length; k++) {
                double v = norms[j][k] > 1e-12 ? q[j][k] / norms[j][k] : 0.0;
                if (v > best) best = v;
            }
        }
        return best;
    }

    /** cos(x) raised to exp_cos_AA (an exact square for the usual exponent 2). */
    private double cosPow(double x) {
        double c = Math.cos(x);
        return expCosAa == 2.0 ? c * c : Math.pow(c, expCosAa);
    }

    private static double clamp(double x) { return Math.max(-1.0, Math.min(x, 1.0)); }

    private static double dot(double[] a, double[] b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

    private static double norm(double[] a) { return Math.sqrt(dot(a, a)); }

    private static double[] scale(double[] a, double s) { return new double[]{a[0] * s, a[1] * s, a[2] * s}; }

    /** The part of v orthogonal to w (not normalised). */
    private static double[] gramSchmidt(double[] v, double[] w) {
        double f = dot(v, w) / dot(w, w);
        return new double[]{v[0] - f * w[0], v[1] - f * w[1], v[2] - f * w[2]};
    }
}
