package org.concdvae.crystal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CIF 1.1 syntax: splits a text into {@code data_} blocks of tag/value pairs and loops. It knows nothing about
 * crystals; {@link CifReader} interprets the blocks. Every loop advances through the input, so garbage cannot hang it.
 */
final class CifSyntax {
    private CifSyntax() {}

    /** One value with the 1-based line it starts on. */
    record Value(String text, int line, boolean quoted) {
        /** CIF's "unknown" ({@code ?}) and "inapplicable" ({@code .}) placeholders, when not quoted. */
        boolean isPlaceholder() { return !quoted && (text.equals("?") || text.equals(".")); }
    }

    /** All values of one tag (one for a scalar, a column for a loop). */
    record Column(String tag, List<Value> values, int line) {}

    /**
     * One {@code data_} block: tags to columns, in file order. Tags are stored lower case with '.' read as '_', so the
     * DDLm spellings ({@code _atom_site.fract_x}, magCIF's {@code _space_group_symop_magn_operation.xyz}) and the
     * CIF 1 ones are the same tag.
     */
    static final class Block {
        final String name;
        final int line;
        final Map<String, Column> columns = new LinkedHashMap<>();
        /** The syntax error that ended this block early (the rest of the block was skipped), or null. */
        String syntaxError;
        /** Whether the skipped rest of a malformed block had cell or atom-site tags. */
        boolean skippedCrystalTags;

        Block(String name, int line) { this.name = name; this.line = line; }

        Column get(String tag) { return columns.get(tag); }

        boolean has(String tag) { return columns.containsKey(tag); }

        /** The first value of a tag, or null when absent. */
        Value first(String tag) {
            Column c = columns.get(tag);
            return c == null || c.values.isEmpty() ? null : c.values.get(0);
        }
    }

    private record Token(String text, int line, boolean quoted) {
        boolean is(String word) { return !quoted && text.equalsIgnoreCase(word); }

        boolean startsWith(String prefix) {
            return !quoted && text.regionMatches(true, 0, prefix, 0, prefix.length());
        }

        boolean isTag() { return !quoted && text.startsWith("_"); }

        /** Reserved words and tags end a loop's value list. */
        boolean endsValues() {
            return isTag() || is("loop_") || startsWith("data_") || startsWith("save_") || is("global_") || is("stop_");
        }
    }

    /** The stored form of a tag: lower case, '.' as '_'. */
    static String tagKey(String tag) {
        return tag.toLowerCase(Locale.ROOT).replace('.', '_');
    }

    /** Whether a (stored) tag describes the cell or the atom sites. */
    static boolean isCrystalTag(String key) {
        return key.startsWith("_cell_length_") || key.startsWith("_cell_angle_") || key.startsWith("_atom_site_");
    }

    /**
     * Parses the text into blocks. {@code where} prefixes every error message (e.g. the file name). Lexical errors
     * (unclosed quotes or text fields) concern the whole file and throw; a malformed loop or a value without a tag
     * ends only its block, which records the error in {@link Block#syntaxError} (the reader decides whether the block
     * mattered).
     */
    static List<Block> parse(String text, String where) {
        List<Token> tokens = tokenize(text, where);
        List<Block> blocks = new ArrayList<>();
        Block cur = null;
        int i = 0;
        while (i < tokens.size()) {
            Token t = tokens.get(i);
            if (t.startsWith("data_")) {
                cur = new Block(t.text.substring(5), t.line);
                blocks.add(cur);
                i++;
            } else if (cur != null && cur.syntaxError != null) {
                if (t.isTag() && isCrystalTag(tagKey(t.text))) cur.skippedCrystalTags = true;
                i++;
            } else if (cur != null && !t.startsWith("save_") && !t.is("global_") && !t.is("stop_")) {
                try {
                    i = statement(tokens, i, cur, where);
                } catch (InvalidStructureException e) {
                    cur.syntaxError = e.getMessage();
                    i++;
                }
            } else if (t.startsWith("save_") || t.is("global_") || t.is("stop_")) {
                i++; // save frames / STAR words carry no structure data for us
            } else if (cur == null) {
                throw new InvalidStructureException(where + ", line " + t.line + ": '" + abbreviate(t.text)
                        + "' before any data_ block (not a CIF file?)");
            }
        }
        return blocks;
    }

    /** A tag given twice in a block is an error unless both give the same values (which is harmless). */
    private static void put(Block cur, Column c, String where) {
        Column prev = cur.columns.get(c.tag());
        if (prev != null) {
            List<String> a = prev.values().stream().map(Value::text).toList();
            List<String> b = c.values().stream().map(Value::text).toList();
            if (!a.equals(b)) {
                throw new InvalidStructureException(where + ", block '" + cur.name + "', line " + c.line() + ": tag "
                        + c.tag() + " given twice with different values (first on line " + prev.line() + ")");
            }
        }
        cur.columns.put(c.tag(), c);
    }

