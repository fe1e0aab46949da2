namespace Gateway.EndToEnd.Tests.Policy;

public sealed class PolicyAddTests : IDisposable
{
    private readonly StateDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task Allow_CommaList_AddsOneLocalRuleWithTheCanonicalPatterns()
    {
        GatewayResult allow = (await _state.RunAsync(
            "policy", "allow", "network", "A.Example.Test., *.b.example.test ,c.example.test:443,a.example.test")).AssertSuccess();

        string line = Assert.Single(allow.StdoutLines);
        System.Text.RegularExpressions.Match added = Rule.AddedLine().Match(line);
        Assert.True(added.Success, line);
        Assert.Equal("allow", added.Groups["verb"].Value);
        Assert.Equal("a.example.test, *.b.example.test, c.example.test:443", added.Groups["resources"].Value);

        IReadOnlyList<Rule> rules = await _state.ListAsync();
        Assert.Equal(Rule.BalancedGroups, rules.Take(5).Select(r => r.Id));
        Rule local = Assert.Single(rules.Skip(5));
        Assert.Equal(
            new Rule(added.Groups["id"].Value, "network", "allow", ["a.example.test", "*.b.example.test", "c.example.test:443"], "local"),
            local,
            RuleComparer.Instance);
        Assert.Matches(Rule.LocalId(), local.Id);
    }

    [Fact]
    public async Task Deny_AddsADenyRuleAfterTheAllowRule()
    {
        string allowId = await _state.AddAsync("allow", "a.example.test");
        string denyId = await _state.AddAsync("deny", "a.example.test,ads.example.test");

        IReadOnlyList<Rule> local = await _state.LocalRulesAsync();
        Assert.Equal([allowId, denyId], local.Select(r => r.Id));
        Assert.Equal("deny", local[1].Decision);
        Assert.Equal(["a.example.test", "ads.example.test"], local[1].Resources);
        Assert.NotEqual(allowId, denyId);
    }

    [Fact]
    public async Task Deny_AndAllowOfTheSameHost_DenyWinsInExplain()
    {
        await _state.AddAsync("allow", "*.example.test");
        string denyId = await _state.AddAsync("deny", "a.example.test");

        GatewayResult explain = (await _state.RunAsync("policy", "explain", "a.example.test", "--json")).AssertSuccess();

        Explained result = Explained.ParseSingle(explain.Json());
        Assert.Equal("blocked", result.Decision);
        Assert.Equal(denyId, result.RuleId);
        Assert.Equal("a.example.test", result.Pattern);
        Assert.Equal(["allow *.example.test", "deny a.example.test"], result.Matches.Select(m => $"{m.Decision} {m.Pattern}"));
    }

    [Fact]
    public async Task Allow_OfAHostALocalDenyCovers_WarnsThatTheDenyWins()
    {
        string denyId = await _state.AddAsync("deny", "a.example.test");

        GatewayResult allow = await _state.RunAsync("policy", "allow", "network", "a.example.test");

        Assert.Equal(0, allow.ExitCode);
        Assert.Matches(Rule.AddedLine(), Assert.Single(allow.StdoutLines));
        Assert.Equal(
            [$"warning: a.example.test stays blocked: deny rule {denyId} (a.example.test) wins over any allow; remove it with `gateway policy rm network --id {denyId}`"],
            allow.StderrLines);
    }

    [Fact]
    public async Task Allow_OfAPatternALocalAllowHas_AddsNoRule()
    {
        string id = await _state.AddAsync("allow", "a.example.test");

        GatewayResult again = (await _state.RunAsync("policy", "allow", "network", "A.EXAMPLE.TEST")).AssertSuccess();

        Assert.Equal(["a.example.test: already allowed by a local rule"], again.StdoutLines);
        Assert.Equal([id], (await _state.LocalRulesAsync()).Select(r => r.Id));
    }

    [Fact]
    public async Task Deny_OfAPatternALocalDenyHas_SaysAlreadyDenied()
    {
        await _state.AddAsync("deny", "a.example.test");

        GatewayResult again = (await _state.RunAsync("policy", "deny", "network", "a.example.test")).AssertSuccess();

        Assert.Equal(["a.example.test: already denied by a local rule"], again.StdoutLines);
    }

    [Fact]
    public async Task Allow_WithBadPatterns_FailsWithOneLinePerBadPatternAndStoresNothing()
    {
        GatewayResult allow = await _state.RunAsync("policy", "allow", "network", "ok.example.test,*.com,a..b,*.*.example.com,127.1");

        Assert.Equal(1, allow.ExitCode);
        Assert.Equal(string.Empty, allow.Stdout);
        Assert.Equal(
            [
                "gateway: pattern \"*.com\": a wildcard directly over the public suffix \"com\" matches every site registered under it; name a domain, e.g. \"*.example.com\"",
                "gateway: pattern \"a..b\": empty label (a leading dot or two dots in a row); remove the extra dot",
                "gateway: pattern \"*.*.example.com\": a wildcard may only be the first label; use \"*.example.com\"",
                "gateway: pattern \"127.1\": not a canonical IPv4 address; write four decimal parts 0-255 without leading zeros, e.g. \"127.0.0.1\"",
            ],
            allow.StderrLines);
        Assert.False(File.Exists(_state.PolicyFile));
        Assert.Empty(await _state.LocalRulesAsync());
    }

    [Theory]
    [InlineData("allow", "*.com")]
    [InlineData("allow", "a..b")]
    [InlineData("deny", "*.*.example.com")]
    [InlineData("deny", "127.1")]
    [InlineData("allow", "*")]
    [InlineData("allow", "example")]
    [InlineData("deny", "a.example.test:0")]
    public async Task AddingABadPattern_FailsNamingIt(string verb, string pattern)
    {
        await _state.AddAsync("allow", "kept.example.test");
        byte[] before = await File.ReadAllBytesAsync(_state.PolicyFile);

        GatewayResult add = await _state.RunAsync("policy", verb, "network", pattern);

        Assert.Equal(1, add.ExitCode);
        Assert.StartsWith($"gateway: pattern \"{pattern}\": ", Assert.Single(add.StderrLines), StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(_state.PolicyFile));
    }

    [Fact]
    public async Task Allow_WithAnEmptyEntry_FailsAskingToRemoveTheComma()
    {
        GatewayResult allow = await _state.RunAsync("policy", "allow", "network", "a.example.test,,b.example.test");

        allow.AssertFailure("empty entry in \"a.example.test,,b.example.test\"; remove the extra comma");
        Assert.False(File.Exists(_state.PolicyFile));
    }
}
