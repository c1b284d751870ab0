package org.concdvae.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads the reference checkpoints and the official CGCNN evaluators; checks every tensor bit for bit. */
class TorchCheckpointTest {

    /** Every safetensors tensor is in the checkpoint with the same dtype, shape and bits, and nothing else is. */
    private static void assertBitIdentical(Map<String, TorchTensor> sd, Path safetensors) {
        Safetensors ref = Safetensors.read(safetensors);
        assertEquals(new TreeSet<>(ref.names()), new TreeSet<>(sd.keySet()), "state_dict keys of " + safetensors.getFileName());
        for (String name : ref.names()) {
            TorchTensor t = sd.get(name);
            Safetensors.Entry r = ref.require(name);
            assertArrayEquals(java.util.Arrays.stream(r.shape()).mapToInt(x -> (int) x).toArray(), t.shape(), name);
            assertEquals(r.dtype().name(), t.dtype().safetensorsName(), name);
            if (r.dtype() == Safetensors.DType.F32) {
                float[] want = ref.floats(name);
                float[] got = t.toFloatArray();
                assertEquals(want.length, got.length, name);
                int[] wantBits = new int[want.length];
                int[] gotBits = new int[got.length];
                for (int k = 0; k < want.length; k++) {
                    wantBits[k] = Float.floatToRawIntBits(want[k]);
                    gotBits[k] = Float.floatToRawIntBits(got[k]);
                }
                assertArrayEquals(wantBits, gotBits, name);
            } else {
                assertArrayEquals(ref.longs(name), t.toLongArray(), name);
            }
        }
    }

    @Test
    void cdvaeCheckpointMatchesSafetensors() throws IOException {
        TorchCheckpoint ck = TorchCheckpoint.read(SharedData.path("reference/cdvae_model.ckpt"));
        assertEquals(424, ck.stateDict().size());
        assertBitIdentical(ck.stateDict(), SharedData.path("reference/cdvae_weights.safetensors"));
        // top-level keys in the pickle's order
        assertEquals(List.of("epoch", "global_step", "pytorch-lightning_version", "state_dict", "hyper_parameters"),
                List.copyOf(ck.root().keySet()));
        assertEquals("2.4.0", ck.root().get("pytorch-lightning_version"));
        assertEquals(3, ck.formatVersion());
        assertEquals("little", ck.byteOrder());
        assertEquals(0L, ck.epoch().orElseThrow());
        assertEquals(0L, ck.globalStep().orElseThrow());
        // hyper_parameters come out as nested plain maps matching the exported JSON
        Map<String, Object> hp = ck.hyperParameters().orElseThrow();
        JsonNode json = new ObjectMapper().readTree(SharedData.path("reference/cdvae_hparams.json").toFile());
        assertEquals(((Number) hp.get("hidden_dim")).longValue(), json.path("hidden_dim").asLong(-1));
        assertEquals(((Number) hp.get("latent_dim")).longValue(), json.path("latent_dim").asLong(-1));
        // file order: the pickle lists sigmas first, as the safetensors header does
        assertEquals("sigmas", ck.stateDict().keySet().iterator().next());
    }

    @ParameterizedTest
    @ValueSource(strings = {"prior_default", "prior_full"})
    void priorCheckpointsMatchSafetensors(String name) throws IOException {
        TorchCheckpoint ck = TorchCheckpoint.read(SharedData.path("reference/" + name + "_model.ckpt"), TorchCheckpoint.Options.prior());
        assertBitIdentical(ck.stateDict(), SharedData.path("reference/" + name + "_weights.safetensors"));
        assertEquals(0, ck.skippedStateDictEntries(), "the reference priors carry no _model.* keys");
        assertTrue(ck.hyperParameters().isPresent());
    }

