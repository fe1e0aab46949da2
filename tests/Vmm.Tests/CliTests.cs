namespace Vmm.Tests;

/// <summary>Issue 9 item 1: the errors an operator meets first, each one clear line.</summary>
public sealed class CliTests
{
    [Fact]
    public async Task Create_WithAnInvalidName_IsAUsageError()
    {
        ToolResult create = await VmmProcess.RunAsync(["--state-dir", Path.GetTempPath(), "create", "Bad_Name"]);

        Assert.Equal(2, create.ExitCode);
        Assert.Equal(string.Empty, create.Stdout);
        Assert.StartsWith("vmm: ", create.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_WithAnUnknownKind_IsAUsageError()
    {
        ToolResult create = await VmmProcess.RunAsync(["create", "dev", "--kind", "lxc"]);

        Assert.Equal(2, create.ExitCode);
        Assert.Contains("lxc", create.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ls_WithNoSandboxes_PrintsAnEmptyJsonArray_WithoutRootOrGateway()
    {
        DirectoryInfo state = Directory.CreateTempSubdirectory("vmm-ls-");
        try
        {
            ToolResult ls = (await VmmProcess.RunAsync(["ls", "--json"], new Dictionary<string, string?> { ["GATEWAY_STATE_DIR"] = state.FullName })).AssertSuccess();

            Assert.Equal("[]", ls.Stdout.Trim());
        }
        finally
        {
            state.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Create_AsAnotherUserThanRoot_SaysItNeedsRoot()
    {
        // As root, drop to nobody with setpriv; otherwise this already runs unprivileged.
        string[] command = Environment.IsPrivilegedProcess
            ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", VmmProcess.Dotnet]
            : [VmmProcess.Dotnet];
        var environment = new Dictionary<string, string?> { ["DOTNET_CLI_HOME"] = Path.GetTempPath(), ["HOME"] = Path.GetTempPath(), ["GATEWAY_STATE_DIR"] = null };

        ToolResult create = await Tool.RunAsync(command[0], [.. command[1..], Path.Combine(AppContext.BaseDirectory, "vmm.dll"), "create", "dev"], environment);

        Assert.Equal(1, create.ExitCode);
        Assert.Equal("vmm: vmm create needs root (network namespaces, links and nftables rules); run it with sudo\n", create.Stderr);
    }

    [RootNetworkFact]
    public async Task Create_WithNoGatewayRunning_SaysSoAndMakesNothing()
    {
        DirectoryInfo state = Directory.CreateTempSubdirectory("vmm-nogw-");
        try
        {
            ToolResult create = await VmmProcess.RunAsync(["--state-dir", state.FullName, "create", "nogw"]);

            Assert.Equal(1, create.ExitCode);
            Assert.Equal(
                $"vmm: the gateway is not running (no admin socket at {state.FullName}/admin.sock); start it with `gateway run --state-dir {state.FullName}` or pick its state directory with --state-dir or GATEWAY_STATE_DIR\n",
                create.Stderr);
            Assert.False(Directory.Exists(Path.Combine(state.FullName, "vmm", "sandboxes")) && Directory.GetFiles(Path.Combine(state.FullName, "vmm", "sandboxes")).Length > 0);
        }
        finally
        {
            state.Delete(recursive: true);
        }
    }
}
