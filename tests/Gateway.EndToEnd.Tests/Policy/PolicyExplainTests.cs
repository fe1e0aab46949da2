namespace Gateway.EndToEnd.Tests.Policy;

public sealed class PolicyExplainTests : IDisposable
{
    private readonly StateDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task Explain_UpperCaseAndTrailingDot_IsCanonicalisedBeforeMatching()
    {
        string id = await _state.AddAsync("allow", "a.example.test");

        Explained json = await ExplainAsync("A.EXAMPLE.TEST.");
        GatewayResult text = (await _state.RunAsync("policy", "explain", "A.EXAMPLE.TEST.")).AssertSuccess();

        Assert.Equal(("A.EXAMPLE.TEST.", "a.example.test", 443), (json.Host, json.CanonicalHost, json.Port));
        Assert.Equal(("allowed", id, "local", "a.example.test"), (json.Decision, json.RuleId, json.Source, json.Pattern));
        Assert.Equal(
            [
                "host:      A.EXAMPLE.TEST. (canonical: a.example.test)",
                "port:      443",
                "sandbox:   host",
                "decision:  allowed (an allow rule matches and no deny rule does)",
                $"rule:      {id} (source: local)",
                "pattern:   a.example.test",
            ],
            text.StdoutLines.Skip(1));
        Assert.StartsWith("config:    built-in defaults (no --config, and no gateway running", text.StdoutLines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_InternationalisedName_IsMatchedAsPunycode()
    {
        GatewayResult allow = (await _state.RunAsync("policy", "allow", "network", "bücher.example.test")).AssertSuccess();
        Assert.EndsWith(": allow xn--bcher-kva.example.test", Assert.Single(allow.StdoutLines), StringComparison.Ordinal);

        Explained explained = await ExplainAsync("bücher.example.test");

        Assert.Equal(("bücher.example.test", "xn--bcher-kva.example.test"), (explained.Host, explained.CanonicalHost));
        Assert.Equal(("allowed", "xn--bcher-kva.example.test"), (explained.Decision, explained.Pattern));
        Assert.Equal("allowed", (await ExplainAsync("xn--bcher-kva.example.test")).Decision);
    }

    [Theory]
    [InlineData("BÜCHER.example.test", "xn--bcher-kva.example.test")]
    [InlineData("bu\u0308cher.example.test", "xn--bcher-kva.example.test")]
    [InlineData("\uFF41\uFF42\uFF43.example.test", "abc.example.test")]
    public async Task Explain_InternationalisedName_IsMappedPerUts46BeforeMatching(string host, string canonical)
    {
        string id = await _state.AddAsync("deny", canonical);

        Explained explained = await ExplainAsync(host);

        Assert.Equal(canonical, explained.CanonicalHost);
        Assert.Equal(("blocked", id), (explained.Decision, explained.RuleId));
    }

    [Fact]
    public async Task Explain_WithAPort_MatchesOnlyRulesForThatPortOrEveryPort()
    {
        string id = await _state.AddAsync("allow", "p.example.test:8443");

        Explained on8443 = await ExplainAsync("p.example.test:8443");
        Explained on443 = await ExplainAsync("p.example.test");

        Assert.Equal((8443, "allowed", id, "p.example.test:8443"), (on8443.Port, on8443.Decision, on8443.RuleId, on8443.Pattern));
        Assert.Equal((443, "blocked", "no-match"), (on443.Port, on443.Decision, on443.RuleId));
    }

    [Fact]
    public async Task Explain_BracketedIPv6WithPort_IsSplitAndCanonicalised()
    {
        string id = await _state.AddAsync("allow", "[::1]:443");

        Explained on443 = await ExplainAsync("[::1]:443");
        Explained on80 = await ExplainAsync("[0:0::1]:80");

        Assert.Equal(("[::1]", "::1", 443), (on443.Host, on443.CanonicalHost, on443.Port));
        Assert.Equal(("allowed", id, "[::1]:443"), (on443.Decision, on443.RuleId, on443.Pattern));
        Assert.Equal(("::1", 80, "blocked"), (on80.CanonicalHost, on80.Port, on80.Decision));
    }

    [Fact]
    public async Task Explain_Json_IsAnArrayOfOneObjectWithEveryMatchingRule()
    {
        string allowId = await _state.AddAsync("allow", "*.example.test,a.example.test");
        string denyId = await _state.AddAsync("deny", "a.example.test:443");

        GatewayResult explain = (await _state.RunAsync("policy", "explain", "a.example.test:443", "--json")).AssertSuccess();

        Explained result = Explained.ParseSingle(explain.Json());
        Assert.Equal(
            new Explained(
                "a.example.test", "a.example.test", 443, "blocked",
                "a deny rule matches; deny beats allow whatever the specificity",
                denyId, "local", "a.example.test:443", result.Matches),
            result);
        Assert.Equal(
            [
                new ExplainedMatch(allowId, "local", "allow", "*.example.test"),
                new ExplainedMatch(allowId, "local", "allow", "a.example.test"),
                new ExplainedMatch(denyId, "local", "deny", "a.example.test:443"),
            ],
            result.Matches.OrderBy(m => m.Pattern, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Explain_OfAHostNoRuleMatches_IsBlockedAndSaysHowToAllowIt()
    {
        (await _state.RunAsync("policy", "set-default", "deny-all")).AssertSuccess();

        GatewayResult text = (await _state.RunAsync("policy", "explain", "nothing.example.test:80")).AssertSuccess();

        Assert.Equal(
            [
                "host:      nothing.example.test",
                "port:      80",
                "sandbox:   host",
                "decision:  blocked (no rule matches; everything not allowed is blocked)",
                "rule:      no-match (source: default)",
                "to allow:  gateway policy allow network nothing.example.test",
            ],
            text.StdoutLines.Skip(1));
        Assert.StartsWith("config:    built-in defaults (no --config, and no gateway running", text.StdoutLines[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a..b.example.test", "empty label (a leading dot or two dots in a row); remove the extra dot")]
    [InlineData("bad!.example.test", "contains a character no host name may have; use letters, digits, '-', '_' and '.' only")]
    [InlineData("127.1", "not a canonical IPv4 address; write four decimal parts 0-255 without leading zeros, e.g. \"127.0.0.1\"")]
    [InlineData("-a.example.test", "a label starts or ends with '-'; host name labels may not")]
    public async Task Explain_OfAnInvalidHost_Fails(string host, string problem)
    {
        GatewayResult explain = await _state.RunAsync("policy", "explain", host);

        explain.AssertFailure($"host \"{host}\": {problem}");
    }

    [Theory]
    [InlineData("p.example.test:0", "0")]
    [InlineData("p.example.test:65536", "65536")]
    [InlineData("p.example.test:https", "https")]
    [InlineData("p.example.test:", "")]
    [InlineData("[::1]:-1", "-1")]
    public async Task Explain_WithABadPort_IsAUsageError(string target, string port)
    {
        GatewayResult explain = await _state.RunAsync("policy", "explain", target);

        Assert.Equal(2, explain.ExitCode);
        Assert.Equal([$"gateway: port \"{port}\" in \"{target}\" is not a port; use a number from 1 to 65535"], explain.StderrLines);
        Assert.Equal(string.Empty, explain.Stdout);
    }

    [Fact]
    public async Task Explain_ForAnUnknownSandbox_Fails()
    {
        GatewayResult explain = await _state.RunAsync("policy", "explain", "a.example.test", "--sandbox", "nope");

        explain.AssertFailure("unknown sandbox \"nope\"; known sandboxes: host (static sandboxes come from `sandboxes:` in --config, others from `vmm`)");
    }

    [Fact]
    public async Task Explain_WithoutAHost_IsAUsageError()
    {
        (await _state.RunAsync("policy", "explain")).AssertUsageError();
    }

    private async Task<Explained> ExplainAsync(string target) =>
        Explained.ParseSingle((await _state.RunAsync("policy", "explain", target, "--json")).AssertSuccess().Json());
}
