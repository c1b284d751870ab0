package org.concdvae.data;

/**
 * A CSV row that was not turned into a crystal: file, 1-based data row (header excluded), material id (may be
 * empty), and the reason as {@code category: detail}. The category (before the colon) is what summaries count.
 */
public record Rejection(String file, int row, String id, String reason) {
    public String category() {
        int c = reason.indexOf(':');
        return c < 0 ? reason : reason.substring(0, c);
    }

    /** One line for error messages: {@code file, row N (id): reason}. */
    public String describe() { return describe(file); }

    /** As {@link #describe()} with the file named by {@code path}. */
    public String describe(String path) {
        return path + ", row " + row + (id == null || id.isEmpty() ? "" : " (" + id + ")") + ": " + reason;
    }
}
