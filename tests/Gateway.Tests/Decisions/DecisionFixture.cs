using System.Collections.Immutable;
using System.Net;
using Gateway.Cli;
using Gateway.Configuration;
using Gateway.Decisions;
using Gateway.Metrics;
using Gateway.Policy;
using Gateway.Sandboxes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Decisions;

/// <summary>
/// A decider over a real compiled policy (set with the CLI in a fresh state directory), a real
/// sandbox registry and real metrics: what the daemon builds, without listeners.
/// </summary>
internal sealed class DecisionFixture : IDisposable
{
    /// <summary>A static sandbox that must present a proxy token.</summary>
    public static readonly IPAddress TokenSandbox = IPAddress.Parse("10.209.7.2");

    /// <summary>An address no sandbox owns and that is not loopback.</summary>
    public static readonly IPAddress Stranger = IPAddress.Parse("10.209.7.9");

    public const string Token = "s3cret-token";

    private readonly LivePolicy _policy;

    public DecisionFixture(string[][] policyCommands, PolicyMode mode = PolicyMode.Enforce, IPolicyLookup? lookup = null)
    {
        StateDir = Directory.CreateTempSubdirectory("gw-decisions-").FullName;
        foreach (string[] command in policyCommands)
        {
            var output = new StringWriter();
            int exit = GatewayCli.Run(["--state-dir", StateDir, .. command], new CliContext
            {
                Out = output,
                Error = output,
                In = TextReader.Null,
                InteractiveInput = false,
                Environment = ConfigLoader.NoEnvironment,
            });
            Assert.True(exit == 0, output.ToString());
        }

        var errors = new List<string>();
        _policy = LivePolicy.Create(GatewayConfig.CreateDefault(StateDir), NullLogger<LivePolicy>.Instance, errors)
            ?? throw new InvalidOperationException(string.Join("; ", errors));
        Sandboxes = new SandboxRegistry([new SandboxConfig("tokened", [TokenSandbox], ImmutableArray<string>.Empty, Token)], stateDirectory: null);
        Decider = new EgressDecider(_policy, Sandboxes, new PolicyEnforcement(mode), lookup ?? new SnapshotLookup(), Metrics, NullLogger<EgressDecider>.Instance);
    }

    public string StateDir { get; }

    public GatewayMetrics Metrics { get; } = new();

    public SandboxRegistry Sandboxes { get; }

    public EgressDecider Decider { get; }

    /// <summary>The <c>Proxy-Authorization</c> value the token sandbox must send.</summary>
    public static byte[] TokenHeader => System.Text.Encoding.ASCII.GetBytes("Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("tokened:" + Token)));

    public void Dispose()
    {
        _policy.Dispose();
        Directory.Delete(StateDir, recursive: true);
    }
}
