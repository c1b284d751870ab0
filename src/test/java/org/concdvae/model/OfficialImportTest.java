package org.concdvae.model;

import org.concdvae.io.InvalidInputException;
import org.concdvae.io.Safetensors;
import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.*;

class OfficialImportTest {
    @TempDir Path tmp;

    private Path scaler() throws Exception {
        Path f = tmp.resolve("lattice_scaler.txt");
        Files.writeString(f, "# means\n2.4014349 2.7058041 3.6769695 88.372742 85.682388 85.919685\n"
                + "# stds\n0.5723806 0.5707358 1.5512972 18.714254 16.426632 18.954887\n");
        return f;
    }

    /** The reference .ckpt files import (config from their hyper_parameters and from the *_hparams.json), bit-identical to the safetensors. */
    @Test
    void referenceCheckpointsImportIntoAModelDirectory() throws Exception {
        Path ref = SharedData.path("reference");
        Path out = tmp.resolve("model");
        var r = new OfficialImport.Request(ref.resolve("cdvae_model.ckpt"), ref.resolve("cdvae_hparams.json"), scaler(),
                List.of(new OfficialImport.PriorSource(ref.resolve("prior_default_model.ckpt"), "prior_default", null),
                        new OfficialImport.PriorSource(ref.resolve("prior_full_model.ckpt"), "prior_full", ref.resolve("prior_full_hparams.json"))),
                out);
        var s = OfficialImport.run(r, m -> {});
        assertEquals(List.of("prior_default", "prior_full"), s.priorLabels());
        ModelDirectory dir = ModelDirectory.open(out);
        assertEquals(List.of("formation_energy_per_atom"), dir.config().model().conditionmodel().conditionEmbeddings().stream().map(c -> c.conditionName()).toList());
        assertEquals("scalar", dir.config().model().conditionmodel().conditionEmbeddings().get(0).type());
        assertEquals("data/mptest", dir.config().data().rootPath());
        assertEquals(2.4014349, dir.latticeScaler().means()[0], 1e-7);
        assertSame(identical(ref.resolve("cdvae_weights.safetensors"), out.resolve(ModelDirectory.STEP1_WEIGHTS)), Boolean.TRUE);
        assertSame(identical(ref.resolve("prior_default_weights.safetensors"), out.resolve("prior_default.safetensors")), Boolean.TRUE);
        assertSame(identical(ref.resolve("prior_full_weights.safetensors"), out.resolve("prior_full.safetensors")), Boolean.TRUE);
        assertNotNull(dir.loadStepOne());
        assertEquals(6, dir.loadPrior("prior_full").conditionModel().names().size());
        assertNotNull(dir.loadPrior("prior_default"));
        try (var l = Files.list(tmp)) {
            assertFalse(l.anyMatch(p -> p.getFileName().toString().contains(".partial-")), "no temporary directory left");
        }
    }

    /** Every reference tensor is in the imported file with the same bytes (and nothing else). */
    private static Boolean identical(Path expected, Path actual) {
        Safetensors a = Safetensors.read(expected), b = Safetensors.read(actual);
        assertEquals(a.names(), b.names().stream().filter(a::contains).collect(java.util.stream.Collectors.toSet()));
        assertEquals(a.names().size(), b.names().size(), "same tensor count");
        for (String n : a.names()) {
            assertArrayEquals(a.entry(n).shape(), b.entry(n).shape(), n);
            if (a.entry(n).dtype() == Safetensors.DType.I64) assertArrayEquals(a.entry(n).toLongs(), b.entry(n).toLongs(), n);
            else assertArrayEquals(a.entry(n).toFloats(), b.entry(n).toFloats(), 0f, n);
        }
        return Boolean.TRUE;
    }

