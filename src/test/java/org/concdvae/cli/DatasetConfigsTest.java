package org.concdvae.cli;

import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The CDVAE benchmark presets on the ../shared/data samples: 'preprocess --input X.csv --out D' works on any CSV in
 * the CDVAE layout with no config (property columns kept as they come), and train-step1 with the data set's preset
 * (at tiny width) picks its property from them and trains a few steps.
 */
class DatasetConfigsTest {
    /** The tiny preset's widths on top of a data set preset: a few seconds per step on two cores. */
    static final List<String> TINY = List.of("model.hidden_dim=32", "model.latent_dim=32", "model.time_emb_dim=16",
            "model.num_noise_level=10", "model.encoder.hidden_channels=16", "model.encoder.num_blocks=1",
            "model.encoder.int_emb_size=8", "model.encoder.basis_emb_size=4", "model.encoder.out_emb_channels=32",
            "model.decoder.hidden_dim=16", "model.decoder.num_radial=16", "model.decoder.num_blocks=1",
            "model.decoder.emb_size_trip=8", "model.decoder.emb_size_rbf=4", "model.decoder.emb_size_cbf=4",
            "model.decoder.emb_size_bil_trip=8", "model.conditionmodel.n_features=16", "model.conditionmodel.n_layers=1");

    static int exec(StringWriter err, String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(new StringWriter()));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "perov_5, data/perov_5/val.csv, -, heat_ref",
            "carbon_24, data/carbon_24/val.csv, carbon_24, energy_per_atom",   // max_atoms 24 is a structure filter: preprocess needs it
            "mp_20, data/mp20-sample/train.csv, -, formation_energy_per_atom"})
    void preprocessAnyCsvThenTrainWithThePreset(String preset, String csv, String preprocessConfig, String property,
                                                @TempDir Path tmp) throws IOException {
        Path head = head(SharedData.path(csv), tmp.resolve("head.csv"), 30);
        Path data = tmp.resolve("data");
        List<String> pre = new ArrayList<>(List.of("preprocess", "--input", head.toString(), "--out", data.toString(), "-q", "--threads", "2"));
        if (!preprocessConfig.equals("-")) pre.addAll(List.of("--config", preprocessConfig));
        StringWriter err = new StringWriter();
        assertEquals(0, exec(err, pre.toArray(String[]::new)), err.toString());
        String summary = Files.readString(data.resolve("summary.json"));
        assertTrue(summary.contains("\"" + property + "\""), "property column not kept: " + summary);
        assertFalse(summary.contains("\"cif\"") || summary.contains("\"material_id\""), summary);

        List<String> train = new ArrayList<>(List.of("train-step1", "--config", preset, "--data", data.toString(),
                "--out", tmp.resolve("model").toString(), "--epochs", "1", "--batch-size", "8", "-q", "--threads", "2"));
        for (String s : TINY) train.addAll(List.of("--set", s));
        assertEquals(0, exec(err, train.toArray(String[]::new)), err.toString());
        String metrics = Files.readString(tmp.resolve("model/metrics.csv"));
        assertEquals(2, metrics.strip().split("\n").length, metrics);
        String config = Files.readString(tmp.resolve("model/config.yaml"));
        assertTrue(config.contains("condition_name") && config.contains(property), config);
    }

    @org.junit.jupiter.api.Test
    void aPropertyTheDataLacksIsNamedAtTrainingTime(@TempDir Path tmp) throws IOException {
        Path head = head(SharedData.path("data/perov_5/val.csv"), tmp.resolve("head.csv"), 12);
        Path data = tmp.resolve("data");
        StringWriter err = new StringWriter();
        assertEquals(0, exec(err, "preprocess", "--input", head.toString(), "--out", data.toString(), "-q", "--config", "tiny"), err.toString());
        err = new StringWriter();
        int code = exec(err, "train-step1", "--config", "tiny", "--data", data.toString(), "--out", tmp.resolve("m").toString(), "-q");
        assertEquals(ExitCode.BAD_INPUT, code);
        String e = err.toString().strip();
        assertTrue(e.startsWith("error: ") && !e.contains("\n"), e);
        assertTrue(e.contains("formation_energy_per_atom") && e.contains("data.prop") && e.contains("heat_ref"), e);
    }

    static Path head(Path from, Path to, int rows) throws IOException {
        try (CSVParser p = CSVParser.parse(from, StandardCharsets.UTF_8, CSVFormat.DEFAULT);
             CSVPrinter w = new CSVPrinter(Files.newBufferedWriter(to), CSVFormat.DEFAULT)) {
            int n = 0;
            for (CSVRecord r : p) {   // the header (with its unnamed index column) and the first rows, as they are
                if (n++ > rows) break;
                w.printRecord((Object[]) r.values());
            }
        }
        return to;
    }
}
