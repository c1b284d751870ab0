package org.concdvae.crystal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * pymatgen's own primitive-cell search ({@code Structure.get_primitive_structure(tolerance=0.25)}, 2022.11.7),
 * which StructureMatcher uses (not spglib): sites are grouped by species; candidate sub-lattices are the
 * Hermite-normal-form supercell matrices of every divisor of the formula-unit count, pre-filtered by the
 * translations that map the smallest species group onto itself; a candidate is accepted when every site has exactly
 * {@code size} images within the tolerance, forming cliques, whose averaged positions become the new sites. The search
 * recurses on the smaller cell and the result is Niggli reduced.
 */
public final class PrimitiveCell {
    /** pymatgen's default Cartesian tolerance, Å. */
    public static final double DEFAULT_TOLERANCE = 0.25;
    /** Bound on recursion depth (each level at least halves the cell; 2^30 sites cannot occur). */
    private static final int MAX_DEPTH = 30;

    private PrimitiveCell() {}

    /** Primitive cell with the default tolerance of 0.25 Å. */
    public static Structure find(Structure s) { return find(s, DEFAULT_TOLERANCE); }

    /** Primitive cell (pymatgen {@code get_primitive_structure(tolerance)}); the input itself if none is smaller. */
    public static Structure find(Structure s, double tolerance) {
        if (s.size() == 0) throw new InvalidStructureException("structure has no sites");
        return find(s, tolerance, 0);
    }

    private static Structure find(Structure s, double tolerance, int depth) {
        if (depth > MAX_DEPTH) throw new InvalidStructureException("primitive cell search did not terminate");
        int n = s.size();
        // stable sort of the sites by species string, then grouping (itertools.groupby on the sorted list)
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (x, y) -> s.element(x).symbol().compareTo(s.element(y).symbol()));
        Map<Integer, List<Integer>> groupsByZ = new LinkedHashMap<>();
        for (int idx : order) groupsByZ.computeIfAbsent(s.atomicNumber(idx), k -> new ArrayList<>()).add(idx);
        List<int[]> groupZ = new ArrayList<>();
        List<double[][]> groupF = new ArrayList<>();
        for (Map.Entry<Integer, List<Integer>> e : groupsByZ.entrySet()) {
            List<Integer> ids = e.getValue();
            double[][] f = new double[ids.size()][];
            for (int i = 0; i < f.length; i++) f[i] = s.fracCoord(ids.get(i));
            groupF.add(f);
            groupZ.add(new int[]{e.getKey(), ids.size()});
        }
        int ng = groupF.size();

        // min_vecs: translations of the smallest group (first smallest) onto itself
        int minG = 0;
        for (int g = 1; g < ng; g++) if (groupF.get(g).length < groupF.get(minG).length) minG = g;
        double[][] mf = groupF.get(minG);
        List<double[]> minVecs = new ArrayList<>();
        for (double[] f : mf) minVecs.add(new double[]{f[0] - mf[0][0], f[1] - mf[0][1], f[2] - mf[0][2]});

        double[] abc = s.lattice().lengths();
        double[] superFtol = {tolerance / abc[0], tolerance / abc[1], tolerance / abc[2]};
        double[] superFtol2 = {2 * superFtol[0], 2 * superFtol[1], 2 * superFtol[2]};

        // keep only translations that map every site approximately onto a site of its own species
        Integer[] bySize = new Integer[ng];
        for (int g = 0; g < ng; g++) bySize[g] = g;
        Arrays.sort(bySize, (x, y) -> Integer.compare(groupF.get(x).length, groupF.get(y).length));
        for (int g : bySize) {
            double[][] gf = groupF.get(g);
            for (double[] f : gf) {
                List<double[]> kept = new ArrayList<>();
                for (double[] v : minVecs) {
                    boolean any = false;
                    for (double[] h : gf) {
                        boolean all = true;
                        for (int k = 0; k < 3 && all; k++) {
                            double d = v[k] - (h[k] - f[k]);
                            d -= Math.rint(d);
                            all = Math.abs(d) < superFtol2[k];
                        }
                        if (all) { any = true; break; }
                    }
                    if (any) kept.add(v);
                }
                minVecs = kept;
            }
        }

        // a site may not be grouped with its own near neighbours in the supercell
        List<boolean[][]> nonNbrs = new ArrayList<>();
        for (double[][] gf : groupF) {
            boolean[][] nn = new boolean[gf.length][gf.length];
            for (int i = 0; i < gf.length; i++) {
                for (int j = 0; j < gf.length; j++) {
                    boolean far = false;
                    for (int k = 0; k < 3; k++) {
                        double d = gf[j][k] - gf[i][k];
                        d = Math.abs(d - Math.rint(d));
                        if (d > 2 * superFtol[k]) far = true;
                    }
                    nn[i][j] = far || i == j;
                }
            }
            nonNbrs.add(nn);
        }

        int numFu = 0;
        for (double[][] gf : groupF) numFu = gcd(numFu, gf.length);
        double[][] latt = s.lattice().matrix();

