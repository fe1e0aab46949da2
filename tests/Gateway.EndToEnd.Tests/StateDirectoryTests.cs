using System.Text.Json;

namespace Gateway.EndToEnd.Tests;

public sealed class StateDirectoryTests : IDisposable
{
    private readonly StateDirectory _state = new();

    public void Dispose() => _state.Dispose();

    private string Other => Path.Combine(_state.Root, "other");

    [Fact]
    public async Task StateDirFlag_WinsOverTheEnvironmentVariable()
    {
        GatewayResult allow = await GatewayProcess.RunAsync(
            ["--state-dir", _state.Path, "policy", "allow", "network", "a.example.test"],
            new Dictionary<string, string?> { ["GATEWAY_STATE_DIR"] = Other });

        allow.AssertSuccess();
        Assert.True(File.Exists(_state.PolicyFile));
        Assert.False(Directory.Exists(Other));
    }

    [Fact]
    public async Task EnvironmentVariable_PicksTheStateDirectoryWithoutTheFlag()
    {
        var environment = new Dictionary<string, string?> { ["GATEWAY_STATE_DIR"] = Other };

        (await GatewayProcess.RunAsync(["policy", "allow", "network", "a.example.test"], environment)).AssertSuccess();
        GatewayResult viaEnvironment = (await GatewayProcess.RunAsync(["policy", "ls", "--json"], environment)).AssertSuccess();

        Assert.True(File.Exists(Path.Combine(Other, "policy.json")));
        Assert.Equal(["a.example.test"], Rule.ParseList(viaEnvironment.Json()).Single(r => r.Source == "local").Resources);
        Assert.Empty(await _state.LocalRulesAsync());
    }

    [Fact]
    public async Task StateDirFlag_AfterTheSubcommand_IsHonoured()
    {
        (await GatewayProcess.RunAsync(["policy", "allow", "network", "a.example.test", "--state-dir", _state.Path])).AssertSuccess();

        Assert.Single(await _state.LocalRulesAsync());
    }

    [Fact]
    public async Task Policy_IsPersistedAsPolicyJsonInTheStateDirectory()
    {
        string id = await _state.AddAsync("deny", "a.example.test,*.b.example.test:8443");
        (await _state.RunAsync("policy", "set-default", "deny-all")).AssertSuccess();

        using var document = JsonDocument.Parse(await File.ReadAllBytesAsync(_state.PolicyFile));
        JsonElement root = document.RootElement;
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        Assert.Equal("deny-all", root.GetProperty("default").GetString());
        JsonElement rule = Assert.Single(root.GetProperty("rules").EnumerateArray());
        Assert.Equal(id["local:".Length..], rule.GetProperty("id").GetString());
        Assert.Equal("network", rule.GetProperty("type").GetString());
        Assert.Equal("deny", rule.GetProperty("decision").GetString());
        Assert.Equal(["a.example.test", "*.b.example.test:8443"], rule.GetProperty("resources").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(["policy.json", "policy.lock"], Directory.GetFiles(_state.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Ls_OfACorruptPolicyFile_FailsWithOneLineNamingTheFileAndTheFix()
    {
        Directory.CreateDirectory(_state.Path);
        await File.WriteAllTextAsync(_state.PolicyFile, "{\"version\": 1,");

        GatewayResult ls = await _state.RunAsync("policy", "ls");

        Assert.Equal(1, ls.ExitCode);
        string line = Assert.Single(ls.StderrLines);
        Assert.StartsWith($"gateway: {_state.PolicyFile} is not a valid policy store (", line, StringComparison.Ordinal);
        Assert.EndsWith("start over with `gateway policy reset --force`", line, StringComparison.Ordinal);
        Assert.Equal(string.Empty, ls.Stdout);
    }

    [Fact]
    public async Task Allow_WhenTheStateDirectoryIsAFile_FailsWithOneLine()
    {
        await File.WriteAllTextAsync(Other, string.Empty);

        GatewayResult allow = await GatewayProcess.RunAsync(["--state-dir", Other, "policy", "allow", "network", "a.example.test"]);

        Assert.Equal(1, allow.ExitCode);
        Assert.StartsWith($"gateway: cannot create state directory {Other}: ", Assert.Single(allow.StderrLines), StringComparison.Ordinal);
    }
}
