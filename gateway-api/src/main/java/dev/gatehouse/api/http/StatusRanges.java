package dev.gatehouse.api.http;

import java.util.ArrayList;
import java.util.List;

/**
 * Inclusive ranges of HTTP status codes as Traefik writes them: {@code 500}, {@code 500-599}, and comma-separated
 * lists of both ({@code 404,418,505-599}), in one string or several.
 */
public final class StatusRanges {

    private final int[][] ranges;

    private StatusRanges(int[][] ranges) {
        this.ranges = ranges;
    }

    /**
     * @param option the option name, for messages
     * @throws IllegalArgumentException naming the option and the entry that is not a code or a range
     */
    public static StatusRanges parse(String option, List<String> entries) {
        List<int[]> ranges = new ArrayList<>();
        if (entries != null) {
            for (String entry : entries) {
                if (entry == null) {
                    continue;
                }
                for (String part : entry.split(",")) {
                    String text = part.strip();
                    if (text.isEmpty()) {
                        continue;
                    }
                    ranges.add(range(option, text));
                }
            }
        }
        return new StatusRanges(ranges.toArray(new int[0][]));
    }

    private static int[] range(String option, String text) {
        int dash = text.indexOf('-', 1);
        try {
            int from = Integer.parseInt((dash < 0 ? text : text.substring(0, dash)).strip());
            int to = dash < 0 ? from : Integer.parseInt(text.substring(dash + 1).strip());
            if (from > to) {
                throw new IllegalArgumentException("'" + option + "': '" + text + "' ends before it starts");
            }
            return new int[] {from, to};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + option + "': '" + text
                    + "' is not a status code or a range of them (such as 500-599)");
        }
    }

    public boolean contains(int status) {
        for (int[] range : ranges) {
            if (status >= range[0] && status <= range[1]) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return ranges.length == 0;
    }
}
