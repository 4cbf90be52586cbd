package dev.parley.config;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;

import dev.parley.testsupport.Metrics;

/**
 * The alert rules and the Grafana dashboard in {@code kubernetes/monitoring} ask only for metrics the
 * application exports: every metric name in their PromQL is looked up in a scrape of the running
 * application, so a renamed or removed meter fails here instead of silently emptying a panel or
 * muting an alert.
 */
@QuarkusTest
class MonitoringAssetsTest {

    private static final Path MONITORING = Path.of("kubernetes", "monitoring");
    // PromQL words that are not metric names: aggregation and set operators, modifiers, functions
    // (followed by "(") are recognised by their position instead
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "by", "without", "on", "ignoring",
            "group_left", "group_right", "offset", "bool", "inf", "nan");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern LABELS = Pattern.compile("\\{[^}]*}");
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    @Test
    void everyMetricTheAlertsAndTheDashboardUseIsExported() throws IOException {
        // one REST request, so that the HTTP server's meters have a series
        given().get("/api/auth/options").then().statusCode(200);
        Set<String> exported = exportedNames(Metrics.scrape());

        Map<String, List<String>> unknown = new TreeMap<>();
        for (Map.Entry<String, String> query : queries().entrySet()) {
            for (String name : metricNames(query.getValue())) {
                if (!exported.contains(name)) {
                    unknown.computeIfAbsent(name, n -> new ArrayList<>()).add(query.getKey());
                }
            }
        }
        assertThat(unknown).as("metrics used in kubernetes/monitoring that the application does not export").isEmpty();
    }

    @Test
    void theMetricNameReaderFindsNamesAndOnlyNames() {
        assertThat(metricNames("histogram_quantile(0.99, sum by (le, path) (rate(parley_delivery_latency_seconds_bucket"
                + "{namespace=\"$namespace\"}[5m]))) > 0.5"))
                .containsExactly("parley_delivery_latency_seconds_bucket");
        assertThat(metricNames("sum(parley_connections_open) < 0.5 * sum(parley_connections_open offset 5m)"))
                .containsExactly("parley_connections_open");
        assertThat(metricNames("sum(rate(a_total{code=\"x\"}[5m])) > 0 and sum(rate(b_total[5m])) == 0"))
                .containsExactly("a_total", "b_total");
        assertThat(metricNames("label_values(parley_connections_open, namespace)")).containsExactly("parley_connections_open");
    }

    /** Every PromQL expression, keyed by where it is: the rules' {@code expr}s and the dashboard's targets and variables. */
    private static Map<String, String> queries() throws IOException {
        Map<String, String> queries = new TreeMap<>();
        List<String> lines = Files.readAllLines(MONITORING.resolve("prometheusrule.yaml"));
        String alert = "?";
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.startsWith("- alert:") || line.startsWith("- record:")) {
                alert = line.substring(line.indexOf(':') + 1).strip();
            } else if (line.startsWith("expr:")) {
                String expr = line.substring("expr:".length()).strip();
                if (expr.equals("|") || expr.equals(">")) {
                    // a block scalar: the lines indented deeper than "expr:"
                    int indent = lines.get(i).indexOf("expr:");
                    StringBuilder block = new StringBuilder();
                    while (i + 1 < lines.size() && (lines.get(i + 1).isBlank()
                            || lines.get(i + 1).length() - lines.get(i + 1).stripLeading().length() > indent)) {
                        block.append(lines.get(++i).strip()).append(' ');
                    }
                    expr = block.toString();
                }
                queries.put("prometheusrule.yaml " + alert, expr);
            }
        }
        assertThat(queries).as("alert rules read from prometheusrule.yaml").hasSizeGreaterThan(5);

        JsonNode dashboard = new ObjectMapper().readTree(MONITORING.resolve("grafana-dashboard.json").toFile());
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                queries.put("grafana-dashboard.json " + panel.path("title").asText() + " " + target.path("refId").asText(),
                        target.path("expr").asText());
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                queries.put("grafana-dashboard.json variable " + variable.path("name").asText(),
                        variable.path("query").path("query").asText());
            }
        }
        return queries;
    }

    /** The metric names in a PromQL expression: identifiers left once strings, label matchers, groupings, ranges and functions are gone. */
    static Set<String> metricNames(String expr) {
        String bare = STRING.matcher(expr).replaceAll(" ");
        bare = LABELS.matcher(bare).replaceAll(" ");
        bare = GROUPING.matcher(bare).replaceAll(" ");
        bare = RANGE.matcher(bare).replaceAll(" ");
        // label_values(metric, label): the label is not a metric
        bare = bare.replaceAll("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,[^)]*\\)", "$1");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(bare);
        while (m.find()) {
            String word = m.group();
            boolean function = bare.substring(m.end()).stripLeading().startsWith("(");
            boolean number = m.start() > 0 && Character.isDigit(bare.charAt(m.start() - 1)); // the "m" of "5m" and the like
            if (!function && !number && !KEYWORDS.contains(word.toLowerCase())) {
                names.add(word);
            }
        }
        return names;
    }

    private static Set<String> exportedNames(String scrape) {
        Set<String> names = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                int end = line.indexOf('{') >= 0 ? line.indexOf('{') : line.indexOf(' ');
                names.add(line.substring(0, end));
            }
        }
        assertThat(names).as("metrics scraped").hasSizeGreaterThan(20);
        return names;
    }
}
