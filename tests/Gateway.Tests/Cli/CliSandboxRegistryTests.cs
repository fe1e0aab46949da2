using System.Net;
using System.Text.Json;
using Gateway.Configuration;
using Gateway.Tests.Listeners;

namespace Gateway.Tests.Cli;

/// <summary>
/// Issue 17 item 5: the CLI knows the sandboxes the daemon knows. `policy explain --sandbox` and
/// `sandbox ls` resolve names through the daemon's registry (the config's static sandboxes and
/// those vmm registered over the admin API), whether the daemon runs or not, with or without --config.
/// </summary>
public sealed class CliSandboxRegistryTests : IAsyncLifetime
{
    private const string Kit = """
        schemaVersion: "1"
        kind: mixin
        name: vm-kit
        network:
          allowedDomains:
            - api.example.test
        """;

    private string _directory = null!;
    private string _config = null!;
    private GatewayUnderTest _gateway = null!;

    public async Task InitializeAsync()
    {
        _directory = Directory.CreateTempSubdirectory("gw-cli-sandboxes-").FullName;
        string kit = Path.Combine(_directory, "spec.yaml");
        await File.WriteAllTextAsync(kit, Kit);
        _config = Path.Combine(_directory, "gateway.yaml");
        await File.WriteAllTextAsync(_config, $"kits: [{kit}]\nsandboxes:\n  - {{ name: static-one, addresses: [127.0.0.5] }}\n");
        _gateway = await GatewayUnderTest.StartAsync(
            [["policy", "set-default", "deny-all"]],
            config => config with { Kits = [kit], Sandboxes = [new SandboxConfig("static-one", [IPAddress.Parse("127.0.0.5")], [], null)] });
        using HttpResponseMessage withKit = await AdminHttp.RegisterAsync(_gateway.StateDir, new { name = "vm-one", addresses = new[] { "127.0.0.6" }, kits = new[] { "vm-kit" } });
        using HttpResponseMessage bare = await AdminHttp.RegisterAsync(_gateway.StateDir, new { name = "vm-two", addresses = new[] { "127.0.0.7" } });
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (withKit.StatusCode, bare.StatusCode));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void ExplainForARegisteredSandbox_WhileTheDaemonRuns_AppliesItsKit()
    {
        JsonElement explained = ExplainJson("--sandbox", "vm-one");

        Assert.Equal("allowed", explained.GetProperty("decision").GetString());
        Assert.Equal(["vm-kit"], explained.GetProperty("kits").EnumerateArray().Select(k => k.GetString()));
    }

    [Fact]
    public async Task ExplainForARegisteredSandbox_WithNoDaemon_KnowsItFromTheStateDirectory()
    {
        await _gateway.StopAsync();

        JsonElement bare = ExplainJson("--sandbox", "vm-two");
        (int exit, string output) = _gateway.Cli("policy", "explain", "api.example.test", "--sandbox", "nobody");

        Assert.Equal(("vm-two", "blocked"), (bare.GetProperty("sandbox").GetString(), bare.GetProperty("decision").GetString()));
        Assert.Equal(1, exit);
        Assert.Contains("unknown sandbox \"nobody\"; known sandboxes: host, vm-one, vm-two", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExplainWithConfig_KnowsThatConfigsSandboxes_AndTheRegisteredOnes()
    {
        await _gateway.StopAsync();

        JsonElement registered = ExplainJson("--config", _config, "--sandbox", "vm-one");
        JsonElement configured = ExplainJson("--config", _config, "--sandbox", "static-one");

        Assert.Equal(("allowed", "vm-kit"), (registered.GetProperty("decision").GetString(), registered.GetProperty("kits")[0].GetString()));
        Assert.Equal(("static-one", "blocked"), (configured.GetProperty("sandbox").GetString(), configured.GetProperty("decision").GetString()));
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public async Task SandboxLs_ListsTheStaticAndTheRegisteredSandboxes(bool daemonRunning, bool withConfig)
    {
        if (!daemonRunning)
        {
            await _gateway.StopAsync();
        }

        (int exit, string output) = withConfig ? _gateway.Cli("sandbox", "ls", "--json", "--config", _config) : _gateway.Cli("sandbox", "ls", "--json");

        Assert.True(exit == 0, output);
        using JsonDocument rows = JsonDocument.Parse(output);
        string[] listed = [.. rows.RootElement.EnumerateArray().Select(r => $"{r.GetProperty("name").GetString()}:{r.GetProperty("source").GetString()}")];
        Assert.Equal(daemonRunning || withConfig ? ["static-one:config", "vm-one:registered", "vm-two:registered"] : ["vm-one:registered", "vm-two:registered"], listed);
    }

    private JsonElement ExplainJson(params string[] options)
    {
        (int exit, string output) = _gateway.Cli(["policy", "explain", "api.example.test", "--json", .. options]);
        Assert.True(exit == 0, output);
        using JsonDocument document = JsonDocument.Parse(output);
        return document.RootElement[0].Clone();
    }
}
