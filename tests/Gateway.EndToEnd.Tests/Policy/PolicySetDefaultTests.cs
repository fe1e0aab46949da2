namespace Gateway.EndToEnd.Tests.Policy;

public sealed class PolicySetDefaultTests : IDisposable
{
    private readonly StateDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task SetDefaultDenyAll_ListsNoGroupsAndBlocksAHostTheBalancedGroupsAllow()
    {
        string host = await AnExactHostOfTheBalancedGroupsAsync();
        Explained before = await ExplainAsync(host);
        Assert.Equal(("allowed", "default-ai-services"), (before.Decision, before.RuleId));

        GatewayResult set = (await _state.RunAsync("policy", "set-default", "deny-all")).AssertSuccess();

        Assert.Equal(["Default network policy: deny-all"], set.StdoutLines);
        Assert.Equal(["ID   TYPE   DECISION   SCOPE   EXPIRES   RESOURCES"], (await _state.RunAsync("policy", "ls")).AssertSuccess().StdoutLines);
        Assert.Empty(await _state.ListAsync());
        Explained after = await ExplainAsync(host);
        Assert.Equal("blocked", after.Decision);
        Assert.Equal("no-match", after.RuleId);
        Assert.Equal("default", after.Source);
        Assert.Null(after.Pattern);
        Assert.Empty(after.Matches);
    }

    [Fact]
    public async Task SetDefaultAllowAll_ListsOneAllowEverythingRule()
    {
        (await _state.RunAsync("policy", "set-default", "allow-all")).AssertSuccess();

        Rule rule = Assert.Single(await _state.ListAsync());
        Assert.Equal(new Rule("default-allow-all", "network", "allow", ["**"], "default-allow-all"), rule, RuleComparer.Instance);
        Explained explained = await ExplainAsync("anything.example.test");
        Assert.Equal(("allowed", "default-allow-all", "**"), (explained.Decision, explained.RuleId, explained.Pattern));
        (await _state.RunAsync("policy", "rm", "network", "--id", "default-allow-all")).AssertFailure(
            "\"default-allow-all\" is a built-in group and cannot be removed; block hosts in it with `gateway policy deny network HOST`, "
            + "or switch defaults with `gateway policy set-default`");
    }

    [Fact]
    public async Task SetDefaultBalanced_AfterDenyAll_BringsTheGroupsBackAndKeepsLocalRules()
    {
        string id = await _state.AddAsync("deny", "ads.example.test");
        (await _state.RunAsync("policy", "set-default", "deny-all")).AssertSuccess();
        Assert.Equal([id], (await _state.ListAsync()).Select(r => r.Id));

        GatewayResult set = (await _state.RunAsync("policy", "set-default", "balanced")).AssertSuccess();

        Assert.Equal(["Default network policy: balanced"], set.StdoutLines);
        Assert.Equal([.. Rule.BalancedGroups, id], (await _state.ListAsync()).Select(r => r.Id));
    }

    [Theory]
    [InlineData("open")]
    [InlineData("Balanced")]
    [InlineData("")]
    public async Task SetDefault_WithAnUnknownValue_IsAUsageErrorAndStoresNothing(string value)
    {
        GatewayResult set = await _state.RunAsync("policy", "set-default", value);

        set.AssertUsageError();
        Assert.False(File.Exists(_state.PolicyFile));
    }

    [Fact]
    public async Task SetDefault_WithNoValue_IsAUsageError()
    {
        (await _state.RunAsync("policy", "set-default")).AssertUsageError();
    }

    private async Task<Explained> ExplainAsync(string host) =>
        Explained.ParseSingle((await _state.RunAsync("policy", "explain", host, "--json")).AssertSuccess().Json());

    // From the listing, so the test names no real host itself.
    private async Task<string> AnExactHostOfTheBalancedGroupsAsync()
    {
        Rule ai = (await _state.ListAsync()).Single(r => r.Id == "default-ai-services");
        return ai.Resources.First(p => !p.Contains('*', StringComparison.Ordinal) && !p.Contains(':', StringComparison.Ordinal));
    }
}
