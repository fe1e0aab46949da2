namespace Gateway.EndToEnd.Tests.Policy;

public sealed class PolicyRmTests : IDisposable
{
    private readonly StateDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RmById_WithOrWithoutTheLocalPrefix_RemovesTheRule(bool withPrefix)
    {
        string keep = await _state.AddAsync("allow", "keep.example.test");
        string id = await _state.AddAsync("allow", "a.example.test,b.example.test");
        string bare = id["local:".Length..];

        GatewayResult rm = (await _state.RunAsync("policy", "rm", "network", "--id", withPrefix ? id : bare)).AssertSuccess();

        Assert.Equal([$"Removed {id} (allow a.example.test, b.example.test)"], rm.StdoutLines);
        Assert.Equal([keep], (await _state.LocalRulesAsync()).Select(r => r.Id));
    }

    [Fact]
    public async Task RmByResource_RemovesThePatternFromEveryLocalRuleAndDropsRulesLeftEmpty()
    {
        string both = await _state.AddAsync("allow", "x.example.test,y.example.test");
        await _state.AddAsync("deny", "x.example.test");

        GatewayResult rm = (await _state.RunAsync("policy", "rm", "network", "--resource", "X.Example.Test.")).AssertSuccess();

        Assert.Equal(["Removed x.example.test from 2 local rules"], rm.StdoutLines);
        Rule left = Assert.Single(await _state.LocalRulesAsync());
        Assert.Equal(both, left.Id);
        Assert.Equal(["y.example.test"], left.Resources);
    }

    [Fact]
    public async Task RmByResource_OfTheOnlyPattern_RemovesTheRule()
    {
        await _state.AddAsync("deny", "ads.example.test");

        GatewayResult rm = (await _state.RunAsync("policy", "rm", "network", "--resource", "ads.example.test")).AssertSuccess();

        Assert.Equal(["Removed ads.example.test from 1 local rule"], rm.StdoutLines);
        Assert.Empty(await _state.LocalRulesAsync());
    }

    [Theory]
    [InlineData("default-ai-services")]
    [InlineData("default-package-managers")]
    [InlineData("local:default-code-and-containers")]
    [InlineData("default-cloud-infrastructure")]
    [InlineData("default-os-packages")]
    public async Task RmById_OfABuiltInGroup_FailsNamingTheGroup(string id)
    {
        GatewayResult rm = await _state.RunAsync("policy", "rm", "network", "--id", id);

        string group = id.Replace("local:", string.Empty, StringComparison.Ordinal);
        rm.AssertFailure(
            $"\"{group}\" is a built-in group and cannot be removed; block hosts in it with `gateway policy deny network HOST`, "
            + "or switch defaults with `gateway policy set-default`");
    }

    [Fact]
    public async Task RmByResource_OnlyInABuiltInGroup_FailsNamingTheGroup()
    {
        // Taken from the listing, so the test names no real host itself.
        IReadOnlyList<Rule> groups = await _state.ListAsync();
        Rule group = groups.Single(g => g.Id == "default-code-and-containers");
        string pattern = group.Resources.First(p => groups.Count(g => g.Resources.Contains(p)) == 1);

        GatewayResult rm = await _state.RunAsync("policy", "rm", "network", "--resource", pattern);

        rm.AssertFailure(
            $"{pattern} belongs to the built-in group default-code-and-containers, which cannot be removed; "
            + $"block it with `gateway policy deny network \"{pattern}\"`");
    }

    [Fact]
    public async Task RmById_Unknown_Fails()
    {
        await _state.AddAsync("allow", "a.example.test");

        GatewayResult rm = await _state.RunAsync("policy", "rm", "network", "--id", "local:2d3c1f0e-4a73-4e05-bc9d-f2f9a4b50d67");

        rm.AssertFailure("no local rule has id 2d3c1f0e-4a73-4e05-bc9d-f2f9a4b50d67; see `gateway policy ls` (a rule added with --for is gone once it expires)");
        Assert.Single(await _state.LocalRulesAsync());
    }

    [Fact]
    public async Task RmByResource_Unknown_Fails()
    {
        await _state.AddAsync("allow", "a.example.test");

        GatewayResult rm = await _state.RunAsync("policy", "rm", "network", "--resource", "b.example.test");

        rm.AssertFailure("no local rule has resource b.example.test; see `gateway policy ls`");
    }

    [Fact]
    public async Task RmByResource_WithABadPattern_FailsNamingIt()
    {
        GatewayResult rm = await _state.RunAsync("policy", "rm", "network", "--resource", "*.*.example.com");

        rm.AssertFailure("pattern \"*.*.example.com\": a wildcard may only be the first label; use \"*.example.com\"");
    }

    [Theory]
    [InlineData("")]
    [InlineData("--id x --resource a.example.test")]
    public async Task Rm_WithNeitherOrBothOfResourceAndId_IsAUsageError(string options)
    {
        string id = await _state.AddAsync("allow", "a.example.test");

        GatewayResult rm = await _state.RunAsync(["policy", "rm", "network", .. options.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);

        rm.AssertUsageError();
        Assert.Equal("gateway: give exactly one of --resource PATTERN or --id UUID", rm.StderrLines[0]);
        Assert.Equal([id], (await _state.LocalRulesAsync()).Select(r => r.Id));
    }
}
