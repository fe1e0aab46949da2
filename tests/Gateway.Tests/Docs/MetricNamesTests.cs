using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.Tests.Listeners;
using Gateway.Tests.Metrics;
using YamlDotNet.RepresentationModel;

namespace Gateway.Tests.Docs;

/// <summary>The alert rules and the dashboard name only metrics a live gateway exports.</summary>
public sealed partial class MetricNamesTests
{
    private const string Alerts = "ops/prometheus/alerts.yml";
    private const string Dashboard = "ops/grafana/egress-gateway.json";

    private const string CaExpiry = "gateway_ca_expiry_timestamp_seconds";

    [Fact]
    public async Task AlertRules_NameOnlyExportedMetrics()
    {
        HashSet<string> exported = await ExportedNamesAsync();
        string[] unknown = [.. MetricNames(AlertExpressions()).Where(n => !exported.Contains(n))];
        Assert.True(unknown.Length == 0, $"{Alerts} names metrics the gateway does not export: {string.Join(", ", unknown)}");
    }

    [Fact]
    public async Task Dashboard_NamesOnlyExportedMetrics()
    {
        HashSet<string> exported = await ExportedNamesAsync();
        string[] unknown = [.. MetricNames(DashboardExpressions()).Where(n => !exported.Contains(n))];
        Assert.True(unknown.Length == 0, $"{Dashboard} names metrics the gateway does not export: {string.Join(", ", unknown)}");
    }

    [Fact]
    public void Dashboard_ShowsDecisionsConnectionsBytesLatencyAndInjections_WithoutHostLabels()
    {
        string[] expressions = [.. DashboardExpressions()];
        HashSet<string> names = MetricNames(expressions);
        foreach (string needed in (string[])["gateway_decisions_total", "gateway_connections_total", "gateway_connections_active", "gateway_bytes_total",
            "gateway_decision_duration_seconds_bucket", "gateway_upstream_connect_duration_seconds_bucket", "gateway_injections_total"])
        {
            Assert.Contains(needed, names);
        }

        Assert.Contains(expressions, e => e.Contains("by (decision, proxy)", StringComparison.Ordinal));
        Assert.DoesNotContain(expressions, e => HostLabel().IsMatch(e));
    }

    [Fact]
    public void AlertRules_CoverWhatTheIssueAsksFor()
    {
        string[] expressions = [.. AlertExpressions()];
        HashSet<string> names = MetricNames(expressions);
        Assert.Contains(expressions, e => e.Contains("decision=\"blocked\"", StringComparison.Ordinal)); // blocked-rate spike
        Assert.Contains("gateway_audit_queue_depth", names);
        Assert.Contains("gateway_audit_dropped_total", names);
        Assert.Contains("gateway_policy_reload_failures_total", names);
        Assert.Contains(expressions, e => e.Contains("upstream_refused", StringComparison.Ordinal)); // upstream connect errors
        Assert.Contains(expressions, e => e.Contains("gateway_connections_total[", StringComparison.Ordinal) && e.Contains("== 0", StringComparison.Ordinal)); // no traffic
        Assert.Contains(CaExpiry, names);
    }

    [Fact]
    public void AlertRules_AreWellFormedRuleGroups()
    {
        var yaml = new YamlStream();
        using (var reader = new StringReader(RepoFiles.Read(Alerts)))
        {
            yaml.Load(reader);
        }

        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var groups = (YamlSequenceNode)root.Children[new YamlScalarNode("groups")];
        foreach (YamlMappingNode group in groups.Cast<YamlMappingNode>())
        {
            Assert.True(group.Children.ContainsKey(new YamlScalarNode("name")));
            foreach (YamlMappingNode rule in ((YamlSequenceNode)group.Children[new YamlScalarNode("rules")]).Cast<YamlMappingNode>())
            {
                string alert = rule.Children[new YamlScalarNode("alert")].ToString();
                Assert.Matches("^[A-Za-z][A-Za-z0-9]*$", alert);
                Assert.False(string.IsNullOrWhiteSpace(rule.Children[new YamlScalarNode("expr")].ToString()), alert);
                var annotations = (YamlMappingNode)rule.Children[new YamlScalarNode("annotations")];
                Assert.True(annotations.Children.ContainsKey(new YamlScalarNode("summary")), alert);
                var labels = (YamlMappingNode)rule.Children[new YamlScalarNode("labels")];
                Assert.Contains(labels.Children[new YamlScalarNode("severity")].ToString(), (string[])["critical", "warning", "info"]);
            }
        }
    }

    [ToolFact("promtool", "prometheus")]
    public async Task AlertRules_PassPromtool()
    {
        ToolResult result = await ToolRun.RunAsync("promtool", ["check", "rules", RepoFiles.PathOf(Alerts)], TimeSpan.FromSeconds(60));
        Assert.True(result.Exit == 0, result.ToString());
        Assert.Contains("SUCCESS", result.Output, StringComparison.Ordinal);
    }

    private static async Task<HashSet<string>> ExportedNamesAsync()
    {
        await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Scrape scrape = Scrape.Parse(await http.GetStringAsync(gateway.MetricsUrl + "/metrics"));
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (PrometheusFamily family in scrape.Families.Values)
        {
            names.Add(family.Name);
            if (family.Type == "histogram")
            {
                names.UnionWith([family.Name + "_bucket", family.Name + "_sum", family.Name + "_count"]);
            }
        }

        Assert.Contains("gateway_decisions_total", names);
        return names;
    }

    private static IEnumerable<string> AlertExpressions()
    {
        var yaml = new YamlStream();
        using (var reader = new StringReader(RepoFiles.Read(Alerts)))
        {
            yaml.Load(reader);
        }

        var groups = (YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode).Children[new YamlScalarNode("groups")];
        return groups.Cast<YamlMappingNode>()
            .SelectMany(g => ((YamlSequenceNode)g.Children[new YamlScalarNode("rules")]).Cast<YamlMappingNode>())
            .Select(r => r.Children[new YamlScalarNode("expr")].ToString())
            .ToList();
    }

    private static IEnumerable<string> DashboardExpressions()
    {
        using JsonDocument dashboard = JsonDocument.Parse(RepoFiles.Read(Dashboard));
        var expressions = new List<string>();
        Collect(dashboard.RootElement, expressions);
        Assert.NotEmpty(expressions);
        return expressions;

        static void Collect(JsonElement element, List<string> into)
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    if (property.Name is "expr" or "query" && property.Value.ValueKind == JsonValueKind.String)
                    {
                        into.Add(property.Value.GetString()!);
                    }

                    Collect(property.Value, into);
                }
            }
            else if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement item in element.EnumerateArray())
                {
                    Collect(item, into);
                }
            }
        }
    }

    private static HashSet<string> MetricNames(IEnumerable<string> expressions) =>
        [.. expressions.SelectMany(e => GatewayMetric().Matches(e).Select(m => m.Value))];

    [GeneratedRegex(@"\bgateway_[a-z0-9_]+\b")]
    private static partial Regex GatewayMetric();

    [GeneratedRegex(@"\b(host|sandbox)\b\s*[=!~,)]")]
    private static partial Regex HostLabel();
}
