package org.concdvae.eval;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.concdvae.cli.Main;
import org.concdvae.config.Config;
import org.concdvae.config.ConfigLoader;
import org.concdvae.data.Preprocessor;
import org.concdvae.testutil.SharedData;
import org.concdvae.train.Step1Trainer;
import org.concdvae.train.TrainingData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * evaluate latent on a tiny one-epoch step-one model: a CSV row per usable crystal and one decodable PNG per property.
 * Slow (trains the model first, ~1 min on 2 cores).
 */
class LatentTsneTest {
    @TempDir
    Path root;

    @Test
    void writesMapAndPlots() throws Exception {
        Config tiny = ConfigLoader.resolve("tiny", List.of("data.prelo_prop=[formation_energy_per_atom, band_gap, crystal_system]"));
        Path data = Files.createDirectories(root.resolve("data"));
        head(SharedData.path("data/mptest4conz/train.csv"), data.resolve("train.csv"), 10);
        head(SharedData.path("data/mptest4conz/val.csv"), data.resolve("val.csv"), 12);
        TrainingData small = TrainingData.load(data, tiny, 42, 2);
        Path model = root.resolve("model");
        new Step1Trainer(tiny, small, model, new Step1Trainer.Options(42, 2, 1, null, false, 10, 5, "test", "test"), null).run();
        Path out = root.resolve("latent");
        int code = new CommandLine(new Main()).execute("evaluate", "latent", "--model", model.toString(), "--data",
                data.resolve("val.csv").toString(), "--out", out.toString(), "--iterations", "300", "--perplexity", "3", "--quiet",
                "--export", out.resolve("mu.safetensors").toString());
        assertEquals(0, code);
        List<String> lines = Files.readAllLines(out.resolve("latent_tsne.csv"));
        int kept = new Preprocessor(tiny, 2, false).process(data.resolve("val.csv"), i -> { }).kept().size();
        assertEquals(kept + 1, lines.size(), "header + one row per usable crystal");
        // --export: every usable crystal's mu, ids in the table's order, properties beside
        org.concdvae.io.Safetensors mu = org.concdvae.io.Safetensors.read(out.resolve("mu.safetensors"));
        assertArrayEquals(new long[]{kept, tiny.model().latentDim()}, mu.shape("mu"));
        List<String> ids = org.concdvae.sample.LatentFile.ids(mu);
        assertEquals(kept, ids.size());
        assertEquals(lines.get(1).split(",")[0], ids.get(0));
        assertEquals(Double.parseDouble(lines.get(1).split(",")[3]), mu.doubles("formation_energy_per_atom")[0], 1e-9);
        assertEquals("id,tsne_x,tsne_y,formation_energy_per_atom,band_gap,crystal_system", lines.get(0));
        for (String p : List.of("formation_energy_per_atom", "band_gap", "crystal_system")) {
            BufferedImage img = ImageIO.read(out.resolve("tsne_" + p + ".png").toFile());
            assertNotNull(img, p);
            assertEquals(LatentPlots.WIDTH, img.getWidth());
            assertEquals(LatentPlots.HEIGHT, img.getHeight());
        }
    }

    static void head(Path in, Path out, int n) throws Exception {
        CSVFormat f = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setAllowMissingColumnNames(true).build();
        try (CSVParser p = CSVParser.parse(in, java.nio.charset.StandardCharsets.UTF_8, f);
             CSVPrinter w = new CSVPrinter(Files.newBufferedWriter(out), CSVFormat.DEFAULT)) {
            w.printRecord(p.getHeaderNames());
            int k = 0;
            for (CSVRecord r : p) {
                if (k++ == n) break;
                w.printRecord(r.toList());
            }
        }
    }
}
