package org.concdvae.cli;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bad-input corpus of {@code concdvae preprocess} (src/test/resources/bad-input/preprocess and /config): every
 * case exits with code 2, prints exactly one line on stderr that names the file, row or key, shows no stack trace,
 * and leaves no output behind.
 */
class PreprocessBadInputTest {
    static final String P = "src/test/resources/bad-input/preprocess/";
    static final String C = "src/test/resources/bad-input/config/";

    static Stream<Arguments> cases() {
        return Stream.of(
                // row-level problems abort only with --strict; the line names file and row
                Arguments.of("bad CIF", List.of("--input", P + "bad_cif.csv", "--strict"), List.of("bad_cif.csv, row 2", "bad_cif")),
                // file-level problems
                Arguments.of("missing cif column", List.of("--input", P + "missing_cif_column.csv"), List.of("missing_cif_column.csv", "'cif' column")),
                Arguments.of("empty file", List.of("--input", P + "empty.csv"), List.of("empty.csv", "empty")),
                Arguments.of("header only", List.of("--input", P + "header_only.csv"), List.of("header_only.csv", "no data rows")),
                Arguments.of("binary garbage", List.of("--input", P + "binary.csv"), List.of("binary.csv", "not a text CSV")),
                Arguments.of("not UTF-8", List.of("--input", P + "latin1.csv"), List.of("latin1.csv", "UTF-8")),
                Arguments.of("unterminated quote", List.of("--input", P + "unterminated_quote.csv"), List.of("unterminated_quote.csv")),
                Arguments.of("nonexistent input", List.of("--input", P + "no_such_file.csv"), List.of("no_such_file.csv", "not found")),
                Arguments.of("val without test", List.of("--input", P + "nan_property.csv", "--val", P + "nan_property.csv"), List.of("--test")),
                // configuration problems: the line names the key and the file
                Arguments.of("wrong YAML key", List.of("--config", C + "wrong_key.yaml", "--example"), List.of("data.grap_method: unknown key", "wrong_key.yaml", "graph_method")),
                Arguments.of("bad YAML type", List.of("--config", C + "bad_type.yaml", "--example"), List.of("data.max_atoms", "integer", "bad_type.yaml")),
                Arguments.of("unknown graph method", List.of("--config", C + "unknown_graph_method.yaml", "--example"), List.of("data.graph_method", "voronoi")),
                Arguments.of("invalid YAML", List.of("--config", C + "invalid_yaml.yaml", "--example"), List.of("invalid_yaml.yaml", "not valid YAML", "line")),
                Arguments.of("YAML not a mapping", List.of("--config", C + "not_a_mapping.yaml", "--example"), List.of("not_a_mapping.yaml", "mapping")),
                Arguments.of("bad interpolation", List.of("--config", C + "bad_interpolation.yaml", "--example"), List.of("model.max_atoms", "data.max_atom", "bad_interpolation.yaml")),
                Arguments.of("nonexistent config", List.of("--config", C + "no_such.yaml", "--example"), List.of("no_such.yaml", "not found")),
                Arguments.of("bad --set key", List.of("--example", "--set", "data.nigli=false"), List.of("data.nigli", "--set")),
                Arguments.of("bad --set value", List.of("--example", "--set", "data.max_atoms=many"), List.of("data.max_atoms", "--set"))
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void oneLineExitTwoNoOutput(String name, List<String> args, List<String> expected, @TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("out");
        List<String> all = new ArrayList<>(List.of("preprocess", "--out", out.toString(), "-q", "--threads", "2"));
        if (!args.contains("--config") && !args.contains("--example")) all.addAll(List.of("--config", "tiny"));
        all.addAll(args);
        StringWriter o = new StringWriter(), e = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(o));
        cl.setErr(new PrintWriter(e));
        int code = cl.execute(all.toArray(String[]::new));
        String err = e.toString().strip();
        assertEquals(ExitCode.BAD_INPUT, code, name + ": " + err);
        assertFalse(err.contains("\n"), name + ": more than one line: " + err);
        assertTrue(err.startsWith("error: "), err);
        for (String x : expected) assertTrue(err.contains(x), name + ": '" + x + "' not in: " + err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), name + ": stack trace: " + err);
        assertFalse(Files.exists(out), name + ": output left behind");
    }

    /**
     * Property values are not preprocess's business (issue 16: any CSV in the CDVAE layout works without model
     * configuration): rows with an empty, NaN or text property, and files without the config's property column, are
     * preprocessed; the model config checks its properties at training time (data.PropertySelectionTest).
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"nan_property.csv", "empty_property.csv", "text_property.csv",
            "all_rows_bad.csv", "missing_property_column.csv"})
    void propertyProblemsAreLeftToTraining(String file, @TempDir Path tmp) {
        StringWriter o = new StringWriter(), e = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(o));
        cl.setErr(new PrintWriter(e));
        Path out = tmp.resolve("out");
        assertEquals(0, cl.execute("preprocess", "--config", "tiny", "--input", P + file, "--out", out.toString(), "-q", "--strict"), e.toString());
        assertTrue(Files.exists(out.resolve("train.cache")));
    }

    /** Output directories that cannot be: the line names --out and why, before any input is read. */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"preprocess", "sample", "train-step1", "evaluate"})
    void outputThatIsAFile(String command, @TempDir Path tmp) {
        String file = "src/test/resources/bad-input/output/not_a_directory";
        List<String> args = new ArrayList<>(List.of(command, "--out", file, "-q"));
        switch (command) {
            case "preprocess" -> args.addAll(List.of("--config", "tiny", "--input", P + "no_such_file.csv"));
            case "sample" -> args.addAll(List.of("--fe", "-1"));
            case "train-step1" -> args.addAll(List.of("--config", "tiny", "--data", tmp.resolve("none").toString()));
            default -> args.addAll(List.of("--samples", tmp.toString()));
        }
        StringWriter o = new StringWriter(), e = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(o));
        cl.setErr(new PrintWriter(e));
        assertEquals(ExitCode.BAD_INPUT, cl.execute(args.toArray(String[]::new)), e.toString());
        assertEquals("error: " + file + ": --out is a file, not a directory", e.toString().strip());
    }
}
