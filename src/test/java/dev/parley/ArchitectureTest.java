package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The shape of {@code src/main}, read from its sources: packages depend one way, gateway → domain →
 * infrastructure, and no two files (in one package or across packages) depend on each other in a circle.
 */
class ArchitectureTest {

    private static final Path MAIN = Path.of("src", "main", "java", "dev", "parley");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?dev\\.parley\\.(\\w+)\\.(\\w+)", Pattern.MULTILINE);
    private static final Pattern COMMENTS = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);
    private static final Pattern STRINGS = Pattern.compile("\"\"\".*?\"\"\"|\"(?:\\\\.|[^\"\\\\])*\"", Pattern.DOTALL);

    /** Each package's layer: a package may depend only on packages of lower layers. */
    private static final Map<String, Integer> LAYERS = Map.ofEntries(
            Map.entry("wire", 0),
            Map.entry("problem", 1),
            Map.entry("config", 2),
            Map.entry("tracing", 2),
            Map.entry("limit", 3),
            Map.entry("fanout", 4),
            Map.entry("auth", 4),
            Map.entry("health", 4),
            Map.entry("room", 5),
            Map.entry("presence", 5),
            Map.entry("bot", 5),
            Map.entry("message", 6),
            Map.entry("realtime", 7),
            Map.entry("attachment", 7),
            Map.entry("webhook", 7));

    @Test
    void everyPackageHasALayerAndDependsOnlyOnLowerOnes() {
        Map<String, Set<String>> violations = new TreeMap<>();
        for (SourceFile file : sources()) {
            assertThat(LAYERS).as("layer of package %s", file.pkg()).containsKey(file.pkg());
            for (String target : file.importedPackages()) {
                if (!target.equals(file.pkg()) && LAYERS.getOrDefault(target, -1) >= LAYERS.get(file.pkg())) {
                    violations.computeIfAbsent(file.pkg() + "/" + file.name(), k -> new TreeSet<>()).add(target);
                }
            }
        }
        assertThat(violations).as("files depending on a package of their own layer or above").isEmpty();
    }

    @Test
    void noFilesDependOnEachOtherInACircle() {
        List<SourceFile> files = sources();
        Map<String, Set<String>> graph = new HashMap<>();
        Map<String, Set<String>> namesByPackage = new HashMap<>();
        for (SourceFile f : files) {
            namesByPackage.computeIfAbsent(f.pkg(), k -> new HashSet<>()).add(f.name());
        }
        for (SourceFile f : files) {
            Set<String> deps = new TreeSet<>();
            Matcher m = IMPORT.matcher(f.text());
            while (m.find()) {
                deps.add(m.group(1) + "." + m.group(2));
            }
            String code = STRINGS.matcher(COMMENTS.matcher(f.text()).replaceAll(" ")).replaceAll("\"\"");
            for (String other : namesByPackage.get(f.pkg())) {
                if (!other.equals(f.name()) && Pattern.compile("\\b" + other + "\\b").matcher(code).find()) {
                    deps.add(f.pkg() + "." + other);
                }
            }
            graph.put(f.pkg() + "." + f.name(), deps);
        }
        List<String> cycle = findCycle(graph);
        assertThat(cycle).as("a circle of file dependencies").isEmpty();
    }

    private static List<String> findCycle(Map<String, Set<String>> graph) {
        Map<String, Integer> state = new HashMap<>(); // 1: on the path, 2: done
        for (String start : new TreeSet<>(graph.keySet())) {
            List<String> path = new ArrayList<>();
            List<String> cycle = visit(start, graph, state, path);
            if (!cycle.isEmpty()) {
                return cycle;
            }
        }
        return List.of();
    }

    private static List<String> visit(String node, Map<String, Set<String>> graph, Map<String, Integer> state,
            List<String> path) {
        Integer s = state.get(node);
        if (s != null && s == 2) {
            return List.of();
        }
        if (s != null && s == 1) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(node), path.size()));
            cycle.add(node);
            return cycle;
        }
        state.put(node, 1);
        path.add(node);
        for (String next : graph.getOrDefault(node, Set.of())) {
            if (graph.containsKey(next)) {
                List<String> cycle = visit(next, graph, state, path);
                if (!cycle.isEmpty()) {
                    return cycle;
                }
            }
        }
        path.remove(path.size() - 1);
        state.put(node, 2);
        return List.of();
    }

    private record SourceFile(String pkg, String name, String text) {
        Set<String> importedPackages() {
            Set<String> packages = new TreeSet<>();
            Matcher m = IMPORT.matcher(text);
            while (m.find()) {
                packages.add(m.group(1));
            }
            return packages;
        }
    }

    private static List<SourceFile> sources() {
        try (Stream<Path> paths = Files.walk(MAIN)) {
            return paths.filter(p -> p.toString().endsWith(".java")).map(p -> {
                try {
                    Path relative = MAIN.relativize(p);
                    assertThat(relative.getNameCount()).as("%s sits in a feature package", relative).isEqualTo(2);
                    String name = relative.getFileName().toString().replace(".java", "");
                    return new SourceFile(relative.getName(0).toString(), name, Files.readString(p));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
