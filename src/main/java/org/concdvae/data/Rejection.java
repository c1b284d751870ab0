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
    public String describe() {
        return file + ", row " + row + (id == null || id.isEmpty() ? "" : " (" + id + ")") + ": " + reason;
    }
}
