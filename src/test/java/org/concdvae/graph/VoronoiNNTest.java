package org.concdvae.graph;

import org.concdvae.crystal.Lattice;
import org.concdvae.crystal.Structure;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VoronoiNNTest {
    static Structure cubic(double a, int[] z, double[][] f) {
        return new Structure(Lattice.fromMatrix(new double[][]{{a, 0, 0}, {0, a, 0}, {0, 0, a}}), z, f);
    }

    @Test
    void simpleCubicCellIsACubeOfSixEqualFaces() {
        Structure s = cubic(3.0, new int[]{29}, new double[][]{{0, 0, 0}});
        List<VoronoiFace> faces = new VoronoiNN(7).polyhedron(s, 0);
        assertEquals(6, faces.size());
        for (VoronoiFace f : faces) {
            assertEquals(0, f.site());
            assertEquals(4 * Math.PI / 6, f.solidAngle(), 1e-12);
            assertEquals(9.0, f.area(), 1e-12);
            assertEquals(1.5, f.faceDist(), 1e-12);
            assertEquals(4.5, f.volume(), 1e-12);
            assertEquals(4, f.nVerts());
            assertEquals(1, Arrays.stream(f.image()).map(Math::abs).sum());
        }
    }

    @Test
    void bccCellIsATruncatedOctahedronAsQhullComputesIt() {
        // reference: scipy.spatial.Voronoi (Qhull) on the same points, solid angles as pymatgen's solid_angle
        Structure s = cubic(2.87, new int[]{26, 26}, new double[][]{{0, 0, 0}, {0.5, 0.5, 0.5}});
        List<VoronoiFace> faces = new VoronoiNN(7).polyhedron(s, 0);
        assertEquals(14, faces.size());
        long hex = faces.stream().filter(f -> f.nVerts() == 6 && Math.abs(f.solidAngle() - 1.236773283772) < 1e-11
                && Math.abs(f.distance() - 2.485492909) < 1e-9).count();
        long sq = faces.stream().filter(f -> f.nVerts() == 4 && Math.abs(f.solidAngle() - 0.445364057364) < 1e-11
                && Math.abs(f.distance() - 2.87) < 1e-9).count();
        assertEquals(8, hex);
        assertEquals(6, sq);
    }

    @Test
    void hcpHasTwoShellsOfSixFaces() {
        double a = 3.21, c = 5.21;
        Structure s = new Structure(Lattice.fromMatrix(new double[][]{{a, 0, 0}, {-a / 2, a * Math.sqrt(3) / 2, 0}, {0, 0, c}}),
                new int[]{12, 12}, new double[][]{{1.0 / 3, 2.0 / 3, 0.25}, {2.0 / 3, 1.0 / 3, 0.75}});
        List<VoronoiFace> faces = new VoronoiNN(7).polyhedron(s, 0);
        assertEquals(12, faces.size());
        assertEquals(6, faces.stream().filter(f -> Math.abs(f.solidAngle() - 1.055355018614) < 1e-11).count());
        assertEquals(6, faces.stream().filter(f -> Math.abs(f.solidAngle() - 1.039040083779) < 1e-11).count());
    }

    /** {site, ix, iy, iz, solid angle, area, n_verts} of site 0, from Qhull via scipy with pymatgen's formulas. */
    private static final double[][] TRICLINIC_SITE0 = {
            {1, -1, 0, 0, 2.026241009418, 6.774539496068, 8},
            {1, -1, 0, -1, 1.459838355101, 5.247365493267, 8},
            {1, 0, -1, -1, 1.376831106294, 5.268461540570, 8},
            {1, 0, 0, -1, 1.318579276212, 4.473971384934, 6},
            {0, -1, 0, 0, 1.198527288077, 4.199087086153, 5},
            {0, 1, 0, 0, 1.198527288077, 4.199087086153, 5},
            {1, 0, 0, 0, 0.992734838857, 3.500798401137, 6},
            {1, 0, -1, 0, 0.926654560739, 3.830503446283, 8},
            {0, 0, 1, 0, 0.553259475098, 2.278281886888, 5},
            {0, 0, -1, 0, 0.553259475098, 2.278281886888, 5},
            {1, -1, -1, 0, 0.517352293694, 2.128259310292, 4},
            {1, -1, -1, -1, 0.392441234922, 1.641819318265, 4},
            {0, -1, 1, 0, 0.025911382357, 0.126109300120, 3},
            {0, 1, -1, 0, 0.025911382357, 0.126109300120, 3},
            {0, 0, 0, -1, 0.000150824030, 0.000754506223, 3},
            {0, 0, 0, 1, 0.000150824030, 0.000754506223, 3}};

    @Test
    void triclinicFacesMatchQhullFaceByFace() {
        Structure s = new Structure(Lattice.fromMatrix(new double[][]{{3.1, 0.2, 0.1}, {0.5, 3.7, 0.3}, {0.4, -0.6, 4.3}}),
                new int[]{11, 17}, new double[][]{{0.1, 0.2, 0.3}, {0.6, 0.55, 0.8}});
        List<VoronoiFace> faces = new VoronoiNN(7).polyhedron(s, 0);
        assertEquals(TRICLINIC_SITE0.length, faces.size());
        for (double[] ref : TRICLINIC_SITE0) {
            VoronoiFace f = faces.stream().filter(x -> x.site() == (int) ref[0]
                    && Arrays.equals(x.image(), new int[]{(int) ref[1], (int) ref[2], (int) ref[3]})).findFirst().orElseThrow();
            assertEquals(ref[4], f.solidAngle(), 1e-11, "solid angle " + Arrays.toString(ref));
            assertEquals(ref[5], f.area(), 1e-11, "area " + Arrays.toString(ref));
            assertEquals((int) ref[6], f.nVerts());
            double[] p = s.lattice().toCartesian(new double[]{
                    s.fracCoord(f.site())[0] + ref[1], s.fracCoord(f.site())[1] + ref[2], s.fracCoord(f.site())[2] + ref[3]});
            double[] c = s.cartCoord(0);
            double d = Math.sqrt(Math.pow(p[0] - c[0], 2) + Math.pow(p[1] - c[1], 2) + Math.pow(p[2] - c[2], 2));
            assertEquals(d, f.distance(), 1e-12);
            assertEquals(d / 2, f.faceDist(), 1e-12);
        }
        double total = faces.stream().mapToDouble(VoronoiFace::solidAngle).sum();
        assertEquals(4 * Math.PI, total, 1e-10);
    }

    @Test
    void cellsTileTheCrystal() {
        // the Voronoi cells of all sites fill the unit cell exactly: Σ volumes = V
        Structure s = new Structure(Lattice.fromParameters(4.1, 5.3, 6.2, 81, 97, 104),
                new int[]{8, 22, 22, 8, 1}, new double[][]{{0.1, 0.2, 0.3}, {0.6, 0.55, 0.8}, {0.9, 0.05, 0.45},
                {0.33, 0.71, 0.12}, {1.0, 0.5, 0.5}});
        VoronoiNN v = new VoronoiNN(7);
        double sum = 0;
        for (int n = 0; n < s.size(); n++) {
            double solid = 0;
            for (VoronoiFace f : v.polyhedron(s, n)) {
                sum += f.volume();
                solid += f.solidAngle();
            }
            assertEquals(4 * Math.PI, solid, 1e-10);
        }
        assertEquals(s.volume(), sum, 1e-9 * s.volume());
    }

    @Test
    void coordinateOfExactlyOneKeepsItsImagesRelativeToTheStoredValue() {
        // pymatgen keeps a stored 1.0 (np.mod(-1e-17, 1)); images are relative to it, not to the wrapped 0.0
        Structure one = cubic(3.0, new int[]{29, 8}, new double[][]{{0, 0, 0}, {1.0, 0.5, 0.5}});
        Structure zero = cubic(3.0, new int[]{29, 8}, new double[][]{{0, 0, 0}, {0.0, 0.5, 0.5}});
        List<VoronoiFace> a = new VoronoiNN(7).polyhedron(one, 0), b = new VoronoiNN(7).polyhedron(zero, 0);
        assertEquals(b.size(), a.size());
        for (VoronoiFace fb : b) {
            if (fb.site() != 1) continue;
            int[] shifted = {fb.image()[0] - 1, fb.image()[1], fb.image()[2]};
            assertTrue(a.stream().anyMatch(fa -> fa.site() == 1 && Arrays.equals(fa.image(), shifted)));
        }
    }

    @Test
    void voronoiNeighbourWeightsAreSolidAnglesOverTheLargest() {
        Structure s = cubic(2.87, new int[]{26, 26}, new double[][]{{0, 0, 0}, {0.5, 0.5, 0.5}});
        List<Neighbor> nn = new VoronoiNN(7).neighbors(s, 0);
        assertEquals(14, nn.size());
        double[] w = nn.stream().mapToDouble(Neighbor::weight).sorted().toArray();
        assertEquals(1.0, w[13], 0);
        assertArrayEquals(new double[]{0.445364057364 / 1.236773283772}, new double[]{w[0]}, 1e-11);
    }
}
