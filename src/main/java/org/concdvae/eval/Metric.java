package org.concdvae.eval;

import java.util.Locale;

/**
 * One number of an evaluation report (name, description, value), as MatterGen's metric objects: the report is a list
 * of these. {@code value} is NaN when the metric could not be computed; {@code note} then says why.
 */
public abstract class Metric {
    public static final String ALL = "all";

    private final String name;
    private final String group;
    private final String description;
    private final double value;
    private final String unit;
    private final String note;

    protected Metric(String name, String group, String description, double value, String unit, String note) {
        this.name = name;
        this.group = group;
        this.description = description;
        this.value = value;
        this.unit = unit;
        this.note = note;
    }

    public String name() { return name; }

    /** The target group this metric summarises, or {@link #ALL}. */
    public String group() { return group; }

    public String description() { return description; }

    public double value() { return value; }

    /** "%" for rates (value in percent), a physical unit, or "". */
    public String unit() { return unit; }

    public String note() { return note; }

    public boolean available() { return !Double.isNaN(value); }

    /** The value as the report prints it. */
    public String formatted() {
        if (!available()) return "n/a";
        return String.format(Locale.ROOT, unit.equals("%") ? "%.2f %%" : "%.4g%s", value, unit.isEmpty() || unit.equals("%") ? "" : " " + unit);
    }

    /** {@code 100·k/n}, NaN for n = 0. */
    static double percent(long k, long n) { return n == 0 ? Double.NaN : 100.0 * k / n; }
}
