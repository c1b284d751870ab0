package org.concdvae.cli;

import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code concdvae import}: end to end on the reference files; bad input is one {@code error:} line, exit 2, no output. */
class ImportCommandTest {
    @TempDir Path tmp;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void importsAModelWithItsPriorsAndACgcnnEvaluator() throws Exception {
        Path ref = SharedData.path("reference");
        Path scaler = tmp.resolve("lattice_scaler.txt");
        Files.writeString(scaler, "# means\n2.4014349 2.7058041 3.6769695 88.372742 85.682388 85.919685\n"
                + "# stds\n0.5723806 0.5707358 1.5512972 18.714254 16.426632 18.954887\n");
        Path model = tmp.resolve("model");
        assertEquals(ExitCode.OK, run("import", "--checkpoint", ref.resolve("cdvae_model.ckpt").toString(),
                "--hparams", ref.resolve("cdvae_hparams.json").toString(), "--lattice-scaler", scaler.toString(),
                "--prior", ref.resolve("prior_full_model.ckpt").toString(), "--prior-label", "prior_full", "--out", model.toString()), err.toString());
        for (String f : new String[]{"config.yaml", "best.safetensors", "best.json", "lattice_scaler.txt", "prior_full.safetensors",
                "prior_full.json", "prior_full-config.yaml", "import.json"}) {
            assertTrue(Files.isRegularFile(model.resolve(f)), f);
        }
        assertTrue(Files.readString(model.resolve("import.json")).contains("\"label\" : \"prior_full\""));

        Path ev = tmp.resolve("mpall20_bg");
        assertEquals(ExitCode.OK, run("import", "--kind", "cgcnn", "--checkpoint",
                SharedData.path("evaluators/mpall20_bg/model_best.pth.tar").toString(), "--out", ev.toString()), err.toString());
        assertTrue(Files.isRegularFile(ev.resolve("best.safetensors")) && Files.isRegularFile(ev.resolve("atom_init.json")));

        // an existing output is never overwritten
        err.getBuffer().setLength(0);
        assertEquals(ExitCode.BAD_INPUT, run("import", "--kind", "cgcnn", "--checkpoint",
                SharedData.path("evaluators/mpall20_bg/model_best.pth.tar").toString(), "--out", ev.toString()));
        assertTrue(err.toString().contains("already exists"), err.toString());
    }

    @Test
    void corruptCheckpointIsOneLineExitTwoAndNoOutput() {
        Path out1 = tmp.resolve("m");
        assertEquals(ExitCode.BAD_INPUT, run("import", "--checkpoint", "src/test/resources/bad-input/checkpoints/random_bytes.pt",
                "--hparams", SharedData.path("reference/cdvae_hparams.json").toString(), "--out", out1.toString()));
        String e = err.toString().trim();
        assertTrue(e.startsWith("error: ") && !e.contains("\n") && e.contains("random_bytes.pt"), e);
        assertFalse(Files.exists(out1));
        try (var l = Files.list(tmp)) {
            assertEquals(0, l.count(), "no temporary directory left");
        } catch (java.io.IOException x) {
            throw new java.io.UncheckedIOException(x);
        }
    }

    @Test
    void cgcnnWithoutAtomFeaturesSaysWhereToGetThem() throws Exception {
        Path pth = tmp.resolve("alone/model_best.pth.tar");
        Files.createDirectories(pth.getParent());
        Files.copy(SharedData.path("reference/cgcnn_model.pth.tar"), pth);
        assertEquals(ExitCode.BAD_INPUT, run("import", "--kind", "cgcnn", "--checkpoint", pth.toString(), "--out", tmp.resolve("e").toString()));
        String e = err.toString().trim();
        assertTrue(e.startsWith("error: ") && e.contains("--atom-features") && !e.contains("\n"), e);
        assertFalse(Files.exists(tmp.resolve("e")));
    }
}
