package org.concdvae.sample;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import org.concdvae.io.InvalidInputException;
import org.concdvae.io.Safetensors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Latents with per-row values as one safetensors file, for studying the latent space (the official
 * {@code scripts/extra_z.py} writes the test set's μ the same way, as a pickle): tensor {@code key} {@code [rows, dim]}
 * (float32), one float64 tensor {@code [rows]} per named column, and the row ids in the metadata ({@code ids}, a JSON
 * array) next to free-text notes. numpy/torch read it with {@code safetensors.numpy.load_file} and {@code safe_open}.
 */
public final class LatentFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String key;
    private final List<String> columns;
    private final List<String> ids = new ArrayList<>();
    private final List<float[]> latents = new ArrayList<>();
    private final List<double[]> values = new ArrayList<>();

    /** @param key name of the latent tensor ({@code z} for generated crystals, {@code mu} for encoded ones) */
    public LatentFile(String key, List<String> columns) {
        this.key = key;
        this.columns = List.copyOf(columns);
    }

    /** Adds a row; {@code values} in column order, NaN where a value is missing. */
    public void add(String id, float[] latent, double[] values) {
        if (values.length != columns.size()) throw new IllegalArgumentException("one value per column");
        if (!latents.isEmpty() && latent.length != latents.get(0).length) throw new IllegalArgumentException("latent width differs");
        ids.add(id);
        latents.add(latent.clone());
        this.values.add(values.clone());
    }

    public int rows() { return ids.size(); }

    /** Drops the rows from {@code rows} on (a batch that failed to write is taken back). */
    public void truncate(int rows) {
        ids.subList(rows, ids.size()).clear();
        latents.subList(rows, latents.size()).clear();
        values.subList(rows, values.size()).clear();
    }

    private final Map<String, String> notes = new LinkedHashMap<>();

    /** Notes of the file rows were read from (kept when merging). */
    public Map<String, String> notes() { return notes; }

    /** Reads the first {@code rows} rows of a file this class wrote (to continue an interrupted run). */
    public void readRows(Path file, int rows) {
        readRowsAppend(Safetensors.read(file), rows);
    }

    /** Appends the first {@code rows} rows of a file this class wrote. */
    public void readRowsAppend(Safetensors st, int rows) {
        Path file = st.file();
        st.metadata().forEach((k, v) -> { if (!k.equals("ids") && !k.equals("columns")) notes.put(k, v); });
        List<String> fileIds = ids(st);
        if (fileIds.size() < rows || !st.contains(key)) throw new InvalidInputException(file + ": fewer latents than the run records");
        long[] shape = st.shape(key);
        float[] z = st.floats(key);
        int dim = (int) shape[1];
        List<double[]> cols = new ArrayList<>();
        for (String c : columns) {
            if (!st.contains(c)) throw new InvalidInputException(file + ": no tensor '" + c + "'; cannot resume");
            cols.add(st.doubles(c));
        }
        for (int i = 0; i < rows; i++) {
            float[] row = new float[dim];
            System.arraycopy(z, i * dim, row, 0, dim);
            double[] v = new double[columns.size()];
            for (int c = 0; c < v.length; c++) v[c] = cols.get(c)[i];
            add(fileIds.get(i), row, v);
        }
    }

    /** The row ids stored in a file's metadata. */
    public static List<String> ids(Safetensors st) {
        String text = st.metadata().get("ids");
        List<String> out = new ArrayList<>();
        if (text == null) return out;
        try {
            JSON.readTree(text).forEach(n -> out.add(n.asText()));
        } catch (IOException e) {
            throw new InvalidInputException(st.file() + ": metadata 'ids' is not a JSON array");
        }
        return out;
    }

    /** Writes the file atomically (nothing when there are no rows). */
    public void write(Path file, Map<String, String> notes) {
        if (ids.isEmpty()) return;
        int n = ids.size(), dim = latents.get(0).length;
        float[] flat = new float[n * dim];
        for (int i = 0; i < n; i++) System.arraycopy(latents.get(i), 0, flat, i * dim, dim);
        Map<String, INDArray> t = new LinkedHashMap<>();
        t.put(key, Nd4j.create(flat, new long[]{n, dim}, DataType.FLOAT));
        for (int c = 0; c < columns.size(); c++) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) v[i] = values.get(i)[c];
            t.put(columns.get(c), Nd4j.create(v, new long[]{n}, DataType.DOUBLE));
        }
        Map<String, String> meta = new LinkedHashMap<>(notes);
        ArrayNode a = JSON.createArrayNode();
        ids.forEach(a::add);
        meta.put("ids", a.toString());
        meta.put("columns", String.join(",", columns));
        try {
            Safetensors.write(file, t, meta);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        t.values().forEach(INDArray::close);
    }
}
