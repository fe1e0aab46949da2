namespace Gateway.EndToEnd.Tests.Policy;

public sealed class PolicyLsTests : IDisposable
{
    private readonly StateDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task Ls_OnFreshState_ListsTheFiveBalancedGroupsUnderTheHeader()
    {
        GatewayResult ls = (await _state.RunAsync("policy", "ls")).AssertSuccess();

        List<string[]> rows = Table.Parse(ls.StdoutLines);
        Assert.Equal(Rule.BalancedGroups, rows.Skip(1).Select(r => r[0]));
        Assert.All(rows.Skip(1), r => Assert.Equal(["network", "allow", "all", "never"], r[1..5]));
        Assert.All(rows.Skip(1), r => Assert.NotEmpty(r[5]));
    }

    [Fact]
    public async Task Ls_Table_ShowsTheSameRulesAsJson()
    {
        await _state.AddAsync("allow", "a.example.test,*.b.example.test");
        await _state.AddAsync("deny", "c.example.test:443");

        GatewayResult ls = (await _state.RunAsync("policy", "ls")).AssertSuccess();
        IReadOnlyList<Rule> rules = await _state.ListAsync();

        List<string[]> rows = Table.Parse(ls.StdoutLines);
        Assert.Equal(
            rules.Select(r => new[] { r.Id, r.Type, r.Decision, "all", "never", string.Join(", ", r.Resources) }),
            rows.Skip(1));
    }

    [Fact]
    public async Task LsJson_OnFreshState_IsAnArrayOfTheFiveGroupsWithCamelCaseFields()
    {
        IReadOnlyList<Rule> rules = await _state.ListAsync();

        Assert.Equal(Rule.BalancedGroups, rules.Select(r => r.Id));
        Assert.All(rules, r =>
        {
            Assert.Equal("network", r.Type);
            Assert.Equal("allow", r.Decision);
            Assert.Equal(r.Id, r.Source);
            Assert.NotEmpty(r.Resources);
            Assert.Equal(r.Resources.Distinct(StringComparer.Ordinal), r.Resources);
        });
    }

    [Fact]
    public async Task Ls_WithTypeNetwork_ListsTheSameAsWithoutIt()
    {
        GatewayResult all = (await _state.RunAsync("policy", "ls")).AssertSuccess();
        GatewayResult network = (await _state.RunAsync("policy", "ls", "--type", "network")).AssertSuccess();
        GatewayResult networkJson = (await _state.RunAsync("policy", "ls", "--type", "network", "--json")).AssertSuccess();

        Assert.Equal(all.Stdout, network.Stdout);
        Assert.Equal(Rule.BalancedGroups, Rule.ParseList(networkJson.Json()).Select(r => r.Id));
    }

    [Fact]
    public async Task Ls_WithUnknownType_IsAUsageError()
    {
        GatewayResult ls = await _state.RunAsync("policy", "ls", "--type", "bogus");

        ls.AssertUsageError();
        Assert.Contains("bogus", ls.StderrLines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ls_OnAStateDirectoryThatDoesNotExist_DoesNotCreateIt()
    {
        (await _state.RunAsync("policy", "ls")).AssertSuccess();

        Assert.False(Directory.Exists(_state.Path));
    }
}
