package org.concdvae.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.concdvae.io.TorchCheckpoint;
import org.concdvae.io.TorchTensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * {@code concdvae inspect-checkpoint FILE}: what a PyTorch checkpoint ({@code .ckpt}, {@code .pth.tar}, {@code .pt})
 * holds: the top-level keys, every state_dict tensor with dtype and shape, and the epoch, step, CGCNN normaliser/args
 * and Lightning hyper-parameters when present. Reads without running any pickled code.
 */
@Command(name = "inspect-checkpoint", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "List what a PyTorch checkpoint holds (Lightning .ckpt, CGCNN model_best.pth.tar, any torch.save "
                + "file, zip or pre-1.6 format): top-level keys, state_dict tensor names, dtypes and shapes, "
                + "epoch/global_step, CGCNN normalizer and args, Lightning hyper_parameters. Nothing in the file is executed.")
public class InspectCheckpointCommand extends BaseCommand {
    /** Values nested deeper than this are elided in the JSON output. */
    private static final int MAX_JSON_DEPTH = 32;

    @Parameters(index = "0", paramLabel = "FILE", description = "The checkpoint file.")
    Path file;

    @Option(names = "--json", description = "Print one JSON document instead of text.")
    boolean json;

    @Option(names = "--skip-prefix", paramLabel = "PREFIX",
            description = "Drop state_dict keys starting with PREFIX (repeatable); e.g. '_model.' for Con-CDVAE prior "
                    + "checkpoints, as the official loader does.")
    List<String> skipPrefixes = new ArrayList<>();

    @Override
    protected int run() throws Exception {
        TorchCheckpoint.Options options = TorchCheckpoint.Options.defaults();
        for (String p : skipPrefixes) options = options.skipStateDictPrefix(p);
        TorchCheckpoint ck = TorchCheckpoint.read(file, options);
        if (json) printJson(ck);
        else printText(ck);
        return ExitCode.OK;
    }

    private void printText(TorchCheckpoint ck) {
        var out = out();
        out.printf("file: %s (torch.save %s format, version %s, %s-endian)%n", ck.file(), ck.format(),
                ck.formatVersion() < 0 ? "?" : String.valueOf(ck.formatVersion()), ck.byteOrder());
        out.println("top-level keys:");
        for (Map.Entry<String, Object> e : ck.root().entrySet()) {
            out.printf("  %-28s %s%n", e.getKey(), summary(e.getValue()));
        }
        printOptional(out, "epoch", ck.epoch());
        printOptional(out, "global_step", ck.globalStep());
        ck.normalizer().ifPresent(n -> out.printf("normalizer: mean %s, std %s%n", n.mean(), n.std()));
        ck.args().ifPresent(a -> out.println("args: " + inline(a)));
        ck.hyperParameters().ifPresent(h -> out.println("hyper_parameters: " + h.size() + " keys: " + String.join(", ", h.keySet())));
        if (!ck.hasStateDict()) {
            out.println("state_dict: none");
        } else {
            Map<String, TorchTensor> sd = ck.stateDict();
            int width = sd.keySet().stream().mapToInt(String::length).max().orElse(4);
            long total = 0;
            out.printf("state_dict: %d tensors%n", sd.size());
            for (Map.Entry<String, TorchTensor> e : sd.entrySet()) {
                TorchTensor t = e.getValue();
                total += t.numel();
                out.printf("  %-" + width + "s  %-8s  %s%n", e.getKey(), t.dtype(), Arrays.toString(t.shape()));
            }
            out.printf("total: %d tensors, %d values%s%n", sd.size(), total,
                    ck.skippedStateDictEntries() > 0 ? " (" + ck.skippedStateDictEntries() + " entries skipped)" : "");
        }
        out.flush();
    }

    private static void printOptional(java.io.PrintWriter out, String name, OptionalLong v) {
        if (v.isPresent()) out.printf("%s: %d%n", name, v.getAsLong());
    }

    private static String summary(Object v) {
        if (v instanceof Map<?, ?> m && !m.containsKey("__class__") && m.values().stream().allMatch(x -> x instanceof TorchTensor)) {
            return "dict of " + m.size() + " tensors";
        }
        if (v instanceof String || v instanceof Number || v instanceof Boolean) return TorchCheckpoint.describeValue(v) + " = " + v;
        return TorchCheckpoint.describeValue(v);
    }

    private static String inline(Map<String, Object> m) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Object> e : m.entrySet()) {
            if (sb.length() > 0) sb.append(", ");
            Object v = e.getValue();
            sb.append(e.getKey()).append('=').append(v instanceof TorchTensor || v instanceof Map || v instanceof Collection
                    ? TorchCheckpoint.describeValue(v) : String.valueOf(v));
        }
        return sb.toString();
    }

    private void printJson(TorchCheckpoint ck) throws Exception {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("file", ck.file().toString());
        doc.put("format", ck.format());
        doc.put("format_version", ck.formatVersion() < 0 ? null : ck.formatVersion());
        doc.put("byteorder", ck.byteOrder());
        Map<String, Object> keys = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : ck.root().entrySet()) keys.put(e.getKey(), TorchCheckpoint.describeValue(e.getValue()));
        doc.put("top_level_keys", keys);
        doc.put("epoch", ck.epoch().isPresent() ? ck.epoch().getAsLong() : null);
        doc.put("global_step", ck.globalStep().isPresent() ? ck.globalStep().getAsLong() : null);
        doc.put("normalizer", ck.normalizer().map(n -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mean", n.mean());
            m.put("std", n.std());
            return m;
        }).orElse(null));
        doc.put("args", ck.args().map(a -> jsonValue(a, 0)).orElse(null));
        doc.put("hyper_parameters", ck.hyperParameters().map(h -> jsonValue(h, 0)).orElse(null));
        List<Object> tensors = new ArrayList<>();
        long total = 0;
        if (ck.hasStateDict()) {
            for (Map.Entry<String, TorchTensor> e : ck.stateDict().entrySet()) {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("name", e.getKey());
                t.put("dtype", e.getValue().dtype().torchName());
                t.put("shape", e.getValue().shape());
                t.put("numel", e.getValue().numel());
                total += e.getValue().numel();
                tensors.add(t);
            }
        }
        doc.put("state_dict", ck.hasStateDict() ? tensors : null);
        doc.put("total_values", total);
        doc.put("skipped_state_dict_entries", ck.skippedStateDictEntries());
        out().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
        out().flush();
    }

    /** Plain checkpoint values as JSON-friendly values: tensors as {dtype, shape}, bytes as a length, bounded depth. */
    private static Object jsonValue(Object v, int depth) {
        if (depth > MAX_JSON_DEPTH) return "...";
        if (v instanceof TorchTensor t) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("tensor", t.dtype().torchName());
            m.put("shape", t.shape());
            if (t.numel() == 1) m.put("value", t.item());
            return m;
        }
        if (v instanceof byte[] b) return "<" + b.length + " bytes>";
        if (v instanceof Map<?, ?> map) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) m.put(String.valueOf(e.getKey()), jsonValue(e.getValue(), depth + 1));
            return m;
        }
        if (v instanceof Collection<?> c) {
            List<Object> l = new ArrayList<>();
            for (Object x : c) l.add(jsonValue(x, depth + 1));
            return l;
        }
        return v;
    }
}
