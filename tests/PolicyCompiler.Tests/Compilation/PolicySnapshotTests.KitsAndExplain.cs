using System.Text;
using PolicyCompiler.Compilation;
using PolicyCompiler.Groups;
using PolicyCompiler.Hosts;
using PolicyCompiler.Rules;
using static PolicyCompiler.Tests.TestRules;

namespace PolicyCompiler.Tests.Compilation;

/// <summary>Kit scoping, compile-time refusals and Explain.</summary>
public partial class PolicySnapshotTests
{
    [Fact]
    public void Decide_KitRules_ApplyOnlyToSandboxesStartedWithTheKit()
    {
        PolicyRule kitAllow = Rule("kit:k/allow", RuleDecision.Allow, RuleSource.Kit("k"), "*.example.org");
        PolicyRule otherDeny = Rule("kit:j/deny", RuleDecision.Deny, RuleSource.Kit("j"), "example.com");
        PolicySnapshot snapshot = SnapshotCompiler.Compile(
            [Allow("global", "example.com")],
            [new KitRules("j", [otherDeny]), new KitRules("k", [kitAllow])]);
        Assert.True(snapshot.TryGetKitIndex("k", out int k));
        Assert.True(snapshot.TryGetKitIndex("j", out int j));
        Assert.Equal(["j", "k"], snapshot.Kits.ToArray());

        AssertNoMatch(DecideBoth(snapshot, "api.example.org", 443));
        AssertNoMatch(DecideBoth(snapshot, "api.example.org", 443, KitSet.None.With(j)));
        AssertDecided(DecideBoth(snapshot, "api.example.org", 443, KitSet.None.With(k)), DecisionVerdict.Allowed, DecisionReason.AllowRule, "kit:k/allow", "*.example.org");
        Assert.Equal("kit:k", DecideBoth(snapshot, "api.example.org", 443, KitSet.None.With(k)).Source);

        AssertDecided(DecideBoth(snapshot, "example.com", 443), DecisionVerdict.Allowed, DecisionReason.AllowRule, "local:global", "example.com");
        AssertDecided(DecideBoth(snapshot, "example.com", 443, KitSet.None.With(k)), DecisionVerdict.Allowed, DecisionReason.AllowRule, "local:global", "example.com");
        AssertDecided(DecideBoth(snapshot, "example.com", 443, KitSet.None.With(j)), DecisionVerdict.Blocked, DecisionReason.DenyRule, "kit:j/deny", "example.com");
        AssertDecided(DecideBoth(snapshot, "example.com", 443, KitSet.None.With(j).With(k)), DecisionVerdict.Blocked, DecisionReason.DenyRule, "kit:j/deny", "example.com");
        Assert.Equal("kit:j", DecideBoth(snapshot, "example.com", 443, KitSet.None.With(j)).Source);
    }

    [Fact]
    public void Decide_KitSetWithAnIndexNoKitHas_AddsNoRules()
    {
        PolicySnapshot snapshot = SnapshotCompiler.Compile(
            [], [new KitRules("k", [Rule("kit:k/allow", RuleDecision.Allow, RuleSource.Kit("k"), "example.com")])]);

        AssertNoMatch(DecideBoth(snapshot, "example.com", 443, KitSet.None.With(5)));
        Assert.False(snapshot.TryGetKitIndex("missing", out _));
    }

    [Fact]
    public void Compile_TwoKitsWithOneName_IsRefused()
    {
        var ex = Assert.Throws<ArgumentException>(() => SnapshotCompiler.Compile([], [new KitRules("k", []), new KitRules("k", [])]));

        Assert.Contains("two kits are named \"k\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_MoreKitsThanAKitSetHolds_IsRefused()
    {
        KitRules[] kits = [.. Enumerable.Range(0, KitSet.Capacity + 1).Select(i => new KitRules($"k{i}", []))];

        Assert.Throws<ArgumentException>(() => SnapshotCompiler.Compile([], kits));
    }

    [Fact]
    public void Explain_ListsEveryApplicableRuleFromShallowToDeep()
    {
        PolicySnapshot snapshot = SnapshotCompiler.Compile(
        [
            Allow("exact", "api.example.com"),
            Deny("wild", "*.example.com"),
            Allow("everything", "**"),
            Allow("other-port", "api.example.com:8443"),
            Allow("unrelated", "example.org"),
        ]);

        IReadOnlyList<PolicyMatch> matches = snapshot.Explain("API.example.com", 443, KitSet.None);

        Assert.Equal(["**", "*.example.com", "api.example.com"], matches.Select(m => m.Pattern.Text));
        Assert.Equal(["local:everything", "local:wild", "local:exact"], matches.Select(m => m.Rule.DisplayId));
    }

    [Theory]
    [InlineData("a..example.com", 443)]
    [InlineData("example.com", 0)]
    public void Explain_InvalidHostOrPort_ListsNothing(string host, int port)
    {
        PolicySnapshot snapshot = SnapshotCompiler.Compile([Allow("everything", "**")]);

        Assert.Empty(snapshot.Explain(host, port, KitSet.None));
    }

    private static int DecideAll(PolicySnapshot snapshot, string[] hosts, byte[][] utf8)
    {
        int allowed = 0;
        for (int h = 0; h < hosts.Length; h++)
        {
            allowed += snapshot.Decide(hosts[h].AsSpan(), 443, KitSet.None).IsAllowed ? 1 : 0;
            allowed += snapshot.Decide(utf8[h], 443, KitSet.None).IsAllowed ? 1 : 0;
        }

        return allowed;
    }

    // Decides through both entry points (text and UTF-8 bytes off the wire) and checks they agree.
}
