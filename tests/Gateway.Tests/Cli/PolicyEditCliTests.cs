using Gateway.Tests.Listeners;
using Gateway.Tests.Interception;
using Gateway.Tests.Dialing;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Cli;

/// <summary>
/// Issue 20 point 6: `policy allow|deny|rm|set-default|reset` are thin clients. While a daemon runs
/// the daemon applies the edit (its log says so, with the rule id the CLI printed, and the next
/// CONNECT is decided by it); with no daemon the CLI edits the state directory itself, and a daemon
/// started later enforces it.
/// </summary>
public sealed class PolicyEditCliTests : IAsyncLifetime
{
    private readonly CapturedLogs _logs = new();
    private TestUpstream _upstream = null!;
    private GatewayUnderTest _gateway = null!;

    private string Target => "api.example.test:" + _upstream.HttpPort;

    public async Task InitializeAsync()
    {
        _upstream = await TestUpstream.StartAsync();
        _gateway = await StartAsync([["policy", "set-default", "deny-all"]]);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task Allow_WhileTheDaemonRuns_IsAppliedByTheDaemon_AndDecidesTheNextConnect()
    {
        (int exit, string stdout, string stderr) = CliRun.Run(_gateway.StateDir, "policy", "allow", "network", "api.example.test");

        Assert.True(exit == 0, stderr);
        Assert.Matches(@"^Added local:[0-9a-f-]{36}: allow api\.example\.test\n$", stdout);
        string id = stdout["Added ".Length..stdout.IndexOf(": allow", StringComparison.Ordinal)];
        Assert.Contains($"policy: admin API added {id}: allow api.example.test for every sandbox; live now", _logs.ToString(), StringComparison.Ordinal);
        Assert.Equal(200, (await Socks5EndToEndTests.ConnectAsync(_gateway, Target)).Status);
    }

    [Fact]
    public async Task RmSetDefaultAndReset_WhileTheDaemonRuns_AreAppliedByTheDaemon()
    {
        Assert.Equal(0, CliRun.Run(_gateway.StateDir, "policy", "deny", "network", "other.example.test").Exit);

        (int rmExit, string removed, _) = CliRun.Run(_gateway.StateDir, "policy", "rm", "network", "--resource", "other.example.test");
        (int defaultExit, string chosen, _) = CliRun.Run(_gateway.StateDir, "policy", "set-default", "allow-all");
        int allowAll = (await Socks5EndToEndTests.ConnectAsync(_gateway, Target)).Status;
        (int resetExit, string reset, _) = CliRun.Run(_gateway.StateDir, "policy", "reset", "--force");

        Assert.Equal((0, 0, 0), (rmExit, defaultExit, resetExit));
        Assert.Equal("Removed other.example.test from 1 local rule\n", removed);
        Assert.Equal("Default network policy: allow-all\n", chosen);
        Assert.StartsWith("Policy reset: local rules and the chosen default are gone.", reset, StringComparison.Ordinal);
        Assert.Equal(200, allowAll);
        Assert.Equal(403, (await Socks5EndToEndTests.ConnectAsync(_gateway, Target)).Status);
        string logs = _logs.ToString();
        Assert.Contains("policy: admin API removed other.example.test from 1 local rules of every sandbox; live now", logs, StringComparison.Ordinal);
        Assert.Contains("policy: admin API set the default to allow-all; live now", logs, StringComparison.Ordinal);
        Assert.Contains("policy: admin API reset the policy store (0 local rules gone); live now", logs, StringComparison.Ordinal);
    }

    [Fact]
    public void Refusals_ThroughTheDaemon_PrintWhatTheCliPrintsWithoutOne()
    {
        string offlineDir = Directory.CreateTempSubdirectory("gw-edit-cli-offline-").FullName;
        try
        {
            string[][] commands =
            [
                ["policy", "allow", "network", "a.*.example.com,*.com"],
                ["policy", "rm", "network", "--id", "default-ai-services"],
                ["policy", "rm", "network", "--resource", "nothing.example.test"],
                ["policy", "deny", "network", "x.example.test", "--sandbox", "nobody"],
            ];
            foreach (string[] command in commands)
            {
                (int Exit, string Stdout, string Stderr) live = CliRun.Run(_gateway.StateDir, command);
                (int Exit, string Stdout, string Stderr) offline = CliRun.Run(offlineDir, command);

                Assert.Equal(1, live.Exit);
                Assert.Equal(offline, live);
            }

            Assert.Contains("gateway: unknown sandbox \"nobody\"; known sandboxes: host (see `gateway sandbox ls`)", CliRun.Run(_gateway.StateDir, commands[3]).Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("policy: admin API added", _logs.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(offlineDir, recursive: true);
        }
    }

    [Fact]
    public async Task WithNoDaemon_TheCliEditsTheStateDirectory_AndADaemonStartedLaterEnforcesIt()
    {
        // GatewayUnderTest runs these before it starts the daemon: no admin socket answers yet.
        await using GatewayUnderTest later = await StartAsync(
        [
            ["policy", "set-default", "deny-all"],
            ["policy", "allow", "network", "api.example.test,other.example.test"],
            ["policy", "rm", "network", "--resource", "other.example.test"],
        ]);

        Assert.Contains("\"api.example.test\"", await File.ReadAllTextAsync(Path.Combine(later.StateDir, "policy.json")), StringComparison.Ordinal);
        Assert.Equal(200, (await Socks5EndToEndTests.ConnectAsync(later, Target)).Status);
        Assert.Equal(403, (await Socks5EndToEndTests.ConnectAsync(later, "other.example.test:" + _upstream.HttpPort)).Status);
        Assert.DoesNotContain("policy: admin API", _logs.ToString(), StringComparison.Ordinal);
    }

    private Task<GatewayUnderTest> StartAsync(string[][] commands) => GatewayUnderTest.StartAsync(commands, logging: logging =>
    {
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddProvider(_logs);
    });
}
