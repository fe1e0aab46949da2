namespace Gateway.EndToEnd.Tests;

/// <summary>A fresh, empty state directory for one test, deleted afterwards.</summary>
internal sealed class StateDirectory : IDisposable
{
    public StateDirectory()
    {
        Root = Directory.CreateTempSubdirectory("gateway-e2e-").FullName;
        Path = System.IO.Path.Combine(Root, "state");
    }

    /// <summary>The temporary directory that holds <see cref="Path"/> (and whatever else a test needs).</summary>
    public string Root { get; }

    /// <summary>The state directory; not created until the gateway writes to it.</summary>
    public string Path { get; }

    /// <summary>The policy store inside the state directory.</summary>
    public string PolicyFile => System.IO.Path.Combine(Path, "policy.json");

    /// <summary>Runs <c>gateway --state-dir PATH ARGS</c>.</summary>
    public Task<GatewayResult> RunAsync(params string[] args) => GatewayProcess.RunAsync(["--state-dir", Path, .. args]);

    /// <summary>Starts <c>gateway --state-dir PATH ARGS</c> without waiting for it.</summary>
    public RunningGateway Start(params string[] args) => GatewayProcess.Start(["--state-dir", Path, .. args]);

    /// <summary>The rules `policy ls --json` lists, after asserting it succeeded.</summary>
    public async Task<IReadOnlyList<Rule>> ListAsync()
    {
        GatewayResult ls = (await RunAsync("policy", "ls", "--json")).AssertSuccess();
        return Rule.ParseList(ls.Json());
    }

    /// <summary>The local rules `policy ls --json` lists.</summary>
    public async Task<IReadOnlyList<Rule>> LocalRulesAsync() =>
        [.. (await ListAsync()).Where(r => r.Source == "local")];

    /// <summary>Runs `policy allow|deny network PATTERNS` and returns the new rule's id ("local:UUID").</summary>
    public async Task<string> AddAsync(string verb, string patterns)
    {
        GatewayResult added = (await RunAsync("policy", verb, "network", patterns)).AssertSuccess();
        string line = Assert.Single(added.StdoutLines);
        System.Text.RegularExpressions.Match match = Rule.AddedLine().Match(line);
        Assert.True(match.Success, line);
        return match.Groups["id"].Value;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
