package org.concdvae.cli;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code concdvae evaluate predict / train-cgcnn}: predictions of an official evaluator on ../shared/data/mptest equal
 * the oracle's (1e-3); a bad row gets an error column; a missing atom_init.json is one clear line naming where it is
 * published; the bare {@code evaluate --samples} without {@code --out} is one clear line; training on mptest lowers the training
 * loss and its best checkpoint predicts through {@code evaluate predict}.
 */
class EvaluateCommandTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static List<CSVRecord> read(Path csv) throws IOException {
        try (Reader r = Files.newBufferedReader(csv);
             CSVParser p = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
            return p.getRecords();
        }
    }

    @Test
    void predictMatchesOfficialAndReportsBadRows() throws IOException {
        Path input = tmp.resolve("in.csv");
        String test = Files.readString(SharedData.path("data/mptest/test.csv"));
        Files.writeString(input, test + "99,mp-bad,0,0,X,0,[],\"data_x\n_cell_length_a 1\n\",1,0,0,1\n");
        Path out = tmp.resolve("pred.csv");
        Run r = run("evaluate", "predict", "--evaluator", SharedData.path("evaluators/mpall20_fm").toString(),
                "--input", input.toString(), "--output", out.toString(), "--threads", "2");
        assertEquals(0, r.code(), r.err());
        System.out.print(r.out());
        Map<String, String> oracle = new HashMap<>();
        for (CSVRecord rec : read(SharedData.path("oracles/cgcnn/predictions.csv"))) oracle.put(rec.get("material_id"), rec.get("mpall20_fm"));
        List<CSVRecord> rows = read(out);
        assertEquals(11, rows.size());
        int checked = 0;
        for (CSVRecord rec : rows) {
            if (rec.get("id").equals("mp-bad")) {
                assertTrue(rec.get("prediction").isEmpty() && !rec.get("error").isEmpty(), rec.toString());
                continue;
            }
            assertEquals(Double.parseDouble(oracle.get(rec.get("id"))), Double.parseDouble(rec.get("prediction")), 1e-3, rec.get("id"));
            checked++;
        }
        assertEquals(10, checked);
    }

    @Test
    void missingAtomFeaturesIsOneClearLine() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("a").resolve("mpall20_bg"));
        Files.copy(SharedData.path("evaluators/mpall20_bg/model_best.pth.tar"), dir.resolve("model_best.pth.tar"));
        Run r = run("evaluate", "predict", "--evaluator", dir.toString(), "--input", SharedData.path("data/mptest/test.csv").toString(),
                "--output", tmp.resolve("o.csv").toString());
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("data/sample-regression/atom_init.json") && r.err().contains("--atom-features"), r.err());
        assertTrue(!Files.exists(tmp.resolve("o.csv")));
        Run bare = run("evaluate", "--samples", "x");
        assertEquals(2, bare.code());
        assertTrue(bare.err().contains("--samples DIR and --out DIR"), bare.err());
    }

    @Test
    void trainCgcnnLossFallsAndBestCheckpointPredicts() throws IOException {
        Path out = tmp.resolve("run");
        Run r = run("evaluate", "train-cgcnn", "--data", SharedData.path("data/mptest").toString(), "--target", "formation_energy_per_atom",
                "--out", out.toString(), "--epochs", "3", "--batch-size", "16", "--lr", "0.005", "--threads", "2", "--seed", "3");
        assertEquals(0, r.code(), r.err());
        System.out.print(r.out());
        List<CSVRecord> m = read(out.resolve("metrics.csv"));
        assertEquals(3, m.size());
        double first = Double.parseDouble(m.get(0).get("train_loss")), last = Double.parseDouble(m.get(m.size() - 1).get("train_loss"));
        System.out.println("train loss " + first + " -> " + last);
        assertTrue(last < first, "training loss falls: " + first + " -> " + last);
        assertTrue(Files.exists(out.resolve("best.safetensors")) && Files.exists(out.resolve("summary.json")));
        Path pred = tmp.resolve("p.csv");
        Run p = run("evaluate", "predict", "--evaluator", out.toString(), "--input", SharedData.path("data/mptest/test.csv").toString(),
                "--output", pred.toString(), "--quiet");
        assertEquals(0, p.code(), p.err());
        for (CSVRecord rec : read(pred)) assertTrue(Double.isFinite(Double.parseDouble(rec.get("prediction"))));

        Path cls = tmp.resolve("cls");
        Run c = run("evaluate", "train-cgcnn", "--data", SharedData.path("data/mptest").toString(), "--target", "band_gap",
                "--classify", "0", "--out", cls.toString(), "--epochs", "1", "--batch-size", "16", "--quiet");
        assertEquals(0, c.code(), c.err());
        double acc = Double.parseDouble(read(cls.resolve("metrics.csv")).get(0).get("val_accuracy"));
        assertTrue(acc >= 0 && acc <= 1);
    }
}
