using System.Collections.Immutable;
using Gateway.Configuration;
using Gateway.Dialing;
using Gateway.Policy;
using PolicyCompiler.Compilation;
using PolicyCompiler.Patterns;
using PolicyCompiler.Rules;

namespace Gateway.Tests.Policy;

public sealed class PolicyEnforcementTests
{
    // allow api.example.test, deny ads.example.test, nothing else: one host per decision reason.
    private static readonly PolicySnapshot s_snapshot = SnapshotCompiler.Compile(
        [Rule("allow", RuleDecision.Allow, "api.example.test"), Rule("deny", RuleDecision.Deny, "ads.example.test")]);

    [Theory]
    [InlineData("api.example.test", 443, false, DecisionReason.AllowRule, true, false)]
    [InlineData("ads.example.test", 443, false, DecisionReason.DenyRule, false, false)]
    [InlineData("other.example.test", 443, false, DecisionReason.NoMatchingRule, false, false)]
    [InlineData("api..example.test", 443, false, DecisionReason.InvalidHost, false, false)]
    [InlineData("api.example.test", 443, true, DecisionReason.AllowRule, true, false)]
    [InlineData("ads.example.test", 443, true, DecisionReason.DenyRule, true, true)]
    [InlineData("other.example.test", 443, true, DecisionReason.NoMatchingRule, true, true)]
    [InlineData("api..example.test", 443, true, DecisionReason.InvalidHost, false, false)] // invalid input is no denial to report
    [InlineData("2130706433", 443, true, DecisionReason.InvalidHost, false, false)]
    [InlineData("api.example.test", 0, true, DecisionReason.InvalidPort, false, false)]
    public void OnlyPolicyDenials_AreLetThrough_AndOnlyInReportMode(string host, int port, bool report, DecisionReason reason, bool letsThrough, bool wouldBlock)
    {
        var enforcement = new PolicyEnforcement(report ? PolicyMode.Report : PolicyMode.Enforce);
        Decision decision = s_snapshot.Decide(host.AsSpan(), port, KitSet.None);

        Assert.Equal(reason, decision.Reason);
        Assert.Equal((letsThrough, wouldBlock), (enforcement.LetsThrough(in decision), enforcement.WouldBlock(in decision)));
        Assert.Equal(report, enforcement.Reports);
    }

    [Fact]
    public void ADenialLetThrough_OpensNoGuardedAddress()
    {
        // A deny rule naming localhost must not become the "rule that names localhost" that opens loopback.
        PolicySnapshot snapshot = SnapshotCompiler.Compile([Rule("deny", RuleDecision.Deny, "localhost")]);
        Decision decision = snapshot.Decide("localhost".AsSpan(), 80, KitSet.None);

        Assert.True(new PolicyEnforcement(PolicyMode.Report).WouldBlock(in decision));
        Assert.False(DialPermissions.FromDecision(in decision).LocalhostRule);
    }

    [Fact]
    public void DecidingAndApplyingTheMode_AllocatesNothing()
    {
        var enforcement = new PolicyEnforcement(PolicyMode.Report);
        byte[][] hosts = ["api.example.test"u8.ToArray(), "ads.example.test"u8.ToArray(), "other.example.test"u8.ToArray()];
        int through = 0;
        for (int i = 0; i < 1000; i++)
        {
            Decision warm = s_snapshot.Decide(hosts[i % 3], 443, KitSet.None);
            through += enforcement.LetsThrough(in warm) ? 1 : 0;
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100_000; i++)
        {
            Decision decision = s_snapshot.Decide(hosts[i % 3], 443, KitSet.None);
            through += enforcement.WouldBlock(in decision) || enforcement.LetsThrough(in decision) ? 1 : 0;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(101_000, through);
    }

    private static PolicyRule Rule(string id, RuleDecision decision, string pattern)
    {
        Assert.True(PatternParser.TryParse(pattern, out RulePattern? parsed, out string? error), error);
        return new PolicyRule(id, decision, ImmutableArray.Create(parsed!), RuleSource.Local);
    }
}
