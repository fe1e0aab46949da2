using System.Net;
using Gateway.Configuration;
using Gateway.Tests.Listeners;

namespace Gateway.Tests.Admin;

/// <summary>
/// Issue 16 item 10: `policy explain` without --config answers from the running daemon's policy
/// (its kits and sandboxes, which the embedded defaults do not know), and says whose answer it is;
/// with no daemon it says the answer is the built-in defaults'.
/// </summary>
public sealed class AdminExplainTests : IAsyncLifetime
{
    private const string Kit = """
        schemaVersion: "1"
        kind: mixin
        name: dev-kit
        network:
          allowedDomains:
            - api.example.test
        """;

    private string _kitDirectory = null!;
    private GatewayUnderTest _gateway = null!;

    public async Task InitializeAsync()
    {
        _kitDirectory = Directory.CreateTempSubdirectory("gw-explain-kit-").FullName;
        string kit = Path.Combine(_kitDirectory, "spec.yaml");
        await File.WriteAllTextAsync(kit, Kit);
        _gateway = await GatewayUnderTest.StartAsync(
            [["policy", "set-default", "deny-all"]],
            config => config with { Kits = [kit], Sandboxes = [new SandboxConfig("dev", [IPAddress.Parse("127.0.0.2")], ["dev-kit"], null)] });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        Directory.Delete(_kitDirectory, recursive: true);
    }

    [Fact]
    public void Explain_WithoutConfig_WhileTheDaemonRuns_AnswersWithItsSandboxesAndKits()
    {
        (int exit, string output) = _gateway.Cli("policy", "explain", "api.example.test", "--sandbox", "dev");

        Assert.True(exit == 0, output);
        string[] lines = output.Split('\n');
        Assert.StartsWith("config:    the running gateway (pid ", lines[0], StringComparison.Ordinal);
        Assert.Contains("sandbox:   dev with kits dev-kit", lines);
        Assert.Contains(lines, line => line.StartsWith("decision:  allowed", StringComparison.Ordinal));
    }

    [Fact]
    public void Explain_WithoutConfig_ForASandboxTheDaemonDoesNotKnow_FailsWithTheDaemonsList()
    {
        (int exit, string output) = _gateway.Cli("policy", "explain", "api.example.test", "--sandbox", "nobody");

        Assert.Equal(1, exit);
        Assert.Contains("unknown sandbox \"nobody\"; the running gateway knows: host, dev", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_WithoutConfig_AsJson_SaysWhoseConfigurationAnswered()
    {
        (int exit, string output) = _gateway.Cli("policy", "explain", "api.example.test", "--json");

        Assert.True(exit == 0, output);
        using var json = System.Text.Json.JsonDocument.Parse(output);
        System.Text.Json.JsonElement e = Assert.Single(json.RootElement.EnumerateArray());
        Assert.StartsWith("the running gateway (pid ", e.GetProperty("configuration").GetString(), StringComparison.Ordinal);
        Assert.Equal("blocked", e.GetProperty("decision").GetString());
    }

    [Fact]
    public async Task Explain_WithoutConfig_AndNoDaemon_SaysItIsTheBuiltInDefaults()
    {
        await _gateway.StopAsync();

        (int exit, string output) = _gateway.Cli("policy", "explain", "api.example.test");

        Assert.True(exit == 0, output);
        Assert.StartsWith("config:    built-in defaults (no --config, and no gateway running", output, StringComparison.Ordinal);
    }
}
