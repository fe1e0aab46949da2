using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using BenchmarkDotNet.Attributes;
using Gateway.Cli;
using Gateway.Configuration;
using Gateway.Decisions;
using Gateway.Dialing;
using Gateway.Interception;
using Gateway.Listeners;
using Gateway.Metrics;
using Gateway.Policy;
using Gateway.Sandboxes;
using Microsoft.Extensions.Logging.Abstractions;
using PolicyCompiler.Compilation;
using PolicyCompiler.Hosts;
using PolicyCompiler.Kits;

namespace Benchmarks;

/// <summary>
/// The whole decision of one CONNECT as the forward listener makes it: identify the sandbox,
/// decide, canonicalise, report mode, plan. <c>Before</c> is the chain as the entry points wrote
/// it out inline before <see cref="EgressDecider"/> existed (the A/B baseline, same process);
/// <c>Decider</c> is the one verdict every entry point now asks for. Both allocate only the
/// canonical host string (the name that is dialled and logged).
/// </summary>
public class EgressDeciderBenchmarks
{
    private const int Ops = 256;
    private static readonly IPAddress s_remote = IPAddress.Loopback;
    private static readonly byte[] s_allowed = "api.example.test"u8.ToArray();
    private static readonly byte[] s_denied = "other.example.test"u8.ToArray();

    private string _stateDir = null!;
    private LivePolicy _policy = null!;
    private SandboxRegistry _sandboxes = null!;
    private PolicyEnforcement _enforcement = null!;
    private GatewayMetrics _metrics = null!;
    private EgressDecider _decider = null!;

    [GlobalSetup]
    public void Setup()
    {
        _stateDir = Directory.CreateTempSubdirectory("gw-bench-decider-").FullName;
        foreach (string[] command in (string[][])[["policy", "set-default", "deny-all"], ["policy", "allow", "network", "api.example.test"]])
        {
            var output = new StringWriter();
            int exit = GatewayCli.Run(["--state-dir", _stateDir, .. command], new CliContext
            {
                Out = output,
                Error = output,
                In = TextReader.Null,
                InteractiveInput = false,
                Environment = ConfigLoader.NoEnvironment,
            });
            if (exit != 0)
            {
                throw new InvalidOperationException(output.ToString());
            }
        }

        var errors = new List<string>();
        _policy = LivePolicy.Create(GatewayConfig.CreateDefault(_stateDir), NullLogger<LivePolicy>.Instance, errors)
            ?? throw new InvalidOperationException(string.Join("; ", errors));
        _sandboxes = new SandboxRegistry(ImmutableArray<SandboxConfig>.Empty, stateDirectory: null);
        _enforcement = new PolicyEnforcement(PolicyMode.Enforce);
        _metrics = new GatewayMetrics();
        _decider = new EgressDecider(_policy, _sandboxes, _enforcement, new SnapshotLookup(), _metrics, NullLogger<EgressDecider>.Instance);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _policy.Dispose();
        Directory.Delete(_stateDir, recursive: true);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops)]
    public int Before_Allowed() => RunBefore(s_allowed);

    [Benchmark(OperationsPerInvoke = Ops)]
    public int Decider_Allowed() => RunDecider(s_allowed);

    [Benchmark(OperationsPerInvoke = Ops)]
    public int Before_Denied() => RunBefore(s_denied);

    [Benchmark(OperationsPerInvoke = Ops)]
    public int Decider_Denied() => RunDecider(s_denied);

    private int RunDecider(byte[] host)
    {
        int port = 0;
        for (int i = 0; i < Ops; i++)
        {
            var request = new EgressRequest
            {
                Listener = ListenerKind.Forward,
                Remote = s_remote,
                Host = host,
                Port = 443,
                CheckToken = true,
                MayIntercept = true,
                Started = Stopwatch.GetTimestamp(),
            };
            EgressVerdict verdict = _decider.Decide(in request);
            port += verdict.LetsThrough ? verdict.Port : 0;
        }

        return port;
    }

    // The chain as ForwardProxyMiddleware.TunnelAsync wrote it before the decider (main at bea2f9f).
    private int RunBefore(byte[] host)
    {
        int port = 0;
        for (int i = 0; i < Ops; i++)
        {
            long started = Stopwatch.GetTimestamp(); // the audit duration's start, taken first as TunnelAsync did
            Sandbox? sandbox = _sandboxes.Identify(s_remote);
            if (sandbox is null || !sandbox.Authorizes(default))
            {
                continue;
            }

            PolicyGeneration generation = _policy.Generation;
            PolicySnapshot snapshot = generation.Snapshot;
            long decideStarted = Stopwatch.GetTimestamp();
            KitSet kits = SandboxRegistry.KitsOf(sandbox, snapshot);
            Decision decision = snapshot.Decide(host, 443, kits);
            long decideTicks = Stopwatch.GetTimestamp() - decideStarted;
            if (decision.Reason == DecisionReason.InvalidHost)
            {
                continue;
            }

            bool wouldBlock = _enforcement.WouldBlock(in decision);
            _metrics.RecordDecision(decision.IsAllowed || wouldBlock, ProxyKind.Forward, decideTicks, wouldBlock);
            string canonical = HostCanonicalizer.Canonicalize(host, out _, out _)!;
            if (!decision.IsAllowed && !wouldBlock)
            {
                continue;
            }

            InterceptionPlan? plan = generation.Interception.Find(kits, canonical, 443);
            DialPermissions permissions = DialPermissions.FromDecision(decision);
            KitProxy? proxy = snapshot.ProxyFor(sandbox.Kits);
            port += plan is null && proxy is null && permissions.ExactAddressRule is null && started != 0 ? 443 : 0;
        }

        return port;
    }
}
