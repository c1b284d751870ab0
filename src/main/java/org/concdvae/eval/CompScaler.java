package org.concdvae.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * CDVAE's {@code CompScaler}: the fixed standardisation of the 132 Magpie composition features (means and standard
 * deviations of MP-20, used by {@code compute_cov} for every data set), {@code (x − mean) / std}, then NaN → 0.
 */
public final class CompScaler {
    private static final double[] MEANS, STDS;

    static {
        try (InputStream in = CompScaler.class.getResourceAsStream("cdvae_comp_scaler.json")) {
            if (in == null) throw new IllegalStateException("cdvae_comp_scaler.json resource missing");
            JsonNode n = new ObjectMapper().readTree(in);
            MEANS = vector(n.get("means"));
            STDS = vector(n.get("stds"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (MEANS.length != 132 || STDS.length != 132) throw new IllegalStateException("CompScaler needs 132 means and stds");
    }

    private CompScaler() {}

    private static double[] vector(JsonNode a) {
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) v[i] = a.get(i).asDouble();
        return v;
    }

    /** The scaled fingerprint (a new array). */
    public static double[] scale(double[] raw) {
        if (raw.length != MEANS.length) throw new IllegalArgumentException("composition fingerprint has " + raw.length + " values, not 132");
        double[] out = new double[raw.length];
        for (int i = 0; i < raw.length; i++) {
            double v = (raw[i] - MEANS[i]) / STDS[i];
            out[i] = Double.isNaN(v) ? 0.0 : v;
        }
        return out;
    }
}