    @Test
    void hydraHparamsOfAnotherConditionSetAndMismatchedWeightsGiveOneError() throws Exception {
        Path ref = SharedData.path("reference");
        // the prior's hyper-parameters describe other conditions than the step-one checkpoint holds
        Path bad = tmp.resolve("hparams.yaml");
        Files.writeString(bad, "model:\n  _target_: concdvae.pl_modules.model.CDVAE\n  hidden_dim: 128\n  latent_dim: 256\n");
        var r = new OfficialImport.Request(ref.resolve("cdvae_model.ckpt"), bad, scaler(), List.of(), tmp.resolve("m"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> OfficialImport.run(r, m -> {}));
        assertTrue(e.getMessage().contains("wrong shape"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertFalse(Files.exists(tmp.resolve("m")));
        try (var l = Files.list(tmp)) {
            assertFalse(l.anyMatch(p -> p.getFileName().toString().contains(".partial-")));
        }
    }

    @Test
    void corruptOrForeignCheckpointsAreRefusedWithoutLeavingOutput() throws Exception {
        Path ref = SharedData.path("reference");
        byte[] good = Files.readAllBytes(ref.resolve("cdvae_model.ckpt"));
        Path truncated = tmp.resolve("truncated.ckpt");
        Files.write(truncated, java.util.Arrays.copyOf(good, good.length / 2));
        Path foreign = tmp.resolve("foreign.ckpt");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(foreign))) {
            z.putNextEntry(new ZipEntry("readme.txt"));
            z.write("hello".getBytes());
            z.closeEntry();
        }
        Path evil = tmp.resolve("evil.ckpt");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(evil))) {
            z.putNextEntry(new ZipEntry("evil/data.pkl"));
            // protocol 2: GLOBAL os.system, '(' 'echo hi' tuple, REDUCE, STOP
            z.write(new byte[]{(byte) 0x80, 2});
            z.write("cos\nsystem\n(X\u0007\u0000\u0000\u0000echo hitR.".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            z.closeEntry();
        }
        for (Path f : List.of(truncated, foreign, evil)) {
            Path out = tmp.resolve("out-" + f.getFileName());
            var r = new OfficialImport.Request(f, ref.resolve("cdvae_hparams.json"), scaler(), List.of(), out);
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> OfficialImport.run(r, m -> {}));
            assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertFalse(Files.exists(out));
        }
        assertTrue(assertThrows(InvalidInputException.class, () -> OfficialImport.run(new OfficialImport.Request(evil, null, scaler(),
                List.of(), tmp.resolve("x")), m -> {})).getMessage().contains("refusing"));
        try (var l = Files.list(tmp)) {
            assertFalse(l.anyMatch(p -> p.getFileName().toString().contains(".partial-")));
        }
    }

    /** A torch.save'd scaler object (official lattice_scaler.pt layout: an object with means/stds tensors). */
    @Test
    void latticeScalerFromATorchSavedObject() throws Exception {
        float[] means = {2.4014349f, 2.7058041f, 3.6769695f, 88.372742f, 85.682388f, 85.919685f};
        float[] stds = {0.5723806f, 0.5707358f, 1.5512972f, 18.714254f, 16.426632f, 18.954887f};
        org.concdvae.io.PickleWriter w = new org.concdvae.io.PickleWriter();
        w.global("concdvae.common.data_utils", "StandardScalerTorch").emptyTuple().newobj();
        w.emptyDict().mark();
        w.str("means").tensor("FloatStorage", "0", 6, 0, new long[]{6}, new long[]{1});
        w.str("stds").tensor("FloatStorage", "1", 6, 0, new long[]{6}, new long[]{1});
        w.setitems().build().stop();
        Path pt = org.concdvae.io.PickleWriter.archive(tmp, "lattice_scaler", w.bytes(), java.util.Map.of(
                "0", org.concdvae.io.PickleWriter.floats(java.nio.ByteOrder.LITTLE_ENDIAN, means),
                "1", org.concdvae.io.PickleWriter.floats(java.nio.ByteOrder.LITTLE_ENDIAN, stds)), "little");
        var sc = OfficialImport.readScaler(pt);
        for (int k = 0; k < 6; k++) {
            assertEquals(means[k], sc.means()[k], 0.0);
            assertEquals(stds[k], sc.stds()[k], 0.0);
        }
        // found beside the checkpoint when --lattice-scaler is not given
        Path ref = SharedData.path("reference");
        Path ckDir = Files.createDirectory(tmp.resolve("run"));
        Files.copy(ref.resolve("cdvae_model.ckpt"), ckDir.resolve("last.ckpt"));
        Files.copy(pt, ckDir.resolve("lattice_scaler.pt"));
        OfficialImport.run(new OfficialImport.Request(ckDir.resolve("last.ckpt"), null, null, List.of(), tmp.resolve("m")), m -> {});
        assertArrayEquals(ModelDirectory.open(tmp.resolve("m")).latticeScaler().stds(), sc.stds(), 1e-8);
        // a checkpoint that is not a scaler
        assertTrue(assertThrows(InvalidInputException.class, () -> OfficialImport.readScaler(ref.resolve("cdvae_model.ckpt")))
                .getMessage().contains("not a lattice scaler"));
    }
}
