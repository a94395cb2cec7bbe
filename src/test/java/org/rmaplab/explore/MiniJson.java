package org.rmaplab.explore;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough of a JSON reader for the tests to read the explorer's data files back as the page
 * does: objects as LinkedHashMap, arrays as List, numbers as Long, strings, true/false/null.
 */
final class MiniJson {
    private final String s;
    private int i;

    private MiniJson(String s, int from) {
        this.s = s;
        this.i = from;
    }

    /** The JSON value in S starting at FROM. */
    static Object parse(String s, int from) {
        return new MiniJson(s, from).value();
    }

    private Object value() {
        skip();
        char c = s.charAt(i);
        if (c == '{') {
            Map<String, Object> m = new LinkedHashMap<>();
            i++;
            skip();
            if (s.charAt(i) == '}') {
                i++;
                return m;
            }
            do {
                skip();
                String k = string();
                skip();
                expect(':');
                m.put(k, value());
                skip();
            } while (s.charAt(i++) == ',');
            check(s.charAt(i - 1) == '}');
            return m;
        }
        if (c == '[') {
            List<Object> l = new ArrayList<>();
            i++;
            skip();
            if (s.charAt(i) == ']') {
                i++;
                return l;
            }
            do {
                l.add(value());
                skip();
            } while (s.charAt(i++) == ',');
            check(s.charAt(i - 1) == ']');
            return l;
        }
        if (c == '"') {
            return string();
        }
        for (String w : new String[] {"null", "true", "false"}) {
            if (s.startsWith(w, i)) {
                i += w.length();
                return w.equals("null") ? null : Boolean.valueOf(w);
            }
        }
        int start = i;
        while (i < s.length() && "-0123456789".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        check(i > start);
        return Long.parseLong(s.substring(start, i));
    }

    private String string() {
        expect('"');
        StringBuilder b = new StringBuilder();
        for (char c = s.charAt(i++); c != '"'; c = s.charAt(i++)) {
            if (c == '\\') {
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 'u' -> {
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> b.append(e);
                }
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private void skip() {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
    }

    private void expect(char c) {
        check(s.charAt(i++) == c);
    }

    private void check(boolean ok) {
        if (!ok) {
            throw new IllegalArgumentException("bad JSON at " + i + ": " + s.substring(Math.max(0, i - 20), Math.min(s.length(), i + 20)));
        }
    }
}
