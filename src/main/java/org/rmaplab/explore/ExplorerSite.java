package org.rmaplab.explore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The explorer's files: index.html, explorer.js and explorer.css from the jar (our own, vanilla
 * JavaScript, no library), and the recording's data files ({@link ExplorerData}: data.js and its
 * chunks data-000.js, ...), scripts so that the site works from file:// (no fetch).
 */
public final class ExplorerSite {
    private ExplorerSite() {}

    /** The site's files, name → content, for the recording's DATA files. */
    public static Map<String, String> files(Map<String, String> data) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String f : new String[] {"index.html", "explorer.js", "explorer.css"}) {
            m.put(f, resource(f));
        }
        m.putAll(data);
        return m;
    }

    private static String resource(String name) {
        try (InputStream in = ExplorerSite.class.getResourceAsStream("/explore/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks /explore/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /explore/" + name + " from the jar", e);
        }
    }
}
