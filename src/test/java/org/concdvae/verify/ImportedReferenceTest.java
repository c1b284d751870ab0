package org.concdvae.verify;

import org.concdvae.eval.CgcnnEvaluator;
import org.concdvae.eval.CgcnnImport;
import org.concdvae.model.OfficialImport;
import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The reference .ckpt files imported with {@code concdvae import} (config from the checkpoints' own
 * hyper_parameters) and the twelve official CGCNN evaluators imported with {@code --kind cgcnn} reproduce the
 * reference outputs when the verification reads the imported directories instead of the safetensors / .pth.tar
 * files (tolerances of the checks; the full verify-reference run is the slow test).
 */
class ImportedReferenceTest {
    static Path tmp, model, evaluators;
    static final List<String> EVALUATORS = new ArrayList<>();

    @BeforeAll
    static void importAll() throws Exception {
        tmp = Files.createTempDirectory("concdvae-import-test");
        Path ref = SharedData.path("reference");
        Path scaler = tmp.resolve("lattice_scaler.txt");
        Files.writeString(scaler, "# means\n2.4014349 2.7058041 3.6769695 88.372742 85.682388 85.919685\n"
                + "# stds\n0.5723806 0.5707358 1.5512972 18.714254 16.426632 18.954887\n");
        model = tmp.resolve("model");
        OfficialImport.run(new OfficialImport.Request(ref.resolve("cdvae_model.ckpt"), null, scaler,
                List.of(new OfficialImport.PriorSource(ref.resolve("prior_default_model.ckpt"), "prior_default", null),
                        new OfficialImport.PriorSource(ref.resolve("prior_full_model.ckpt"), "prior_full", null)), model), m -> {});
        evaluators = tmp.resolve("evaluators");
        Path official = SharedData.path("evaluators");
        try (Stream<Path> l = Files.list(official)) {
            for (Path d : l.filter(Files::isDirectory).sorted().toList()) {
                CgcnnImport.run(d.resolve(CgcnnEvaluator.CGCNN_CHECKPOINT), null, evaluators.resolve(d.getFileName().toString()));
                EVALUATORS.add(d.getFileName().toString());
            }
        }
    }

    @AfterAll
    static void cleanUp() throws Exception {
        try (Stream<Path> s = Files.walk(tmp)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static void assertAllPass(List<Comparison> r, int expected) {
        List<String> failed = new ArrayList<>();
        for (Comparison x : r) {
            System.out.println(x.line());
            if (!x.passed()) failed.add(x.line());
        }
        assertEquals(expected, r.size(), "one comparison per reference tensor");
        assertTrue(failed.isEmpty(), String.join("\n", failed));
    }

    @Test
    void importedStepOneAndPriorsReproduceTheReference() {
        try (ReferenceSession s = ReferenceSession.open(SharedData.path("reference"), model, null, 2)) {
            assertAllPass(PriorReferenceCheck.all().get(0).run(s), 13 + 5);
            assertAllPass(PriorReferenceCheck.all().get(1).run(s), 26 + 5);
            List<Comparison> heads = new HeadsReferenceCheck().run(s);
            assertTrue(heads.stream().allMatch(Comparison::passed), "heads");
        }
    }

    @Test
    void importedEvaluatorsReproduceThePretrainedOutputs() throws Exception {
        assertEquals(12, EVALUATORS.size(), "the twelve official evaluators");
        try (ReferenceSession s = ReferenceSession.open(SharedData.path("reference"), null, evaluators, 2)) {
            assertAllPass(new CgcnnReferenceCheck().run(s), 21);
        }
        // all twelve (eight have no stored outputs): the imported directory holds exactly the .pth.tar's network
        // (architecture, task, normaliser, every tensor bit for bit), so it predicts exactly what the .pth.tar does
        for (String name : EVALUATORS) {
            CgcnnEvaluator imported = CgcnnEvaluator.load(evaluators.resolve(name), null);
            CgcnnEvaluator official = CgcnnEvaluator.load(SharedData.path("evaluators/" + name + "/model_best.pth.tar"), null);
            assertEquals(official.model().args(), imported.model().args(), name);
            assertEquals(official.mean(), imported.mean(), 0.0, name);
            assertEquals(official.std(), imported.std(), 0.0, name);
            var ow = official.model().store().stateDict();
            var iw = imported.model().store().stateDict();
            assertEquals(ow.keySet(), iw.keySet(), name);
            for (String k : ow.keySet()) {
                INDArray o = ow.get(k), a = iw.get(k);
                assertArrayEquals(o.shape(), a.shape(), name + " " + k);
                assertArrayEquals(o.dup().castTo(DataType.DOUBLE).reshape(o.length()).toDoubleVector(),
                        a.dup().castTo(DataType.DOUBLE).reshape(a.length()).toDoubleVector(), 0.0, name + " " + k);
            }
        }
    }

    @Test
    void importedRandomWeightCgcnnHoldsTheReferenceWeights() {
        Path out = tmp.resolve("cgcnn_model");
        CgcnnImport.run(SharedData.path("reference/cgcnn_model.pth.tar"), SharedData.path("evaluators/atom_init.json"), out);
        assertTrue(Files.isRegularFile(out.resolve("atom_init.json")));
        CgcnnEvaluator ev = CgcnnEvaluator.load(out, null);
        assertFalse(ev.classification());
        var ref = org.concdvae.io.Safetensors.read(SharedData.path("reference").resolve(CgcnnReferenceCheck.WEIGHTS));
        var w = ev.model().store().stateDict();
        assertEquals(ref.names(), w.keySet());
        for (String k : ref.names()) {
            assertArrayEquals(ref.entry(k).toDoubles(), w.get(k).dup().castTo(DataType.DOUBLE).reshape(w.get(k).length()).toDoubleVector(), 0.0, k);
        }
    }

    @Test
    void verifyReferencePassesOnTheImportedDirectories() {
        List<Comparison> all = ReferenceVerifier.run(SharedData.path("reference"), model, evaluators, 2, List.of(), null);
        List<String> failed = all.stream().filter(c -> !c.passed()).map(Comparison::line).toList();
        assertTrue(all.size() > 400, "every reference tensor compared");
        assertTrue(failed.isEmpty(), String.join("\n", failed));
    }
}
