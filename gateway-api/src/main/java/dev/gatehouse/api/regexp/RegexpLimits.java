package dev.gatehouse.api.regexp;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * Refuses, before it is compiled, a regular expression (Go's RE2 syntax, as Traefik reads it) whose compiled form
 * would be too large for an edge router, as Go's {@code regexp/syntax} refuses it for Traefik. RE2/J, the RE2
 * engine the plugins use, bounds none of this itself: {@code ((((a{100}){100}){100}){100})} makes it build a
 * program of 100 million instructions and exhausts any heap. The checks, on the expression's syntax alone (linear
 * in its length, nothing expanded):
 *
 * <ul>
 *   <li><b>Length.</b> At most {@value #MAX_LENGTH} characters. Go has no such bound; RE2/J reads an expression in
 *       time that grows with the square of its length (100,000 characters took four seconds to compile when
 *       measured, 20,000 a fifth of a second), and no real expression comes near it.</li>
 *   <li><b>Repetition.</b> A count above 1000 ({@code a{1001}}), and nested counts that multiply past 1000
 *       ({@code (a{100}){11}}): Go's {@code repeatIsValid} rule ({@code ErrInvalidRepeatSize}), so exactly what
 *       Traefik refuses.</li>
 *   <li><b>Size.</b> At most {@value #MAX_PROGRAM_SIZE} instructions, estimated the way Go's {@code calcSize}
 *       estimates them (a literal character is one; {@code x{2,5}} is five {@code x} and three branches). Go's
 *       own bound is 3.3 million ({@code ErrLarge}, 128 MiB of Go instructions); RE2/J's instructions and
 *       matching state take about 95 bytes each, and the gateway's default heap is 128 MiB, so that bound would
 *       let one rule take the whole heap and 140 ms of CPU per request. {@value #MAX_PROGRAM_SIZE} is about 2 MiB
 *       and a few milliseconds at worst, and ten times what a long real expression needs (a 500-host
 *       alternation is about 8,000). Character classes are bounded the same way: at most
 *       {@value #MAX_CLASS_BOUNDS} class bounds in all (a Unicode class such as {@code \pL} counts as
 *       {@value #UNICODE_CLASS_BOUNDS}).</li>
 *   <li><b>Nesting.</b> At most {@value #MAX_NESTING} levels of syntax (groups, repetitions, alternations): Go's
 *       {@code maxHeight} ({@code ErrNestingDepth}).</li>
 *   <li><b>Empty steps.</b> At most {@value #MAX_EMPTY_STEPS} instructions that match nothing (group boundaries,
 *       branches of {@code |}, {@code ?}/{@code *} loops, {@code ^}, {@code \b}) in a row on any path:
 *       RE2/J follows such a run by recursion on the request's thread, so {@code (?:()){1000}} would overflow
 *       its stack on every request. Go grows its stacks and has no such bound; a real expression has a few
 *       dozen, an alternation of more than {@value #MAX_EMPTY_STEPS} branches is the one real case it refuses
 *       (split it over several matchers: {@code HostRegexp(`...`) || HostRegexp(`...`)}).</li>
 * </ul>
 *
 * <p>Check, then compile with {@link #compile(String, Function)}, which also gives RE2/J's recursive compiler a
 * stack deep enough for the deepest expression these bounds allow ({@code (a{2,1000})} nests a thousand levels
 * once expanded, more than a 512 KiB thread stack holds):
 * <pre>{@code
 * Pattern pattern = RegexpLimits.compile(regexp, Pattern::compile);   // IllegalArgumentException: why not
 * }</pre>
 * The message of the {@link IllegalArgumentException} quotes the expression (shortened when long) and says what
 * exceeds which bound, as in {@code `(a{1000}){1000}` is refused: its nested repetition counts multiply to
 * 1,000,000; the limit is 1,000, as in Go's regexp (Traefik)}: the caller puts the name of its option or
 * matcher in front.
 */
public final class RegexpLimits {

    /** The longest expression, in characters (see the class comment). */
    public static final int MAX_LENGTH = 20_000;

    /** The largest repetition count, and the largest product of nested counts: Go's {@code maxRepeat}. */
    public static final int MAX_REPEAT = 1000;

    /** The largest estimated compiled size, in instructions (Go's {@code calcSize} estimate; see the class comment). */
    public static final int MAX_PROGRAM_SIZE = 20_000;

    /** The deepest nesting of syntax: Go's {@code maxHeight}. */
    public static final int MAX_NESTING = 1000;

    /** The longest run of instructions that match nothing, on any path (see the class comment). */
    public static final int MAX_EMPTY_STEPS = 1000;

    /** The most character class bounds (two per range) in one expression. */
    public static final int MAX_CLASS_BOUNDS = 100_000;

    /**
     * What one Unicode class ({@code \pL}, {@code \p{Greek}}, {@code \PN}) counts for: the largest, letters, has
     * 1,292 bounds in Go's tables; folding case can add as many.
     */
    static final int UNICODE_CLASS_BOUNDS = 3000;

    /**
     * Expressions that nest deeper than this once repetitions are expanded are compiled on a thread of their own
     * with {@link #DEEP_STACK_BYTES} of stack: RE2/J's simplifier and compiler recurse once per level, and a
     * level took up to about 600 bytes of stack when measured (512 KiB thread stacks overflowed at 1000 levels).
     */
    static final int INLINE_DEPTH = 100;

    /**
     * Far more than the deepest expression the bounds allow needs (about 3000 levels, so 2 MiB at the measured
     * cost); reserved address space, of which only the touched pages take memory, for the compile's duration.
     */
    static final long DEEP_STACK_BYTES = 16L << 20;

    private RegexpLimits() {
    }

    /**
     * Checks {@code regexp} against every bound. An expression that is not valid RE2 syntax at all is not
     * refused here (the engine says what is wrong with it), unless what can be read of it already exceeds a bound.
     *
     * @param regexp the expression, as configured
     * @throws IllegalArgumentException quoting the expression and saying which bound it exceeds and by how much
     */
    public static void check(String regexp) {
        measure(regexp);
    }

    /**
     * Checks {@code regexp}, then compiles it with {@code compiler} on a thread whose stack can hold it (the
     * caller's thread when the expression is shallow, as nearly all are).
     *
     * @param regexp the expression
     * @param compiler the engine's compile function, such as RE2/J's {@code Pattern::compile}
     * @param <P> the compiled form
     * @return what {@code compiler} returned
     * @throws IllegalArgumentException when a bound is exceeded; what {@code compiler} throws is passed on as is
     */
    public static <P> P compile(String regexp, Function<String, P> compiler) {
        Objects.requireNonNull(compiler, "compiler");
        Measure measure = measure(regexp);
        try {
            if (measure.depth <= INLINE_DEPTH) {
                return compiler.apply(regexp);
            }
            return onDeepStack(regexp, compiler);
        } catch (StackOverflowError e) {
            // Not expected within the bounds: still the expression's fault, and only its element's problem.
            throw new IllegalArgumentException(quoted(regexp) + " is refused: it nests too deeply to be compiled");
        }
    }

    private static <P> P onDeepStack(String regexp, Function<String, P> compiler) {
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        Thread thread = new Thread(null, () -> {
            try {
                result[0] = compiler.apply(regexp);
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "gatehouse-regexp-compiler", DEEP_STACK_BYTES);
        thread.setDaemon(true);
        thread.start();
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;   // the compile is short and bounded: finish it, then restore the flag
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure[0] instanceof RuntimeException e) {
            throw e;
        }
        if (failure[0] instanceof Error e) {
            throw e;
        }
        if (failure[0] != null) {
            throw new IllegalStateException(failure[0]);
        }
        @SuppressWarnings("unchecked")
        P compiled = (P) result[0];
        return compiled;
    }

    // ---- measuring ------------------------------------------------------------------------------------------

    /** Saturation for every count, far above each bound, so that nothing overflows. */
    private static final long CAP = 1L << 40;
    /** "No such path" for the empty-step lengths. */
    private static final long NONE = Long.MIN_VALUE / 4;

    private static long add(long a, long b) {
        if (a <= NONE / 2 || b <= NONE / 2) {
            return NONE;
        }
        return Math.min(CAP, a + b);
    }

    private static long mul(long a, long b) {
        if (a <= NONE / 2 || b <= NONE / 2) {
            return NONE;
        }
        if (a == 0 || b == 0) {
            return 0;
        }
        return a > CAP / b ? CAP : Math.min(CAP, a * b);
    }

    /**
     * What one piece of syntax costs. {@code size} and {@code height} follow Go's {@code calcSize} and
     * {@code calcHeight}; {@code repeats} is the largest product of nested counts ({@code repeatIsValid});
     * {@code depth} is how deep RE2/J recurses once repetitions are expanded. The empty-step lengths: {@code
     * through} crossing the piece while matching nothing ({@code nullable} pieces only), {@code enter} from its
     * start to a character it consumes, {@code exit} from a consumed character to its end, {@code inner} between
     * two consumed characters inside it; {@link #NONE} where there is no such path.
     */
    private record Cost(long size, long height, long depth, long repeats, long runes,
            boolean nullable, long through, long enter, long exit, long inner) {

        static Cost character(long runes) {
            return new Cost(1, 1, 1, 1, runes, false, NONE, 0, 0, NONE);
        }

        /** {@code ^}, {@code $}, {@code \b}, an empty group: one instruction that matches nothing. */
        static Cost empty() {
            return new Cost(1, 1, 1, 1, 0, true, 1, NONE, NONE, NONE);
        }

        Cost capture() {
            return new Cost(add(size, 2), height + 1, depth + 1, repeats, runes,
                    nullable, add(through, 2), add(enter, 1), add(exit, 1), inner);
        }

        Cost star() {
            return new Cost(add(size, 2), height + 1, depth + 1, repeats, runes, true,
                    nullable ? add(through, 2) : 1, add(enter, 1), add(exit, 1), loopInner());
        }

        Cost plus() {
            return new Cost(add(size, 1), height + 1, depth + 1, repeats, runes, nullable,
                    nullable ? add(through, 1) : NONE, enter, add(exit, 1), loopInner());
        }

        Cost quest() {
            return new Cost(add(size, 1), height + 1, depth + 1, repeats, runes, true,
                    nullable ? add(through, 1) : 1, add(enter, 1), exit, inner);
        }

        /** A loop back from the end of the body to its start: from a character, round the loop, to the next. */
        private long loopInner() {
            long around = add(add(exit, 1), enter);
            long emptyRound = nullable ? add(add(exit, 2), through) : NONE;
            return Math.max(inner, Math.max(around, emptyRound));
        }

        /** {@code copies} of this piece one after the other (copies &gt;= 1). */
        Cost times(long copies) {
            long between = nullable ? mul(copies - 1, through) : 0;
            long innerRun = copies >= 2
                    ? add(add(exit, nullable ? mul(copies - 2, through) : 0), enter) : NONE;
            return new Cost(mul(size, copies), height, depth, repeats, runes, nullable,
                    nullable ? mul(copies, through) : NONE, add(between, enter), add(exit, between),
                    Math.max(inner, innerRun));
        }

        /** {@code x{min,max}}, {@code max} -1 for no maximum; the counts are at most {@link #MAX_REPEAT}. */
        Cost repeat(int min, int max) {
            long goSize;
            if (max == -1) {
                goSize = min == 0 ? add(size, 2) : add(1, mul(min, size));
            } else {
                goSize = add(mul(max, size), max - min);
            }
            goSize = Math.max(1, goSize);
            long factor = max == 0 ? 0 : Math.max(1, max == -1 ? min : max);
            long nested = factor == 0 ? 1 : mul(factor, repeats);
            // How RE2/J expands it: x{n,} is x^(n-1) x+ (x* for n = 0); x{n,m} is x^n then m-n nested (x)?.
            Cost expanded;
            if (max == 0) {
                expanded = empty();
            } else if (max == -1) {
                expanded = min == 0 ? star() : min == 1 ? plus() : sequence(times(min - 1), plus());
            } else {
                Cost required = min == 0 ? null : times(min);
                Cost optional = max == min ? null : quest().times(max - min);
                expanded = required == null ? optional : optional == null ? required : sequence(required, optional);
            }
            long expandedDepth = depth + 2 + (max > min ? max - min : 0);
            return new Cost(goSize, height + 1, expandedDepth, nested, runes, expanded.nullable,
                    expanded.through, expanded.enter, expanded.exit, expanded.inner);
        }

        private static Cost sequence(Cost first, Cost second) {
            Concatenation concatenation = new Concatenation();
            concatenation.add(first);
            concatenation.add(second);
            return concatenation.build();
        }

        /** The longest run of empty steps anywhere in a whole expression. */
        long longestEmptyRun() {
            return Math.max(Math.max(inner, enter), Math.max(exit, nullable ? through : NONE));
        }
    }

    /** Pieces one after the other. */
    private static final class Concatenation {
        private int count;
        private Cost single;
        private long size;
        private long height;
        private long depth;
        private long repeats = 1;
        private long runes;
        private boolean nullable = true;
        private long through;
        private long enter = NONE;
        private long enterPrefix;
        private long open = NONE;
        private long inner = NONE;

        void add(Cost piece) {
            count++;
            single = piece;
            size = RegexpLimits.add(size, piece.size);
            height = Math.max(height, piece.height);
            depth = Math.max(depth, piece.depth);
            repeats = Math.max(repeats, piece.repeats);
            runes = RegexpLimits.add(runes, piece.runes);
            if (nullable) {
                enter = Math.max(enter, RegexpLimits.add(enterPrefix, piece.enter));
                enterPrefix = RegexpLimits.add(enterPrefix, piece.nullable ? piece.through : NONE);
            }
            inner = Math.max(inner, Math.max(piece.inner, RegexpLimits.add(open, piece.enter)));
            open = piece.nullable ? Math.max(RegexpLimits.add(open, piece.through), piece.exit) : piece.exit;
            through = piece.nullable ? RegexpLimits.add(through, piece.through) : NONE;
            nullable &= piece.nullable;
        }

        Cost build() {
            if (count == 0) {
                return Cost.empty();
            }
            if (count == 1) {
                return single;
            }
            return new Cost(size, height + 1, depth + 1, repeats, runes, nullable, nullable ? through : NONE,
                    enter, open, inner);
        }
    }

    /** Branches of {@code |}. RE2/J chains them: reaching the last one passes every branch instruction before it. */
    private static final class Alternation {
        private int count;
        private Cost single;
        private long size;
        private long height;
        private long depth;
        private long repeats = 1;
        private long runes;
        private boolean nullable;
        private long through = NONE;
        private long enter = NONE;
        private long exit = NONE;
        private long inner = NONE;

        void add(Cost branch) {
            count++;
            single = branch;
            size = RegexpLimits.add(size, branch.size);
            height = Math.max(height, branch.height);
            depth = Math.max(depth, branch.depth);
            repeats = Math.max(repeats, branch.repeats);
            runes = RegexpLimits.add(runes, branch.runes);
            nullable |= branch.nullable;
            through = Math.max(through, branch.nullable ? branch.through : NONE);
            enter = Math.max(enter, branch.enter);
            exit = Math.max(exit, branch.exit);
            inner = Math.max(inner, branch.inner);
        }

        Cost build() {
            if (count == 1) {
                return single;
            }
            long branches = count - 1;
            // RE2/J's parser factors common prefixes out of the branches by recursion: count them in its depth.
            return new Cost(RegexpLimits.add(size, branches), height + 1, RegexpLimits.add(depth + 1, branches),
                    repeats, runes, nullable, RegexpLimits.add(through, branches), RegexpLimits.add(enter, branches),
                    exit, inner);
        }
    }

    /** A group being read: its finished branches, the branch being read, and the piece a repetition would take. */
    private static final class Group {
        final boolean capture;
        final boolean foldCase;
        final Alternation branches = new Alternation();
        Concatenation current = new Concatenation();
        Cost last;

        Group(boolean capture, boolean foldCase) {
            this.capture = capture;
            this.foldCase = foldCase;
        }

        void push(Cost piece) {
            if (last != null) {
                current.add(last);
            }
            last = piece;
        }

        void endBranch() {
            if (last != null) {
                current.add(last);
                last = null;
            }
            branches.add(current.build());
            current = new Concatenation();
        }

        Cost close() {
            endBranch();
            Cost content = branches.build();
            return capture ? content.capture() : content;
        }
    }

    /** The measure of a whole expression that passed every check. */
    private record Measure(long depth) {
    }

    private static Measure measure(String regexp) {
        Objects.requireNonNull(regexp, "regexp");
        try {
            if (regexp.length() > MAX_LENGTH) {
                throw new IllegalArgumentException("it is " + amount(regexp.length()) + " characters long; the limit is "
                        + amount(MAX_LENGTH));
            }
            return measure(new Reader(regexp).read());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(quoted(regexp) + " is refused: " + e.getMessage());
        }
    }

    /** The expression in backticks, shortened: a message must stay one readable line whatever was configured. */
    private static String quoted(String regexp) {
        int shown = 100;
        return regexp.length() <= shown + 20 ? "`" + regexp + "`"
                : "`" + regexp.substring(0, shown) + "`... (" + amount(regexp.length()) + " characters)";
    }

    private static Measure measure(Cost cost) {
        if (cost.repeats > MAX_REPEAT) {
            throw new IllegalArgumentException("its nested repetition counts multiply to " + amount(cost.repeats)
                    + "; the limit is " + amount(MAX_REPEAT) + ", as in Go's regexp (Traefik)");
        }
        if (cost.height > MAX_NESTING) {
            throw new IllegalArgumentException("it nests " + amount(cost.height) + " levels deep; the limit is "
                    + amount(MAX_NESTING) + ", as in Go's regexp (Traefik)");
        }
        if (cost.size > MAX_PROGRAM_SIZE) {
            throw new IllegalArgumentException("it would compile to about " + amount(cost.size)
                    + " instructions; the limit is " + amount(MAX_PROGRAM_SIZE)
                    + " (shorten it, or split it over several matchers or options)");
        }
        if (cost.runes > MAX_CLASS_BOUNDS) {
            throw new IllegalArgumentException("its character classes hold about " + amount(cost.runes)
                    + " bounds; the limit is " + amount(MAX_CLASS_BOUNDS) + " (a Unicode class such as \\pL"
                    + " counts " + amount(UNICODE_CLASS_BOUNDS) + ")");
        }
        if (cost.longestEmptyRun() > MAX_EMPTY_STEPS) {
            throw new IllegalArgumentException("up to " + amount(cost.longestEmptyRun()) + " steps that match"
                    + " nothing (groups, branches of |, optional or empty parts) follow each other; the limit is "
                    + amount(MAX_EMPTY_STEPS) + " (split a long alternation over several matchers)");
        }
        return new Measure(cost.depth);
    }

    private static String amount(long value) {
        return String.format(Locale.ROOT, value >= CAP ? "more than %,d" : "%,d", value);
    }

    /**
     * Reads Go's RE2 syntax (Perl flags, as RE2/J's {@code Pattern.compile} and Go's {@code regexp.Compile} use)
     * in one pass, with an explicit stack of groups instead of recursion. It reads what is valid exactly; what is
     * invalid it reads leniently and leaves to the engine to report.
     */
    private static final class Reader {
        private final String s;
        private int pos;
        private boolean foldCase;
        private final Deque<Group> groups = new ArrayDeque<>();

        Reader(String s) {
            this.s = s;
        }

        Cost read() {
            groups.push(new Group(false, false));
            while (pos < s.length()) {
                char c = s.charAt(pos);
                switch (c) {
                    case '(' -> openGroup();
                    case ')' -> {
                        pos++;
                        if (groups.size() > 1) {
                            Group group = groups.pop();
                            foldCase = group.foldCase;
                            groups.peek().push(group.close());
                        }
                    }
                    case '|' -> {
                        pos++;
                        groups.peek().endBranch();
                    }
                    case '*', '+', '?' -> {
                        pos++;
                        if (pos < s.length() && s.charAt(pos) == '?') {
                            pos++;   // non-greedy
                        }
                        Group group = groups.peek();
                        if (group.last != null) {
                            group.last = c == '*' ? group.last.star() : c == '+' ? group.last.plus() : group.last.quest();
                        }
                    }
                    case '{' -> repetition();
                    case '^', '$' -> {
                        pos++;
                        groups.peek().push(Cost.empty());
                    }
                    case '.' -> {
                        pos++;
                        groups.peek().push(Cost.character(0));
                    }
                    case '[' -> groups.peek().push(Cost.character(characterClass()));
                    case '\\' -> escape();
                    default -> {
                        pos += Character.charCount(s.codePointAt(pos));
                        groups.peek().push(Cost.character(0));
                    }
                }
            }
            while (groups.size() > 1) {   // unclosed: the engine reports it; measure what is there
                Group group = groups.pop();
                groups.peek().push(group.close());
            }
            return groups.pop().close();
        }

        private void openGroup() {
            if (!s.startsWith("(?", pos)) {
                pos++;
                groups.push(new Group(true, foldCase));
                return;
            }
            if (s.startsWith("(?P<", pos) || s.startsWith("(?<", pos)) {
                int end = s.indexOf('>', pos);
                pos = end < 0 ? s.length() : end + 1;
                groups.push(new Group(true, foldCase));
                return;
            }
            // Flags, then ')' (they apply to the rest of the group) or ':' (a group of its own).
            int i = pos + 2;
            boolean negated = false;
            boolean fold = foldCase;
            while (i < s.length()) {
                char f = s.charAt(i);
                if (f == 'i') {
                    fold = !negated;
                } else if (f == '-') {
                    negated = true;
                } else if (f != 'm' && f != 's' && f != 'U') {
                    break;
                }
                i++;
            }
            if (i < s.length() && s.charAt(i) == ':') {
                pos = i + 1;
                groups.push(new Group(false, foldCase));
                foldCase = fold;
            } else if (i < s.length() && s.charAt(i) == ')') {
                pos = i + 1;
                foldCase = fold;
            } else {
                pos = i;   // invalid: the engine reports it
            }
        }

        /** {@code {n}}, {@code {n,}} or {@code {n,m}}; anything else is a literal '{', as in Go. */
        private void repetition() {
            int start = pos;
            int i = pos + 1;
            int minEnd = digitsEnd(i);
            if (minEnd < 0) {
                literalBrace();
                return;
            }
            long min = count(i, minEnd);
            long max = min;
            i = minEnd;
            if (i < s.length() && s.charAt(i) == ',') {
                i++;
                if (i < s.length() && s.charAt(i) == '}') {
                    max = -1;
                } else {
                    int maxEnd = digitsEnd(i);
                    if (maxEnd < 0) {
                        literalBrace();
                        return;
                    }
                    max = count(i, maxEnd);
                    i = maxEnd;
                }
            }
            if (i >= s.length() || s.charAt(i) != '}') {
                literalBrace();
                return;
            }
            pos = i + 1;
            if (pos < s.length() && s.charAt(pos) == '?') {
                pos++;   // non-greedy
            }
            if (min > MAX_REPEAT || max > MAX_REPEAT) {
                throw new IllegalArgumentException("its repetition " + s.substring(start, i + 1) + " counts more than "
                        + amount(MAX_REPEAT) + ", the limit in Go's regexp (Traefik)");
            }
            Group group = groups.peek();
            if (group.last != null && (max == -1 || min <= max)) {
                group.last = group.last.repeat((int) min, (int) max);
            }
        }

        private void literalBrace() {
            pos++;
            groups.peek().push(Cost.character(0));
        }

        /** End of a run of digits at {@code i} without a leading zero (Go's parseInt), or -1. */
        private int digitsEnd(int i) {
            int j = i;
            while (j < s.length() && s.charAt(j) >= '0' && s.charAt(j) <= '9') {
                j++;
            }
            if (j == i || (j - i >= 2 && s.charAt(i) == '0')) {
                return -1;
            }
            return j;
        }

        private long count(int from, int to) {
            return to - from > 9 ? Long.MAX_VALUE / 2 : Long.parseLong(s, from, to, 10);
        }

        private void escape() {
            if (pos + 1 >= s.length()) {
                pos++;   // trailing backslash: the engine reports it
                return;
            }
            char e = s.charAt(pos + 1);
            switch (e) {
                case 'A', 'b', 'B', 'z' -> {
                    pos += 2;
                    groups.peek().push(Cost.empty());
                }
                case 'Q' -> {
                    int end = s.indexOf("\\E", pos + 2);
                    int stop = end < 0 ? s.length() : end;
                    for (int i = pos + 2; i < stop; i += Character.charCount(s.codePointAt(i))) {
                        groups.peek().push(Cost.character(0));
                    }
                    pos = end < 0 ? s.length() : end + 2;
                }
                default -> groups.peek().push(Cost.character(classEscape()));
            }
        }

        /**
         * One escape at {@code pos} (also inside a class): moves past it and returns the class bounds it adds, 0 for
         * a single character.
         */
        private long classEscape() {
            char e = s.charAt(pos + 1);
            pos += 2;
            switch (e) {
                case 'p', 'P' -> {
                    if (pos < s.length() && s.charAt(pos) == '{') {
                        int end = s.indexOf('}', pos);
                        pos = end < 0 ? s.length() : end + 1;
                    } else if (pos < s.length()) {
                        pos += Character.charCount(s.codePointAt(pos));
                    }
                    return UNICODE_CLASS_BOUNDS;
                }
                case 'd', 'D', 'w', 'W', 's', 'S' -> {
                    return 16;
                }
                case 'x' -> {
                    if (pos < s.length() && s.charAt(pos) == '{') {
                        int end = s.indexOf('}', pos);
                        pos = end < 0 ? s.length() : end + 1;
                    } else {
                        pos = Math.min(s.length(), pos + 2);
                    }
                    return 0;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        for (int k = 0; k < 2 && pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '7'; k++) {
                            pos++;
                        }
                    } else if (Character.isHighSurrogate(e) && pos < s.length()) {
                        pos++;
                    }
                    return 0;
                }
            }
        }

        /** A bracketed class at {@code pos}: moves past it and returns its estimated bounds. */
        private long characterClass() {
            pos++;
            long runes = 0;
            if (pos < s.length() && s.charAt(pos) == '^') {
                pos++;
                runes += 4;
            }
            boolean first = true;
            while (pos < s.length() && (s.charAt(pos) != ']' || first)) {
                first = false;
                char c = s.charAt(pos);
                if (c == '[' && s.startsWith("[:", pos)) {
                    int end = s.indexOf(":]", pos + 2);
                    if (end >= 0) {
                        pos = end + 2;
                        runes = add(runes, 16);
                        continue;
                    }
                }
                if (c == '\\' && pos + 1 < s.length()) {
                    long escaped = classEscape();
                    runes = add(runes, escaped == 0 ? 2 : escaped);
                } else {
                    pos += Character.charCount(s.codePointAt(pos));
                    runes = add(runes, 2);
                }
            }
            pos = Math.min(s.length(), pos + 1);   // the closing ']'
            // Folding case adds the other cases of each range: a few more bounds each.
            return foldCase ? mul(runes, 3) : runes;
        }
    }

    /**
     * Why RE2 refuses a syntax that other engines (Java's, PCRE) accept, as a parenthesised clause to append to the
     * engine's own message, or {@code ""} when there is nothing to add: Go's RE2 syntax has no lookahead or
     * lookbehind, and no backreferences. The same words wherever a configured regexp is refused:
     *
     * <pre>{@code
     * } catch (PatternSyntaxException e) {
     *     throw new IllegalArgumentException("`" + regexp + "` is invalid: " + e.getDescription()
     *             + RegexpLimits.syntaxHint(regexp, e.getDescription()));
     * }
     * }</pre>
     *
     * @param regexp the refused expression
     * @param description the engine's description of the error (RE2/J's {@code PatternSyntaxException.getDescription()})
     */
    public static String syntaxHint(String regexp, String description) {
        if (regexp.contains("(?=") || regexp.contains("(?!") || regexp.contains("(?<=") || regexp.contains("(?<!")) {
            return " (Go's RE2 syntax has no lookahead or lookbehind)";
        }
        if (description != null && description.contains("escape sequence") && regexp.matches("(?s).*\\\\[1-9].*")) {
            return " (Go's RE2 syntax has no backreferences)";
        }
        return "";
    }
}
