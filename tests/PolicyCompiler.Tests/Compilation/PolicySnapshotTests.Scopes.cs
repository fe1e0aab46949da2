using PolicyCompiler.Compilation;
using PolicyCompiler.Rules;
using static PolicyCompiler.Tests.TestRules;

namespace PolicyCompiler.Tests.Compilation;

/// <summary>Rules scoped to one sandbox (<c>--sandbox</c>) and rules that expire (<c>--for</c>).</summary>
public partial class PolicySnapshotTests
{
    private static PolicyRule Scoped(PolicyRule rule, string sandbox) => new(rule.Id, rule.Decision, rule.Resources, rule.Source) { Sandbox = sandbox };

    // Global rules, rules of sandbox "dev", of sandbox "ci" and of a kit, decided for each kind of
    // sandbox: (host, sandbox, kit?, verdict, rule id). Deny beats allow across every scope.
    public static TheoryData<string, string, bool, DecisionVerdict, string> ScopeTable => new()
    {
        // A rule of "dev" decides for dev only.
        { "dev-only.example.test", "dev", false, DecisionVerdict.Allowed, "local:dev-allow" },
        { "dev-only.example.test", "ci", false, DecisionVerdict.Blocked, Decision.NoMatchRuleId },
        { "dev-only.example.test", "other", false, DecisionVerdict.Blocked, Decision.NoMatchRuleId },
        { "dev-only.example.test", "", false, DecisionVerdict.Blocked, Decision.NoMatchRuleId },

        // A scoped deny beats a global allow, for that sandbox only.
        { "api.example.test", "dev", false, DecisionVerdict.Allowed, "local:global-allow" },
        { "api.example.test", "ci", false, DecisionVerdict.Blocked, "local:ci-deny" },
        { "api.example.test", "other", false, DecisionVerdict.Allowed, "local:global-allow" },

        // A global deny beats a scoped allow, however specific.
        { "ads.example.test", "dev", false, DecisionVerdict.Blocked, "local:global-deny" },

        // A kit deny beats a scoped allow; a scoped deny beats a kit allow.
        { "kit.example.test", "dev", true, DecisionVerdict.Blocked, "kit:k/deny" },
        { "kit-allowed.example.test", "ci", true, DecisionVerdict.Blocked, "local:ci-deny" },
        { "kit-allowed.example.test", "dev", true, DecisionVerdict.Allowed, "kit:k/allow" },

        // Wildcards and ports scope the same way.
        { "a.b.wild.example.test", "dev", false, DecisionVerdict.Allowed, "local:dev-allow" },
        { "a.b.wild.example.test", "ci", false, DecisionVerdict.Blocked, Decision.NoMatchRuleId },
        { "ported.example.test", "dev", false, DecisionVerdict.Allowed, "local:dev-allow" },
    };

    [Theory]
    [MemberData(nameof(ScopeTable))]
    public void Decide_ScopedRules_DecideOnlyForTheirSandbox_AndDenyBeatsAllowAcrossScopes(
        string host, string sandbox, bool withKit, DecisionVerdict verdict, string ruleId)
    {
        PolicySnapshot snapshot = SnapshotCompiler.Compile(
            [
                Allow("global-allow", "api.example.test"),
                Deny("global-deny", "ads.example.test"),
                Scoped(Allow("dev-allow", "dev-only.example.test", "ads.example.test", "kit.example.test", "*.wild.example.test", "ported.example.test:443"), "dev"),
                Scoped(Deny("ci-deny", "api.example.test", "kit-allowed.example.test"), "ci"),
            ],
            [new KitRules("k", [
                Rule("kit:k/deny", RuleDecision.Deny, RuleSource.Kit("k"), "kit.example.test"),
                Rule("kit:k/allow", RuleDecision.Allow, RuleSource.Kit("k"), "kit-allowed.example.test"),
            ])]);
        KitSet kits = withKit && snapshot.TryGetKitIndex("k", out int kit) ? KitSet.None.With(kit) : KitSet.None;
        if (snapshot.TryGetSandboxIndex(sandbox, out int scope))
        {
            kits = kits.WithSandbox(scope);
        }

        Decision decision = DecideBoth(snapshot, host, 443, kits);

        Assert.Equal(verdict, decision.Verdict);
        Assert.Equal(ruleId, decision.RuleId);
        Assert.Equal(ruleId.StartsWith("local:dev", StringComparison.Ordinal) ? "sandbox:dev"
            : ruleId.StartsWith("local:ci", StringComparison.Ordinal) ? "sandbox:ci" : PolicyRule.AllSandboxes,
            decision.Rule?.Scope ?? PolicyRule.AllSandboxes);
    }

