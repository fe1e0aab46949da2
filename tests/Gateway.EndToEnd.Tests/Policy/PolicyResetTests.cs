namespace Gateway.EndToEnd.Tests.Policy;

public sealed class PolicyResetTests : IDisposable
{
    private readonly StateDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task Reset_WithoutForce_WhenStdinIsNotATerminal_RefusesAndLeavesTheStoreAlone()
    {
        string id = await _state.AddAsync("allow", "a.example.test");
        byte[] before = await File.ReadAllBytesAsync(_state.PolicyFile);

        GatewayResult reset = await _state.RunAsync("policy", "reset");

        Assert.Equal(2, reset.ExitCode);
        Assert.Equal(["gateway: refusing to reset without --force: stdin is not a terminal to confirm on"], reset.StderrLines);
        Assert.Equal(string.Empty, reset.Stdout);
        Assert.Equal(before, await File.ReadAllBytesAsync(_state.PolicyFile));
        Assert.Equal([id], (await _state.LocalRulesAsync()).Select(r => r.Id));
    }

    [Fact]
    public async Task ResetForce_RemovesLocalRulesAndTheChosenDefault()
    {
        await _state.AddAsync("allow", "a.example.test");
        await _state.AddAsync("deny", "b.example.test");
        (await _state.RunAsync("policy", "set-default", "deny-all")).AssertSuccess();

        GatewayResult reset = (await _state.RunAsync("policy", "reset", "--force")).AssertSuccess();

        Assert.Equal(
            ["Policy reset: local rules and the chosen default are gone. Choose a default with `gateway policy set-default allow-all|balanced|deny-all`."],
            reset.StdoutLines);
        Assert.False(File.Exists(_state.PolicyFile));
        Assert.Equal(Rule.BalancedGroups, (await _state.ListAsync()).Select(r => r.Id));
    }

    [Fact]
    public async Task ResetForce_OnAFreshStateDirectory_Succeeds()
    {
        (await _state.RunAsync("policy", "reset", "--force")).AssertSuccess();

        Assert.Equal(Rule.BalancedGroups, (await _state.ListAsync()).Select(r => r.Id));
    }
}
