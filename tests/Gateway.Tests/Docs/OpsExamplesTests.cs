using Gateway.Cli;
using Gateway.Configuration;
using YamlDotNet.RepresentationModel;

namespace Gateway.Tests.Docs;

/// <summary>Every example under ops/ passes `gateway policy check`, as the README promises.</summary>
public sealed class OpsExamplesTests
{
    private static readonly string[] s_kits =
    [
        "ops/kits/ai-provider/spec.yaml",
        "ops/kits/package-mirror/spec.yaml",
        "ops/kits/code-host-readonly/spec.yaml",
        "ops/kits/code-host/spec.yaml",
        "ops/kits/vertex-ai/spec.yaml",
        "ops/kits/openai-api/spec.yaml",
        "ops/kits/query-keyed-api/spec.yaml",
        "ops/kits/bedrock/spec.yaml",
    ];

    public static TheoryData<string> Kits => new(s_kits);

    [Fact]
    public void ExampleConfig_PassesPolicyCheck() => AssertChecks(RepoFiles.PathOf("ops/config/gateway.yaml"), "gateway config");

    [Fact]
    public void SandboxesConfig_PassesPolicyCheck() => AssertChecks(RepoFiles.PathOf("ops/config/sandboxes.yaml"), "gateway config");

    [Fact]
    public void SandboxesConfig_IsWhatTheReadmeShows()
    {
        string readme = RepoFiles.Read("README.md");
        int section = readme.IndexOf("## Sandboxes", StringComparison.Ordinal);
        int start = readme.IndexOf("```yaml\n", section, StringComparison.Ordinal) + "```yaml\n".Length;
        string shown = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
        string file = string.Join('\n', RepoFiles.Read("ops/config/sandboxes.yaml").Split('\n').SkipWhile(l => l.StartsWith('#')));

        Assert.Equal(file, shown);
    }

    [Theory]
    [MemberData(nameof(Kits))]
    public void Kit_PassesPolicyCheck(string kit) => AssertChecks(RepoFiles.PathOf(kit), "kit");

    [PendingKitKeyFact("ops/kits/socks5-egress/spec.yaml", "network.proxy", "SOCKS5 upstream per kit")]
    public void Socks5Kit_PassesPolicyCheck() => AssertChecks(RepoFiles.PathOf("ops/kits/socks5-egress/spec.yaml"), "kit");

    [Fact]
    public void EveryKitDirectory_IsChecked()
    {
        // A kit added under ops/kits must be added to the theory (or the SOCKS5 fact) above.
        string[] dirs = [.. Directory.GetDirectories(RepoFiles.PathOf("ops/kits")).Select(d => $"ops/kits/{Path.GetFileName(d)}/spec.yaml").Order()];
        string[] checkedKits = [.. s_kits.Append("ops/kits/socks5-egress/spec.yaml").Order()];
        Assert.Equal(checkedKits, dirs);
    }

    [Fact]
    public void KubernetesConfigMap_PassesPolicyCheck()
    {
        var yaml = new YamlStream();
        using (var reader = new StringReader(RepoFiles.Read("ops/k8s/daemonset.yaml")))
        {
            yaml.Load(reader);
        }

        YamlMappingNode configMap = yaml.Documents.Select(d => (YamlMappingNode)d.RootNode)
            .Single(d => d.Children[new YamlScalarNode("kind")].ToString() == "ConfigMap");
        var data = (YamlMappingNode)configMap.Children[new YamlScalarNode("data")];
        string dir = Directory.CreateTempSubdirectory("gw-k8s-").FullName;
        try
        {
            foreach ((YamlNode key, YamlNode value) in data.Children)
            {
                string file = Path.Combine(dir, key.ToString());
                File.WriteAllText(file, value.ToString());
                AssertChecks(file, key.ToString() == "gateway.yaml" ? "gateway config" : "kit");
            }

            Assert.True(data.Children.Count >= 2, "the ConfigMap should carry gateway.yaml and at least one kit");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void KubernetesDaemonSet_ProbesTheMetricsListenerAndKeepsStateOnTheNode()
    {
        string manifest = RepoFiles.Read("ops/k8s/daemonset.yaml");
        Assert.Contains("kind: DaemonSet", manifest, StringComparison.Ordinal);
        Assert.Contains("path: /healthz", manifest, StringComparison.Ordinal);
        Assert.Contains("path: /readyz", manifest, StringComparison.Ordinal);
        Assert.Contains("runAsNonRoot: true", manifest, StringComparison.Ordinal);
        Assert.Contains("hostPath: { path: /var/lib/egress-gateway", manifest, StringComparison.Ordinal);
    }

    private static void AssertChecks(string file, string kind)
    {
        var output = new StringWriter();
        int exit = GatewayCli.Run(["policy", "check", file], new CliContext
        {
            Out = output,
            Error = output,
            In = TextReader.Null,
            InteractiveInput = false,
            Environment = ConfigLoader.NoEnvironment,
        });
        Assert.True(exit == ExitCodes.Ok, $"gateway policy check {file}:\n{output}");
        Assert.Contains($": ok ({kind}", output.ToString(), StringComparison.Ordinal);
    }
}
