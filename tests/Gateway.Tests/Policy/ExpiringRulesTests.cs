using Gateway.Cli;
using Gateway.Configuration;
using Gateway.Policy;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PolicyCompiler.Compilation;

namespace Gateway.Tests.Policy;

/// <summary>
/// Issue 20 point 2 on an injected clock: a rule added with <c>--for</c> decides until its time,
/// then the live policy drops it by itself (no reload command); scope and expiry survive a
/// restart, and a rule already expired at start is gone from the snapshot and the store.
/// </summary>
public sealed class ExpiringRulesTests : IDisposable
{
    private readonly string _stateDir = Directory.CreateTempSubdirectory("gw-expiry-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 21, 0, 0, TimeSpan.Zero));

    public void Dispose() => Directory.Delete(_stateDir, recursive: true);

    [Fact]
    public void AnExpiringAllow_DecidesUntilItsTime_ThenTheLivePolicyDropsIt()
    {
        Cli("policy", "set-default", "deny-all");
        Cli("policy", "allow", "network", "api.example.test", "--for", "10m");
        using LivePolicy policy = Start();

        Assert.True(Decide(policy, "api.example.test").IsAllowed);
        _time.Advance(TimeSpan.FromMinutes(9));
        Assert.True(Decide(policy, "api.example.test").IsAllowed);
        _time.Advance(TimeSpan.FromMinutes(1));

        Decision after = Decide(policy, "api.example.test");
        Assert.Equal(DecisionReason.NoMatchingRule, after.Reason);
        Assert.Empty(new PolicyStore(_stateDir).Load().Rules);
    }

    [Fact]
    public void ADenyForAWhile_BlocksUntilItsTime_AndTheAllowUnderItDecidesAfter()
    {
        Cli("policy", "allow", "network", "api.example.test");
        Cli("policy", "deny", "network", "api.example.test", "--for", "30s");
        using LivePolicy policy = Start();

        Assert.Equal(DecisionReason.DenyRule, Decide(policy, "api.example.test").Reason);
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(DecisionReason.AllowRule, Decide(policy, "api.example.test").Reason);
    }

    [Fact]
    public void TwoExpiries_EachRuleGoesAtItsOwnTime()
    {
        Cli("policy", "set-default", "deny-all");
        Cli("policy", "allow", "network", "a.example.test", "--for", "1m");
        Cli("policy", "allow", "network", "b.example.test", "--for", "5m");
        using LivePolicy policy = Start();

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(Decide(policy, "a.example.test").IsAllowed);
        Assert.True(Decide(policy, "b.example.test").IsAllowed);
        _time.Advance(TimeSpan.FromMinutes(4));

        Assert.False(Decide(policy, "b.example.test").IsAllowed);
    }

    [Fact]
    public void ARestart_KeepsScopeAndExpiry_AndDropsWhatExpiredMeanwhile()
    {
        Cli("policy", "allow", "network", "a.example.test", "--sandbox", "host", "--for", "1h");
        Cli("policy", "allow", "network", "b.example.test", "--for", "1m");
        DateTimeOffset added = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromMinutes(2));

        using LivePolicy restarted = Start();
        StoredRule kept = Assert.Single(new PolicyStore(_stateDir).Load().Rules, r => r.Resources[0] == "a.example.test");

        Assert.Equal(("host", added.AddHours(1)), (kept.Sandbox, kept.ExpiresAt));
        Assert.DoesNotContain(restarted.Current.Rules, r => r.Resources.Any(p => p.Text == "b.example.test"));
        Assert.Equal("sandbox:host", Assert.Single(restarted.Current.Rules, r => r.Resources.Any(p => p.Text == "a.example.test")).Scope);
        Cli("policy", "deny", "network", "c.example.test");
        Assert.DoesNotContain(new PolicyStore(_stateDir).Load().Rules, r => r.Resources[0] == "b.example.test");
    }

    [Fact]
    public void ForWithoutAUnit_IsAUsageError()
    {
        (int exit, string output) = Run("policy", "allow", "network", "api.example.test", "--for", "10");

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("--for \"10\" is not a duration", output, StringComparison.Ordinal);
    }

    private LivePolicy Start()
    {
        var errors = new List<string>();
        LivePolicy? policy = LivePolicy.Create(GatewayConfig.CreateDefault(_stateDir), NullLogger<LivePolicy>.Instance, errors, _time);
        Assert.True(policy is not null, string.Join("\n", errors));
        return policy;
    }

    private static Decision Decide(LivePolicy policy, string host) =>
        policy.Current.Decide(host.AsSpan(), 443, SandboxRegistryKits(policy.Current));

    private static KitSet SandboxRegistryKits(PolicySnapshot snapshot) =>
        Gateway.Sandboxes.SandboxRegistry.KitsOf(Gateway.Sandboxes.Sandbox.Host, snapshot);

    private void Cli(params string[] args)
    {
        (int exit, string output) = Run(args);
        Assert.True(exit == 0, output);
    }

    private (int Exit, string Output) Run(params string[] args)
    {
        var output = new StringWriter();
        int exit = GatewayCli.Run(["--state-dir", _stateDir, .. args], new CliContext
        {
            Out = output,
            Error = output,
            In = TextReader.Null,
            InteractiveInput = false,
            Environment = ConfigLoader.NoEnvironment,
            Time = _time,
        });
        return (exit, output.ToString());
    }
}