    /** Reads one loop or tag-value pair of block {@code cur} starting at token i; returns the next token index. */
    private static int statement(List<Token> tokens, int i, Block cur, String where) {
        Token t = tokens.get(i);
        if (t.is("loop_")) {
            int loopLine = t.line;
            i++;
            List<String> tags = new ArrayList<>();
            while (i < tokens.size() && tokens.get(i).isTag()) {
                tags.add(tagKey(tokens.get(i).text));
                i++;
            }
            if (tags.isEmpty()) {
                throw new InvalidStructureException(where + ", block '" + cur.name + "', line " + loopLine
                        + ": loop_ without any _tag");
            }
            List<List<Value>> cols = new ArrayList<>();
            for (int k = 0; k < tags.size(); k++) cols.add(new ArrayList<>());
            int n = 0;
            while (i < tokens.size() && !tokens.get(i).endsValues()) {
                Token v = tokens.get(i);
                cols.get(n % tags.size()).add(new Value(v.text, v.line, v.quoted));
                n++;
                i++;
            }
            if (n % tags.size() != 0) {
                int lastLine = i > 0 ? tokens.get(i - 1).line : loopLine;
                throw new InvalidStructureException(where + ", block '" + cur.name + "', line " + loopLine
                        + ": loop of " + tags.size() + " columns (" + tags.get(0) + " ...) has " + n
                        + " values, not a multiple of " + tags.size() + " (truncated or malformed row near line "
                        + lastLine + ")");
            }
            for (int k = 0; k < tags.size(); k++) {
                put(cur, new Column(tags.get(k), Collections.unmodifiableList(cols.get(k)), loopLine), where);
            }
            return i;
        }
        if (t.isTag()) {
            String tag = tagKey(t.text);
            if (tag.equals("_eof") && (i + 1 >= tokens.size() || tokens.get(i + 1).endsValues())) {
                return i + 1; // an end-of-file marker some writers add (pymatgen reads it so), not a data item
            }
            if (i + 1 >= tokens.size() || tokens.get(i + 1).endsValues()) {
                throw new InvalidStructureException(where + ", block '" + cur.name + "', line " + t.line
                        + ": tag " + t.text + " has no value" + (i + 1 >= tokens.size() ? " (truncated file?)" : ""));
            }
            Token v = tokens.get(i + 1);
            put(cur, new Column(tag, List.of(new Value(v.text, v.line, v.quoted)), t.line), where);
            return i + 2;
        }
        throw new InvalidStructureException(where + ", block '" + cur.name + "', line " + t.line
                + ": value '" + abbreviate(t.text) + "' without a tag");
    }

    /** CIF 1.1 lexical rules: comments, quoted strings (closing quote followed by blank), ';' text fields. */
    private static List<Token> tokenize(String raw, String where) {
        String s = raw.replace("\r\n", "\n").replace('\r', '\n');
        if (!s.isEmpty() && s.charAt(0) == '\uFEFF') s = s.substring(1);
        List<Token> out = new ArrayList<>();
        int n = s.length();
        int line = 1;
        int i = 0;
        boolean lineStart = true;
        while (i < n) {
            char c = s.charAt(i);
            if (c == '\n') {
                line++;
                i++;
                lineStart = true;
                continue;
            }
            if (lineStart && c == ';') {
                int startLine = line;
                int end = s.indexOf("\n;", i);
                if (end < 0) {
                    throw new InvalidStructureException(where + ", line " + startLine
                            + ": ';' text field is never closed (truncated file?)");
                }
                String body = s.substring(i + 1, end);
                for (int k = i; k < end + 1; k++) if (s.charAt(k) == '\n') line++;
                out.add(new Token(body, startLine, true));
                i = end + 2; // past "\n;"
                lineStart = false;
                continue;
            }
            lineStart = false;
            if (c == ' ' || c == '\t' || c == '\f' || c == 0x0B) {
                i++;
                continue;
            }
            if (c == '#') {
                while (i < n && s.charAt(i) != '\n') i++;
                continue;
            }
            if (c == '\'' || c == '"') {
                int j = i + 1;
                int startLine = line;
                while (true) {
                    if (j >= n) {
                        throw new InvalidStructureException(where + ", line " + startLine + ": quoted value " + c
                                + abbreviate(s.substring(i + 1, Math.min(n, i + 41))) + " is never closed");
                    }
                    if (s.charAt(j) == '\n') {
                        // CIF 1.1 quotes end on their line; some writers (pymatgen reads them) continue a quoted
                        // comment over lines. Accept that only while no line starts a new tag, loop, block or text
                        // field, so a lone apostrophe cannot swallow data.
                        char next = j + 1 < n ? s.charAt(j + 1) : '_';
                        if (next == '_' || next == ';' || s.startsWith("loop_", j + 1) || s.startsWith("data_", j + 1)
                                || s.regionMatches(true, j + 1, "loop_", 0, 5) || s.regionMatches(true, j + 1, "data_", 0, 5)) {
                            throw new InvalidStructureException(where + ", line " + startLine + ": quoted value " + c
                                    + abbreviate(s.substring(i + 1, j)) + " is never closed");
                        }
                        line++;
                    } else if (s.charAt(j) == c && (j + 1 >= n || isBlank(s.charAt(j + 1)))) {
                        break;
                    }
                    j++;
                }
                out.add(new Token(s.substring(i + 1, j), startLine, true));
                i = j + 1;
                continue;
            }
            int j = i;
            while (j < n && !isBlank(s.charAt(j))) j++;
            out.add(new Token(s.substring(i, j), line, false));
            i = j;
        }
        return out;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == 0x0B;
    }

    static String abbreviate(String s) {
        String one = s.replace('\n', ' ');
        return one.length() <= 40 ? one : one.substring(0, 37) + "...";
    }
}