    @Test
    void cgcnnCheckpointHasNormalizerAndArgs() throws IOException {
        TorchCheckpoint ck = TorchCheckpoint.read(SharedData.path("reference/cgcnn_model.pth.tar"));
        assertBitIdentical(ck.stateDict(), SharedData.path("reference/cgcnn_weights.safetensors"));
        TorchCheckpoint.Normalizer n = ck.normalizer().orElseThrow();
        assertTrue(Double.isFinite(n.mean()) && n.std() > 0, n.toString());
        Map<String, Object> args = ck.args().orElseThrow();
        assertEquals(64L, args.get("atom_fea_len"));
        assertEquals(3L, args.get("n_conv"));
        assertEquals(128L, args.get("h_fea_len"));
        assertEquals(1L, args.get("n_h"));
        assertEquals(3, ck.intArg("n_conv"));
        assertEquals("regression", ck.stringArg("task"));
        assertArrayEquals(new int[]{64, 92}, ck.tensor("embedding.weight", 64, 92).shape());
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ck.tensor("embedding.weight", 92, 64));
        assertTrue(e.getMessage().contains("'embedding.weight' has shape [64, 92], expected [92, 64]"), e.getMessage());
        assertTrue(assertThrows(InvalidInputException.class, () -> ck.tensor("nope")).getMessage().contains("no entry 'nope'"));
        assertTrue(assertThrows(InvalidInputException.class, () -> ck.intArg("task")).getMessage().contains("args.task is not an integer"));
    }

    static final List<String> EVALUATORS = List.of("mpall20_bg", "mpall20_fm", "mpall20_Cbg", "mpall20_Cfm",
            "mpall40_bg", "mpall40_fm", "mpall40_Cbg", "mpall40_Cfm", "oqmd_bg", "oqmd_fm", "oqmd_Cbg", "oqmd_Cfm");

    @Test
    void allTwelveOfficialEvaluatorsLoad() throws Exception {
        JsonNode info = new ObjectMapper().readTree(SharedData.path("reference/cgcnn_pretrained_info.json").toFile());
        Set<String> expectedRegression = new TreeSet<>(Safetensors.read(SharedData.path("reference/cgcnn_weights.safetensors")).names());
        for (String name : EVALUATORS) {
            Path f = SharedData.path("evaluators/" + name + "/model_best.pth.tar");
            TorchCheckpoint ck = TorchCheckpoint.read(f);
            boolean classification = name.contains("_C");
            Map<String, Object> args = ck.args().orElseThrow();
            assertEquals(classification ? "classification" : "regression", args.get("task"), name);
            assertEquals(64L, args.get("atom_fea_len"), name);
            assertEquals(3L, args.get("n_conv"), name);
            assertEquals(128L, args.get("h_fea_len"), name);
            assertEquals(1L, args.get("n_h"), name);
            Map<String, TorchTensor> sd = ck.stateDict();
            assertEquals(expectedRegression, new TreeSet<>(sd.keySet()), name);
            assertArrayEquals(new int[]{classification ? 2 : 1, 128}, sd.get("fc_out.weight").shape(), name);
            assertArrayEquals(new int[]{64, 92}, sd.get("embedding.weight").shape(), name);
            assertArrayEquals(new int[]{128, 169}, sd.get("convs.2.fc_full.weight").shape(), name);
            TorchCheckpoint.Normalizer norm = ck.normalizer().orElseThrow();
            if (classification) {
                assertEquals(new TorchCheckpoint.Normalizer(0.0, 1.0), norm, name);
            } else {
                assertTrue(norm.std() > 0.05 && norm.std() < 5 && Math.abs(norm.mean()) < 5, name + " " + norm);
            }
            for (TorchTensor t : sd.values()) {
                for (double v : t.toDoubleArray()) assertTrue(Double.isFinite(v), name);
            }
            if (info.has(name)) assertEquals(info.get(name).get("sha256").asText(), sha256(f), name);
        }
        // the design document's example: mpall20_bg normaliser mean 0.6388, std 1.2232
        TorchCheckpoint.Normalizer bg = TorchCheckpoint.read(SharedData.path("evaluators/mpall20_bg/model_best.pth.tar")).normalizer().orElseThrow();
        assertEquals(0.6388, bg.mean(), 5e-5);
        assertEquals(1.2232, bg.std(), 5e-5);
    }

    private static String sha256(Path f) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(f)) {
            md.update(in.readAllBytes());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    // ---- corrupt and foreign inputs ----

    private static Path badInput(String name) {
        return Paths.get("src", "test", "resources", "bad-input", "checkpoints", name);
    }

    private static InvalidInputException assertBad(Path file, String... fragments) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> TorchCheckpoint.read(file));
        String m = e.getMessage();
        assertFalse(m.contains("\n"), "one line: " + m);
        assertTrue(m.startsWith(file.toString()), "names the file: " + m);
        for (String f : fragments) assertTrue(m.contains(f), "'" + f + "' in: " + m);
        return e;
    }

    @Test
    void truncatedCheckpointIsRejected(@TempDir Path tmp) throws IOException {
        byte[] full = Files.readAllBytes(SharedData.path("reference/cgcnn_model.pth.tar"));
        for (int keep : new int[]{full.length / 2, full.length - 10, 100}) {
            Path cut = tmp.resolve("cut_" + keep + ".pth.tar");
            Files.write(cut, java.util.Arrays.copyOf(full, keep));
            assertBad(cut, "truncated or corrupt zip archive");
        }
    }

    @Test
    void foreignFilesAreRejected() {
        assertBad(badInput("empty.pt"), "empty file");
        assertBad(badInput("random_bytes.pt"), "not a PyTorch checkpoint");
        assertBad(badInput("not_pytorch.zip"), "without a data.pkl record");
        assertBad(Paths.get("no-such-checkpoint.ckpt"), "file not found");
    }

    @Test
    void osSystemIsRefusedAndNeverRun() {
        Path marker = Paths.get("concdvae-pwned-marker");
        assertFalse(Files.exists(marker));
        assertBad(badInput("os_system.pt"), "refusing to load", "os.system");
        assertFalse(Files.exists(marker), "the pickled command must not have run");
    }
}