    [Fact]
    public void Compile_GivesAScopeIndexOnlyToSandboxesWithScopedRules()
    {
        PolicySnapshot snapshot = SnapshotCompiler.Compile(
            [Scoped(Allow("a", "a.example.test"), "dev"), Scoped(Allow("b", "b.example.test"), "dev"), Scoped(Allow("c", "c.example.test"), "ci"), Allow("g", "g.example.test")]);

        Assert.True(snapshot.TryGetSandboxIndex("dev", out int dev));
        Assert.True(snapshot.TryGetSandboxIndex("ci", out int ci));
        Assert.NotEqual(dev, ci);
        Assert.False(snapshot.TryGetSandboxIndex("host", out _));
        AssertDecided(DecideBoth(snapshot, "b.example.test", 443, KitSet.None.WithSandbox(dev)), DecisionVerdict.Allowed, DecisionReason.AllowRule, "local:b", "b.example.test");
        AssertNoMatch(DecideBoth(snapshot, "b.example.test", 443, KitSet.None.WithSandbox(ci)));
    }

    [Fact]
    public void Explain_ListsTheScopedRulesOfTheSandboxOnly()
    {
        PolicySnapshot snapshot = SnapshotCompiler.Compile(
            [Allow("g", "example.test"), Scoped(Deny("d", "example.test"), "dev"), Scoped(Allow("c", "example.test"), "ci")]);
        Assert.True(snapshot.TryGetSandboxIndex("dev", out int dev));

        IReadOnlyList<PolicyMatch> matches = snapshot.Explain("example.test", 443, KitSet.None.WithSandbox(dev));

        Assert.Equal(["local:d", "local:g"], matches.Select(m => m.Rule.DisplayId).Order(StringComparer.Ordinal));
        Assert.Equal("sandbox:dev", matches.Single(m => m.Rule.Id == "d").Rule.Scope);
    }

    [Fact]
    public void Compile_KeepsTheEarliestExpiry_AndNoneWithoutExpiringRules()
    {
        var soon = new DateTimeOffset(2026, 12, 5, 22, 0, 0, TimeSpan.Zero);
        PolicyRule Expiring(PolicyRule rule, DateTimeOffset at) => new(rule.Id, rule.Decision, rule.Resources, rule.Source) { ExpiresAt = at };

        PolicySnapshot expiring = SnapshotCompiler.Compile(
            [Expiring(Allow("late", "a.example.test"), soon.AddHours(1)), Expiring(Deny("early", "b.example.test"), soon), Allow("forever", "c.example.test")]);

        Assert.Equal(soon, expiring.NextExpiry);
        Assert.Null(SnapshotCompiler.Compile([Allow("forever", "c.example.test")]).NextExpiry);
    }

    [Fact]
    public void KitSet_WithSandbox_KeepsItsKits_AndEqualityCountsTheSandbox()
    {
        KitSet kits = KitSet.None.With(3).WithSandbox(7);

        Assert.True(kits.Contains(3));
        Assert.NotEqual(KitSet.None.With(3), kits);
        Assert.Equal(KitSet.None.With(3).WithSandbox(7), kits);
        Assert.Equal(KitSet.None.WithSandbox(7).With(3), kits);
    }
}
