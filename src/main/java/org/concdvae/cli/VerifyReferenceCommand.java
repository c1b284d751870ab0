package org.concdvae.cli;

import org.concdvae.autodiff.Engine;
import org.concdvae.verify.Comparison;
import org.concdvae.verify.ReferenceVerifier;
import org.concdvae.autodiff.IndexKernels;
import org.concdvae.autodiff.Simd;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code concdvae verify-reference}: runs our forward passes on the official reference batch and compares every
 * reference tensor (one line each: name, max abs error, max error relative to the tensor's scale, tolerance,
 * PASS/FAIL). Exit 0 only if all pass.
 */
@Command(name = "verify-reference", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Compare our forward passes with the official PyTorch reference tensors (float32).",
                "Loads the reference weights by state_dict name and the 8-crystal input batch, runs the encoder, latent,",
                "conditions and heads, and prints one line per reference tensor:",
                "name, max abs error, max abs error / max|ref|, tolerance, PASS/FAIL. Exit 0 only if every tensor passes."})
public class VerifyReferenceCommand extends BaseCommand {
    @Option(names = "--reference", required = true, paramLabel = "DIR",
            description = "Reference directory holding batch8_*.safetensors and cdvae_weights.safetensors.")
    Path reference;

    @Option(names = "--weights", paramLabel = "FILE",
            description = "Weights (safetensors, official state_dict names) to load instead of DIR/cdvae_weights.safetensors.")
    Path weights;

    @Option(names = "--model", paramLabel = "DIR",
            description = "A model directory (e.g. made by 'concdvae import' from the reference .ckpt files): its configuration and"
                    + " weights (best.safetensors, prior_default/prior_full.safetensors) replace the reference safetensors.")
    Path model;

    @Option(names = "--evaluators", paramLabel = "DIR",
            description = "A directory of CGCNN evaluator directories named like the official ones (DIR/mpall20_fm, ...; e.g. made by"
                    + " 'concdvae import --kind cgcnn') to check instead of the official evaluators beside the reference directory"
                    + " (DIR/../evaluators/*/model_best.pth.tar).")
    Path evaluators;

    @Option(names = "--only", split = ",", paramLabel = "FILE",
            description = "Run only the checks of these reference files (name prefixes, comma-separated), e.g. "
                    + "batch8_encoder,batch8_heads. Default: every registered check.")
    List<String> only = List.of();

    @Option(names = "--kernels", paramLabel = "KIND", defaultValue = "host",
            description = "host: the engine's host kernels (native buffers, OpenBLAS, SIMD), as on the CPU backend; portable: "
                    + "ND4J operations only, the path a GPU backend takes (docs/gpu.md) (default: ${DEFAULT-VALUE}).")
    String kernels;

    @Override
    protected int run() {
        if (!kernels.equals("host") && !kernels.equals("portable")) {
            throw new UserException("--kernels must be host or portable; got '" + kernels + "'");
        }
        boolean primitive = IndexKernels.primitiveKernels(), simd = Simd.enabled();
        if (kernels.equals("portable")) {
            // every switch of the host paths: index/triplet/activation kernels, host arrays, OpenBLAS, fused Adam, SIMD
            IndexKernels.usePrimitiveKernels(false);
            Simd.use(false);
        }
        try {
            return verify();
        } finally {
            IndexKernels.usePrimitiveKernels(primitive);
            Simd.use(simd);
        }
    }

    private int verify() {
        if (!Files.isDirectory(reference)) throw new UserException("--reference: directory not found: " + reference);
        if (weights != null && !Files.isRegularFile(weights)) throw new UserException("--weights: file not found: " + weights);
        if (weights != null && model != null) throw new UserException("--weights and --model are alternatives; give one");
        if (model != null && !Files.isDirectory(model)) throw new UserException("--model: directory not found: " + model);
        if (evaluators != null && !Files.isDirectory(evaluators)) throw new UserException("--evaluators: directory not found: " + evaluators);
        Engine.setThreads(common.threads());
        var out = out();
        out.printf("%-56s %10s %10s  %-22s %s%n", "tensor", "max abs", "max rel", "tolerance", "result");
        java.util.function.Consumer<Comparison> print = c -> {
            out.println(c.line());
            out.flush();
        };
        List<Comparison> all = model != null || evaluators != null
                ? ReferenceVerifier.run(reference, model, evaluators, common.threads(), only, print)
                : ReferenceVerifier.run(reference, weights, common.threads(), only, print);
        long failed = all.stream().filter(c -> !c.passed()).count();
        long compared = all.stream().filter(c -> !c.input()).count();
        info("%d tensors compared, %d inputs, %d failed: %s", compared, all.size() - compared, failed, failed == 0 ? "PASS" : "FAIL");
        return failed == 0 ? ExitCode.OK : ExitCode.INTERNAL_ERROR;
    }
}
