package org.concdvae.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.concdvae.testutil.SharedData;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InspectCheckpointCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void listsTensorsAndCgcnnMetadata() {
        String f = SharedData.path("evaluators/mpall20_bg/model_best.pth.tar").toString();
        assertEquals(ExitCode.OK, run("inspect-checkpoint", f), err.toString());
        String text = out.toString();
        assertTrue(text.matches("(?s).*\\n  convs\\.2\\.fc_full\\.weight +float32 +\\[128, 169\\]\\n.*"), text);
        assertTrue(text.contains("normalizer: mean 0.638"), text);
        assertTrue(text.contains("task=regression"), text);
        assertTrue(text.contains("total: 42 tensors"), text);
    }

    @Test
    void jsonOutputParses() throws Exception {
        String f = SharedData.path("reference/prior_default_model.ckpt").toString();
        assertEquals(ExitCode.OK, run("inspect-checkpoint", "--json", "--skip-prefix", "_model.", f), err.toString());
        JsonNode doc = new ObjectMapper().readTree(out.toString());
        assertEquals(39, doc.get("state_dict").size());
        assertEquals("betas", doc.get("state_dict").get(0).get("name").asText());
        assertEquals("float32", doc.get("state_dict").get(0).get("dtype").asText());
        assertEquals(300, doc.get("state_dict").get(0).get("shape").get(0).asInt());
        assertEquals(0, doc.get("epoch").asInt());
        assertTrue(doc.get("hyper_parameters").isObject());
        assertTrue(doc.get("top_level_keys").has("state_dict"));
    }

    @Test
    void badFileIsOneLineAndExitTwo() {
        assertEquals(ExitCode.BAD_INPUT, run("inspect-checkpoint", "src/test/resources/bad-input/checkpoints/random_bytes.pt"));
        String e = err.toString().trim();
        assertTrue(e.startsWith("error: ") && !e.contains("\n") && e.contains("random_bytes.pt"), e);
    }
}
