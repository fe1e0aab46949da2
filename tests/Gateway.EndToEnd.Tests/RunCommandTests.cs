namespace Gateway.EndToEnd.Tests;

public sealed class RunCommandTests : IDisposable
{
    private readonly StateDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task Run_SaysTheDaemonIsNotInThisBuildAndFails()
    {
        GatewayResult run = await _state.RunAsync("run");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("the daemon is not in this build", Assert.Single(run.StderrLines), StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.False(Directory.Exists(_state.Path));
    }

    [Fact]
    public async Task Run_FailureLine_StartsWithTheGatewayPrefix()
    {
        GatewayResult run = await _state.RunAsync("run");

        Assert.StartsWith("gateway: ", Assert.Single(run.StderrLines), StringComparison.Ordinal);
    }
}
