package org.concdvae.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Walks every command's --help: an Examples section whose lines parse, command summaries that are whole sentences,
 * no name split at a dot, one output-flag rule (--out DIR for directories, -o/--output for files), and no reference
 * to files outside the project.
 */
class HelpTextTest {
    static Map<String, CommandLine> commands() {
        Map<String, CommandLine> all = new LinkedHashMap<>();
        walk(Main.commandLine(), all);
        return all;
    }

    static void walk(CommandLine c, Map<String, CommandLine> all) {
        if (c.getCommandName().equals("help")) return;
        all.put(c.getCommandSpec().qualifiedName(), c);
        for (CommandLine s : c.getSubcommands().values()) walk(s, all);
    }

    @Test
    void everyCommandHasExamplesThatParse() {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, CommandLine> e : commands().entrySet()) {
            String help = e.getValue().getUsageMessage();
            int at = help.indexOf("Examples:");
            if (at < 0) {
                problems.add(e.getKey() + ": no Examples section");
                continue;
            }
            // an example may go on over lines ending in a backslash
            String joined = help.substring(at).replaceAll("\\\\\\s*\\n\\s*", " ");
            for (String line : joined.lines().skip(1).toList()) {
                String ex = line.strip();
                if (!ex.startsWith("concdvae ") || ex.contains("<command>")) continue;
                List<String> args = split(ex.substring("concdvae ".length()));
                try {
                    Main.commandLine().parseArgs(args.toArray(String[]::new));
                } catch (CommandLine.ParameterException x) {
                    problems.add(e.getKey() + ": example does not parse: " + ex + " (" + x.getMessage() + ")");
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void summariesAreWholeSentencesAndNamesAreNotSplit() {
        Pattern split = Pattern.compile("[\\w/*-]\\.\\n([ \\t]{3,}|)[a-z_]");   // list rows (indent 2) are not continuations
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, CommandLine> e : commands().entrySet()) {
            String help = e.getValue().getUsageMessage();
            Matcher m = split.matcher(help);
            if (m.find()) problems.add(e.getKey() + ": name split at a dot near '" + help.substring(Math.max(0, m.start() - 30), m.end() + 10) + "'");
            int list = help.indexOf("Commands:\n");
            if (list >= 0) {
                // each summary (rows of the command list joined) ends a sentence
                String block = help.substring(list + "Commands:\n".length()).split("\n\n")[0];
                for (String entry : block.split("\n(?=  \\S)")) {
                    String text = entry.strip().replaceAll("\\s+", " ");
                    if (!text.endsWith(".")) problems.add(e.getKey() + ": summary cut: " + text);
                }
            }
            if (help.contains("design/") || help.contains("../shared") && !e.getKey().startsWith("concdvae bench")) {
                problems.add(e.getKey() + ": refers to files outside the project");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void outputFlagsFollowOneRule() {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, CommandLine> e : commands().entrySet()) {
            for (OptionSpec o : e.getValue().getCommandSpec().options()) {
                List<String> names = List.of(o.names());
                if (names.contains("--out") && !o.paramLabel().equals("DIR")) problems.add(e.getKey() + ": --out is not a DIR");
                if (names.contains("--output") && (!names.contains("-o") || o.paramLabel().equals("DIR"))) {
                    problems.add(e.getKey() + ": --output must be -o/--output and name a file");
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void importNamesSamplePrior() {
        String help = commands().get("concdvae import").getUsageMessage();
        assertTrue(help.contains("'sample --prior'"), help);
        assertFalse(help.contains("sample --prior-label"), help);
    }

    /** Shell-like split: spaces separate, single quotes group. */
    static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("'([^']*)'|(\\S+)").matcher(s);
        while (m.find()) out.add(m.group(1) != null ? m.group(1) : m.group(2));
        return out;
    }
}
