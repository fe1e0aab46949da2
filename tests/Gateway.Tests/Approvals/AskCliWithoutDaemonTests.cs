using Gateway.Tests.Cli;

namespace Gateway.Tests.Approvals;

/// <summary>Pending approvals live in the daemon: without one, the CLI says so instead of pretending.</summary>
public sealed class AskCliWithoutDaemonTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-ask-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Pending_WithoutADaemon_IsAnEmptyList_AndSaysWhy()
    {
        (int exit, string stdout, string stderr) = Run("policy", "pending", "--json");

        Assert.Equal((0, "[]"), (exit, stdout.Trim()));
        Assert.Contains("no gateway is running", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("approve")]
    [InlineData("reject")]
    public void Answers_WithoutADaemon_FailWithOneLine(string verb)
    {
        (int exit, _, string stderr) = Run("policy", verb, "abcdefgh");

        Assert.Equal(1, exit);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("pending approvals live in the running daemon", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Approve_WithABadDuration_IsAUsageError()
    {
        (int exit, _, string stderr) = Run("policy", "approve", "abcdefgh", "--for", "soon");

        Assert.Equal(2, exit);
        Assert.Contains("--for \"soon\" is not a duration", stderr, StringComparison.Ordinal);
    }

    private (int Exit, string Stdout, string Stderr) Run(params string[] args) => CliRun.Run(_dir, args);
}