        for (int det = 2; det <= numFu; det++) {
            if (numFu % det != 0) continue;
            for (int a = 1; a <= det; a++) {
                if (det % a != 0) continue;
                for (int e = 1; e <= det / a; e++) {
                    if ((det / a) % e != 0) continue;
                    int gDiag = det / a / e;
                    for (int b = 0; b < a; b++) {
                        for (int c = 0; c < a; c++) {
                            for (int f = 0; f < e; f++) {
                                int[][] m = {{a, b, c}, {0, e, f}, {0, 0, gDiag}};
                                Structure cand = tryCandidate(m, det, latt, minVecs, superFtol, groupZ, groupF, nonNbrs, tolerance);
                                if (cand != null) {
                                    Structure p = find(cand, tolerance, depth + 1);
                                    return NiggliReduction.reducedStructure(p);
                                }
                            }
                        }
                    }
                }
            }
        }
        return s;
    }

    private static Structure tryCandidate(int[][] m, int size, double[][] latt, List<double[]> minVecs, double[] superFtol,
                                          List<int[]> groupZ, List<double[][]> groupF, List<boolean[][]> nonNbrs,
                                          double tolerance) {
        double[][] invM = invertUpperTriangular(m);
        // every row of inv(m) must be (close to) one of the self-mapping translations
        for (double[] row : invM) {
            boolean any = false;
            for (double[] v : minVecs) {
                boolean all = true;
                for (int k = 0; k < 3 && all; k++) {
                    double d = row[k] - v[k];
                    d -= Math.rint(d);
                    all = Math.abs(d) < superFtol[k];
                }
                if (all) { any = true; break; }
            }
            if (!any) return null;
        }
        double[][] newM = mul(invM, latt);
        double[] ftol = new double[3];
        for (int k = 0; k < 3; k++) ftol[k] = tolerance / Math.sqrt(newM[k][0] * newM[k][0] + newM[k][1] * newM[k][1] + newM[k][2] * newM[k][2]);

        List<double[]> newCoords = new ArrayList<>();
        List<Integer> newZ = new ArrayList<>();
        for (int g = 0; g < groupF.size(); g++) {
            double[][] gf = groupF.get(g);
            int len = gf.length;
            double[][] allFrac = new double[len][3];
            for (int i = 0; i < len; i++) {
                for (int k = 0; k < 3; k++) allFrac[i][k] = gf[i][0] * m[0][k] + gf[i][1] * m[1][k] + gf[i][2] * m[2][k];
            }
            boolean[][] nn = nonNbrs.get(g);
            boolean[][] groups = new boolean[len][len];
            for (int i = 0; i < len; i++) {
                for (int j = 0; j < len; j++) {
                    boolean close = true;
                    for (int k = 0; k < 3 && close; k++) {
                        double d = allFrac[i][k] - allFrac[j][k];
                        d = Math.abs(d - Math.rint(d));
                        close = d < ftol[k];
                    }
                    groups[i][j] = close && nn[i][j];
                }
            }
            for (int j = 0; j < len; j++) {
                int cnt = 0;
                for (int i = 0; i < len; i++) if (groups[i][j]) cnt++;
                if (cnt != size) return null;
            }
            for (int r = 0; r < len; r++) { // each group must be a clique
                for (int x = 0; x < len; x++) {
                    if (!groups[r][x]) continue;
                    for (int y = 0; y < len; y++) if (groups[r][y] && !groups[x][y]) return null;
                }
            }
            boolean[] added = new boolean[len];
            double[][] wrapped = new double[len][3];
            for (int i = 0; i < len; i++) for (int k = 0; k < 3; k++) wrapped[i][k] = NiggliReduction.pyMod1(allFrac[i][k]);
            for (int i = 0; i < len; i++) {
                if (added[i]) continue;
                List<Integer> inds = new ArrayList<>();
                for (int j = 0; j < len; j++) if (groups[i][j]) { added[j] = true; inds.add(j); }
                double[] coords = wrapped[inds.get(0)].clone();
                for (int t = 1; t < inds.size(); t++) {
                    double[] other = wrapped[inds.get(t)];
                    for (int k = 0; k < 3; k++) {
                        double off = other[k] - coords[k];
                        coords[k] += (off - Math.rint(off)) / (t + 1);
                    }
                }
                newZ.add(groupZ.get(g)[0]);
                newCoords.add(coords);
            }
        }
        int[] z = newZ.stream().mapToInt(Integer::intValue).toArray();
        return new Structure(Lattice.fromMatrix(newM), z, newCoords.toArray(new double[0][]));
    }

    private static double[][] invertUpperTriangular(int[][] m) {
        double[][] d = toDouble(m);
        return Lattice.fromMatrix(d).inverse();
    }

    private static double[][] toDouble(int[][] m) {
        double[][] d = new double[3][3];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) d[i][j] = m[i][j];
        return d;
    }

    private static double[][] mul(double[][] a, double[][] b) {
        double[][] r = new double[3][3];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) r[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j];
        return r;
    }

    private static int gcd(int a, int b) { return b == 0 ? a : gcd(b, a % b); }
}
