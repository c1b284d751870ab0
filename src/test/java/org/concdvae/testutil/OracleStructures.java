package org.concdvae.testutil;

import com.fasterxml.jackson.databind.JsonNode;
import org.concdvae.crystal.Element;
import org.concdvae.crystal.Lattice;
import org.concdvae.crystal.Structure;

/**
 * Structures as the pymatgen oracles write them in JSON: a 3 × 3 {@code lattice_matrix} (rows are the lattice vectors),
 * {@code species} symbols and {@code frac_coords}, taken exactly (no wrapping, no reduction).
 */
public final class OracleStructures {
    private OracleStructures() {}

    /** {@code n} holds {@code lattice_matrix}, {@code species} and {@code frac_coords}. */
    public static Structure of(JsonNode n) { return of(n.get("lattice_matrix"), n); }

    /** The lattice from {@code latticeMatrix}, the sites from {@code sites}' {@code species} and {@code frac_coords}. */
    public static Structure of(JsonNode latticeMatrix, JsonNode sites) {
        double[][] m = new double[3][3];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) m[i][j] = latticeMatrix.get(i).get(j).asDouble();
        int k = sites.get("species").size();
        int[] z = new int[k];
        double[][] f = new double[k][3];
        for (int i = 0; i < k; i++) {
            z[i] = Element.fromSymbol(sites.get("species").get(i).asText()).z();
            for (int c = 0; c < 3; c++) f[i][c] = sites.get("frac_coords").get(i).get(c).asDouble();
        }
        return new Structure(Lattice.fromMatrix(m), z, f);
    }
}
