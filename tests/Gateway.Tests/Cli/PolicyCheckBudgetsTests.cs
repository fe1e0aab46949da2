using Gateway.Cli;
using Gateway.Configuration;

namespace Gateway.Tests.Cli;

/// <summary>`gateway policy check` validates budgets in a kit and in the configuration, naming the file and line, with no daemon.</summary>
public sealed class PolicyCheckBudgetsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gw-check-budgets-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void AKitWithABadBudget_FailsTheCheck_WithFileAndLine()
    {
        string kit = Write("spec.yaml", "schemaVersion: \"1\"\nkind: mixin\nname: k\nnetwork:\n  budgets:\n    connections: 200\n    requestsPerSecond: 0\n");

        (int exit, string output) = Check(kit);

        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Contains($"{kit}:7: network.budgets.requestsPerSecond: 0 is out of range; use 1-10000000", output, StringComparison.Ordinal);
    }

    [Fact]
    public void AConfigWithABadBudget_FailsTheCheck_WithFileAndLine()
    {
        string config = Write("gateway.yaml", "sandboxes:\n  - name: dev\n    addresses: [10.209.0.2]\n    budgets: { uploadBytesPerHour: lots }\n");

        (int exit, string output) = Check(config);

        Assert.Equal(ExitCodes.Failure, exit);
        Assert.Contains("gateway.yaml:4: sandboxes[0].budgets.uploadBytesPerHour: \"lots\" is not a size", output, StringComparison.Ordinal);
    }

    [Fact]
    public void GoodBudgets_PassTheCheck()
    {
        string kit = Write("spec.yaml", "schemaVersion: \"1\"\nkind: mixin\nname: k\nnetwork:\n  budgets: { connections: 200, connectionsPerSecond: 50, requestsPerSecond: 100, uploadBytesPerHour: 1GiB }\n");

        (int exit, string output) = Check(kit);

        Assert.True(exit == ExitCodes.Ok, output);
    }

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private (int Exit, string Output) Check(string file)
    {
        var output = new StringWriter();
        int exit = GatewayCli.Run(["--state-dir", _dir, "policy", "check", file], new CliContext
        {
            Out = output,
            Error = output,
            In = TextReader.Null,
            InteractiveInput = false,
            Environment = ConfigLoader.NoEnvironment,
        });
        return (exit, output.ToString());
    }
}
