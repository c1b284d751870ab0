package org.concdvae.cli;

import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.IHelpSectionRenderer;
import picocli.CommandLine.Model.UsageMessageSpec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The project's help layout, applied to every command by {@link Main#commandLine()}: command lists show each
 * command's first sentence (not a description line cut mid-sentence), file names are never split at their dot (Java's
 * line breaker breaks "run.json" after the dot; such a break is undone), and every command ends with an Examples
 * section (from examples.txt beside this class, unless its description already has one).
 */
final class HelpFormat {
    private HelpFormat() {}

    /**
     * A line that ends in "word." followed by a line that goes on with a lower-case word: a name split at its dot
     * ("run." + "json", "data." + "prop"). Rows of option and command lists (indented by two) are never continuations.
     */
    private static final Pattern SPLIT_NAME = Pattern.compile(
            "(?m)(\\S*[\\w/*-]\\.)\\n([ \\t]{3,}|)([a-z_][\\w-]*)");

    private static final String EXAMPLES = "examples";

    static void apply(CommandLine root) {
        Map<String, List<String>> examples = examples();
        walk(root, examples);
    }

    private static void walk(CommandLine cl, Map<String, List<String>> examples) {
        Map<String, IHelpSectionRenderer> sections = new LinkedHashMap<>(cl.getHelpSectionMap());
        for (String key : List.of(UsageMessageSpec.SECTION_KEY_DESCRIPTION, UsageMessageSpec.SECTION_KEY_OPTION_LIST,
                UsageMessageSpec.SECTION_KEY_PARAMETER_LIST, UsageMessageSpec.SECTION_KEY_FOOTER)) {
            IHelpSectionRenderer r = sections.get(key);
            if (r != null) sections.put(key, help -> joinSplitNames(r.render(help)));
        }
        sections.put(UsageMessageSpec.SECTION_KEY_COMMAND_LIST, HelpFormat::commandList);
        cl.setHelpSectionMap(sections);
        UsageMessageSpec usage = cl.getCommandSpec().usageMessage();
        boolean hasExamples = String.join("\n", usage.description()).contains("Examples:")
                || String.join("\n", usage.footer()).contains("Examples:");
        List<String> mine = examples.get(cl.getCommandSpec().qualifiedName());
        if (!hasExamples && mine != null) {
            // a section of its own, not the footer: examples are never wrapped, so they can be copied as they are
            StringBuilder sb = new StringBuilder(String.format("%nExamples:%n"));
            for (String e : mine) sb.append("  ").append(e).append(System.lineSeparator());
            String text = sb.toString();
            sections.put(EXAMPLES, help -> text);
            cl.setHelpSectionMap(sections);
            List<String> keys = new ArrayList<>(cl.getHelpSectionKeys());
            if (!keys.contains(EXAMPLES)) keys.add(keys.indexOf(UsageMessageSpec.SECTION_KEY_FOOTER_HEADING), EXAMPLES);
            cl.setHelpSectionKeys(keys);
        }
        for (CommandLine sub : cl.getSubcommands().values()) walk(sub, examples);
    }

    /** Undoes breaks inside file names: the part before the dot moves to the next line. */
    static String joinSplitNames(String text) {
        Matcher m = SPLIT_NAME.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) m.appendReplacement(sb, Matcher.quoteReplacement("\n" + m.group(2) + m.group(1) + m.group(3)));
        m.appendTail(sb);
        // the moved word leaves a trailing space on the line before
        return sb.toString().replaceAll("(?m)[ \\t]+\\n", "\n");
    }

    /** The subcommands, each with the first sentence of its description. */
    private static String commandList(Help help) {
        Map<String, Help> subs = help.subcommands();
        if (subs.isEmpty()) return "";
        int width = 0;
        for (String n : subs.keySet()) width = Math.max(width, n.length());
        Help.TextTable table = Help.TextTable.forColumns(help.colorScheme(),
                new Help.Column(width + 4, 2, Help.Column.Overflow.SPAN),
                new Help.Column(help.commandSpec().usageMessage().width() - (width + 4), 2, Help.Column.Overflow.WRAP));
        for (Map.Entry<String, Help> e : subs.entrySet()) {
            UsageMessageSpec u = e.getValue().commandSpec().usageMessage();
            String text = u.header().length > 0 ? String.join(" ", u.header()) : String.join(" ", u.description());
            table.addRowValues(e.getKey(), firstSentence(text));
        }
        return joinSplitNames(table.toString());
    }

    /** The text up to its first full stop or colon that ends a clause, as a sentence. */
    static String firstSentence(String text) {
        String t = text.replaceAll("\\s+", " ").trim();
        Matcher m = Pattern.compile("[.:](\\s|$)").matcher(t);
        String s = t;
        while (m.find()) {
            s = t.substring(0, m.start());
            if (s.split(" ").length >= 3) break;   // "Benchmarks: print ..." reads on to the end of the clause
            s = t;
        }
        s = s.replaceAll("[,;]$", "");
        return s.isEmpty() ? s : s + ".";
    }

    private static Map<String, List<String>> examples() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        try (InputStream in = HelpFormat.class.getResourceAsStream("examples.txt")) {
            if (in == null) return out;
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<String> current = null;
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith("#")) continue;
                if (line.startsWith("[") && line.endsWith("]")) {
                    current = new ArrayList<>();
                    out.put(line.substring(1, line.length() - 1), current);
                } else if (current != null) {
                    current.add(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
