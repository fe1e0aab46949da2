namespace Gateway.EndToEnd.Tests.Policy;

public sealed class PolicyCheckTests : IDisposable
{
    private const string Kit = """
        schemaVersion: "1"
        kind: mixin
        name: dev-kit
        network:
          allowedDomains:
            - api.dev.example.test
            - "*.cdn.example.test"
          deniedDomains:
            - telemetry.dev.example.test
        """;

    private readonly StateDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task Check_ValidKitAndConfig_ExitsZeroAndSummarisesEach()
    {
        string kit = Write("kits/dev/spec.yaml", Kit);
        string config = Write("gateway.yaml", "listen:\n  forward: 127.0.0.1:3129\n");

        GatewayResult check = await _state.RunAsync("policy", "check", Path.GetDirectoryName(kit)!, config);

        check.AssertSuccess();
        Assert.Equal(
            [
                $"{Path.GetDirectoryName(kit)}: ok (kit \"dev-kit\": 2 allowed, 1 denied, 0 credential-bound domains)",
                $"{config}: ok (gateway config: forward 127.0.0.1:3129, initial default balanced, 0 kit entries, 0 sandboxes)",
            ],
            check.StdoutLines);
    }

    [Fact]
    public async Task Check_BrokenFiles_ReportsEveryProblemWithItsLineAndExitsOne()
    {
        string kit = Write("broken/spec.yaml", Kit.Replace("api.dev.example.test", "\"*.com\"", StringComparison.Ordinal) + "\nnetwrok: {}\n");
        string config = Write("bad.yaml", "listen:\n  forwrd: 127.0.0.1:3129\nlimits:\n  headerTimeout: soon\n");

        GatewayResult check = await _state.RunAsync("policy", "check", kit, config, "missing.yaml");

        Assert.Equal(1, check.ExitCode);
        Assert.Equal(
            [
                $"{kit}:6: network.allowedDomains[0]: pattern \"*.com\": a wildcard directly over the public suffix \"com\" matches every site registered under it; name a domain, e.g. \"*.example.com\"",
                $"{kit}:10: netwrok: unknown key; did you mean \"network\"?",
                $"{config}:2: listen.forwrd: unknown key; did you mean \"forward\"?",
                $"{config}:4: limits.headerTimeout: \"soon\" is not a duration; use e.g. 10s, 500ms, 5m",
                "missing.yaml: no such file",
                "gateway: 3 of 3 files have problems",
            ],
            check.StderrLines);
    }

    [Fact]
    public async Task Explain_ForAStaticSandbox_AppliesItsKitsOnlyToIt()
    {
        Write("kits/dev/spec.yaml", Kit);
        string config = Write(
            "gateway.yaml",
            $"kits: [\"{Path.Combine(_state.Root, "kits")}/*/spec.yaml\"]\n"
            + "sandboxes:\n  - { name: dev, addresses: [127.0.0.2], kits: [dev-kit] }\n");

        Explained asDev = Explained.ParseSingle((await _state.RunAsync("policy", "explain", "x.cdn.example.test", "--config", config, "--sandbox", "dev", "--json")).AssertSuccess().Json());
        Explained asHost = Explained.ParseSingle((await _state.RunAsync("policy", "explain", "x.cdn.example.test", "--config", config, "--json")).AssertSuccess().Json());
        GatewayResult ls = (await _state.RunAsync("policy", "ls", "--config", config, "--json")).AssertSuccess();

        Assert.Equal(("allowed", "kit:dev-kit/allow", "kit:dev-kit", "*.cdn.example.test"), (asDev.Decision, asDev.RuleId, asDev.Source, asDev.Pattern));
        Assert.Equal(("blocked", "no-match"), (asHost.Decision, asHost.RuleId));
        Assert.Contains(ls.StdoutLines, line => line.Contains("\"kit:dev-kit/deny\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Explain_WithAKitFile_DecidesAsASandboxStartedWithIt()
    {
        string kit = Write("kits/dev/spec.yaml", Kit);

        Explained explained = Explained.ParseSingle((await _state.RunAsync("policy", "explain", "telemetry.dev.example.test", "--kit", kit, "--json")).AssertSuccess().Json());

        Assert.Equal(("blocked", "kit:dev-kit/deny"), (explained.Decision, explained.RuleId));
    }

    private string Write(string relative, string content)
    {
        string path = Path.Combine(_state.Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }
}
