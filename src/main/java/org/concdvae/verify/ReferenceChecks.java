package org.concdvae.verify;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;

/**
 * Registry of the reference checks run by {@code concdvae verify-reference}, in order. Each reference file has one
 * check; add a new one to {@link #DEFAULT} (e.g. the GemNet-T decoder's {@code batch8_decoder.safetensors}).
 */
public final class ReferenceChecks {
    private static final List<ReferenceCheck> DEFAULT = Stream.concat(Stream.of(
            new EncoderReferenceCheck(),
            new HeadsReferenceCheck(),
            new DecoderReferenceCheck(),
            new LangevinReferenceCheck()), Stream.concat(TrainStepReferenceCheck.all().stream(),
            Stream.concat(PriorReferenceCheck.all().stream(), Stream.of(new CgcnnReferenceCheck())))).toList();

    private ReferenceChecks() {}

    /** The built-in checks. */
    public static List<ReferenceCheck> all() { return Collections.unmodifiableList(new ArrayList<>(DEFAULT)); }
}
