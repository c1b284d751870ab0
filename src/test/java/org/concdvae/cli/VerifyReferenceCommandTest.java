package org.concdvae.cli;

import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code concdvae verify-reference} on ../shared/reference: every line PASS, exit 0; bad inputs give one-line errors. */
class VerifyReferenceCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void encoderAndHeadsTensorsPass() {
        int code = run("verify-reference", "--threads", "2", "--reference", SharedData.path("reference").toString(),
                "--only", "batch8_encoder,batch8_heads");
        String text = out.toString();
        assertEquals(ExitCode.OK, code, text + err);
        assertTrue(text.contains("batch8_encoder.safetensors:mu "), text);
        assertTrue(text.contains("batch8_heads.safetensors:z_con "), text);
        assertFalse(text.contains("batch8_decoder"), text);
        assertFalse(text.contains(" FAIL"), text);
        assertTrue(text.contains("41 tensors compared, 2 inputs, 0 failed: PASS"), text);
    }

    /** Every registered check (decoder, Langevin step, training step, priors, CGCNN): the whole verify-reference run. */
    @Test
    void allReferenceTensorsPass() {
        int code = run("verify-reference", "--threads", "2", "--reference", SharedData.path("reference").toString());
        String text = out.toString();
        assertEquals(ExitCode.OK, code, text + err);
        assertFalse(text.contains(" FAIL"), text);
        assertTrue(text.contains(" 0 failed: PASS"), text);
    }

    /**
     * The GPU path checked without a GPU: ND4J operations instead of every host kernel, for every reference tensor,
     * at the same tolerances; the host kernels are switched back on afterwards.
     */
    @Test
    void allReferenceTensorsPassOnThePortablePath() {
        boolean before = org.concdvae.autodiff.IndexKernels.primitiveKernels();
        int code = run("verify-reference", "--threads", "2", "--kernels", "portable", "--reference", SharedData.path("reference").toString());
        String text = out.toString();
        assertEquals(ExitCode.OK, code, text + err);
        assertFalse(text.contains(" FAIL"), text);
        assertTrue(text.contains(" 0 failed: PASS"), text);
        assertEquals(before, org.concdvae.autodiff.IndexKernels.primitiveKernels());
    }

    @Test
    void unknownCheckNameIsOneLineError() {
        int code = run("verify-reference", "--reference", SharedData.path("reference").toString(), "--only", "batch9");
        assertEquals(ExitCode.BAD_INPUT, code);
        assertTrue(err.toString().startsWith("error: no reference check for 'batch9'"), err.toString());
    }

    @Test
    void missingDirectoryIsOneLineError(@org.junit.jupiter.api.io.TempDir Path dir) {
        int code = run("verify-reference", "--reference", dir.resolve("nope").toString());
        assertEquals(ExitCode.BAD_INPUT, code);
        assertTrue(err.toString().startsWith("error: --reference: directory not found"), err.toString());
    }

    @Test
    void wrongWeightsListMismatches(@org.junit.jupiter.api.io.TempDir Path dir) {
        // the prior's weights do not fit the step-one model: one line naming missing/unexpected keys
        String ref = SharedData.path("reference").toString();
        int code = run("verify-reference", "--reference", ref, "--weights", SharedData.path("reference/prior_default_weights.safetensors").toString());
        assertEquals(ExitCode.BAD_INPUT, code, out.toString());
        String e = err.toString();
        assertTrue(e.startsWith("error: ") && e.contains("weights do not match the model") && e.contains("missing"), e);
        assertEquals(1, e.strip().split("\n").length, e);
    }
}
