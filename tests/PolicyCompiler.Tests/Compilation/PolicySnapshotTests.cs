using System.Text;
using PolicyCompiler.Compilation;
using PolicyCompiler.Groups;
using PolicyCompiler.Hosts;
using PolicyCompiler.Rules;
using static PolicyCompiler.Tests.TestRules;

namespace PolicyCompiler.Tests.Compilation;

public partial class PolicySnapshotTests
{
    // Every pattern form, with and without a port; "matches" means the allow rule decides.
    public static TheoryData<string, string, int, bool> PatternForms => new()
    {
        { "example.com", "example.com", 443, true },
        { "example.com", "example.com", 80, true },
        { "example.com", "example.com", 65535, true },
        { "example.com", "EXAMPLE.Com", 443, true },
        { "example.com", "example.com.", 443, true },
        { "example.com", "a.example.com", 443, false },
        { "example.com", "example.org", 443, false },
        { "example.com:443", "example.com", 443, true },
        { "example.com:443", "example.com", 80, false },
        { "example.com:443", "example.com", 8443, false },
        { "example.com:443", "a.example.com", 443, false },

        { "*.example.com", "a.example.com", 443, true },
        { "*.example.com", "a.example.com", 22, true },
        { "*.example.com", "a.b.c.example.com", 443, true },
        { "*.example.com", "A.B.Example.COM.", 443, true },
        { "*.example.com", "example.com", 443, false },
        { "*.example.com", "example.org", 443, false },
        { "*.example.com:8443", "a.example.com", 8443, true },
        { "*.example.com:8443", "a.b.example.com", 8443, true },
        { "*.example.com:8443", "a.example.com", 443, false },
        { "*.example.com:8443", "example.com", 8443, false },

        { "**", "example.com", 443, true },
        { "**", "a.b.example.org", 1, true },
        { "**", "localhost", 5432, true },
        { "**", "xn--bcher-kva.example", 443, true },
        { "**", "192.0.2.1", 443, true },
        { "**", "[2001:db8::1]", 443, true },
        { "**:443", "example.org", 443, true },
        { "**:443", "192.0.2.1", 443, true },
        { "**:443", "example.org", 80, false },
        { "**:443", "[2001:db8::1]", 80, false },

        { "192.0.2.1", "192.0.2.1", 443, true },
        { "192.0.2.1", "192.0.2.1", 22, true },
        { "192.0.2.1", "[::ffff:192.0.2.1]", 443, true },
        { "192.0.2.1", "192.0.2.2", 443, false },
        { "192.0.2.1", "[2001:db8::1]", 443, false },
        { "192.0.2.1:8080", "192.0.2.1", 8080, true },
        { "192.0.2.1:8080", "192.0.2.1", 80, false },

        { "[2001:db8::1]", "[2001:db8::1]", 443, true },
        { "[2001:db8::1]", "[2001:DB8:0:0:0:0:0:1]", 443, true },
        { "[2001:db8::1]", "2001:db8::1", 443, true },
        { "[2001:db8::1]", "[2001:db8::2]", 443, false },
        { "[2001:db8::1]", "192.0.2.1", 443, false },
        { "[2001:db8::1]:443", "[2001:db8::1]", 443, true },
        { "[2001:db8::1]:443", "[2001:db8::1]", 80, false },
        { "[::ffff:192.0.2.1]", "192.0.2.1", 443, true },

        { "localhost", "localhost", 5432, true },
        { "localhost", "LOCALHOST.", 5432, true },
        { "localhost", "a.localhost", 5432, false },
        { "localhost:5432", "localhost", 5432, true },
        { "localhost:5432", "localhost", 5433, false },
    };

    [Theory]
    [MemberData(nameof(PatternForms))]
    public void Decide_EachPatternForm_MatchesExactlyTheHostsAndPortsItNames(string pattern, string host, int port, bool matches)
    {
        PolicyRule rule = Allow("r1", pattern);
        PolicySnapshot snapshot = SnapshotCompiler.Compile([rule]);

        Decision decision = DecideBoth(snapshot, host, port);

        if (matches)
        {
            AssertDecided(decision, DecisionVerdict.Allowed, DecisionReason.AllowRule, "local:r1", Pattern(pattern).Text);
            Assert.Same(rule, decision.Rule);
            Assert.Equal("local", decision.Source);
        }
        else
        {
            AssertNoMatch(decision);
        }
    }

    // Hosts that look related to a pattern but are not covered by it.
    [Theory]
    [InlineData("*.example.com", "evilexample.com")]
    [InlineData("*.example.com", "example.com.evil.example.org")]
    [InlineData("*.example.com", "aexample.com")]
    [InlineData("*.example.com", "example.com")]
    [InlineData("example.com", "example.com.evil.example.org")]
    [InlineData("example.com", "notexample.com")]
    [InlineData("example.com", "example.co")]
    [InlineData("example.com", "example.comm")]
    [InlineData("example.com", "xample.com")]
    [InlineData("example.com", "www.example.com")]
    [InlineData("api.example.com", "v1.api.example.com")]
    [InlineData("xn--bcher-kva.example", "bucher.example")]
    [InlineData("example.com", "192.0.2.1")]
    [InlineData("*.example.com", "192.0.2.1")]
    [InlineData("*.example.com", "[2001:db8::1]")]
    [InlineData("localhost", "127.0.0.1")]
    [InlineData("localhost", "[::1]")]
    [InlineData("127.0.0.1", "localhost")]
    [InlineData("[::1]", "localhost")]
    [InlineData("[::1]", "127.0.0.1")]
    [InlineData("127.0.0.1", "[::1]")]
    [InlineData("192.0.2.1", "192.0.2.10")]
    [InlineData("192.0.2.1", "2.0.192.in-addr.arpa")]
    public void Decide_LookAlikeHost_IsNotMatched(string pattern, string host)
    {
        PolicySnapshot snapshot = SnapshotCompiler.Compile([Allow("r1", pattern)]);

        AssertNoMatch(DecideBoth(snapshot, host, 443));
    }

    [Fact]
    public void Decide_NothingMatching_IsBlockedWithNoMatchingRule()
    {
        PolicySnapshot snapshot = SnapshotCompiler.Compile([Allow("r1", "example.org", "*.example.net")]);

        Decision decision = DecideBoth(snapshot, "example.com", 443);

        AssertNoMatch(decision);
        Assert.Equal(HostError.None, decision.HostError);
    }

    [Fact]
    public void Decide_NoRulesAtAll_BlocksEverything()
    {
        PolicySnapshot snapshot = SnapshotCompiler.Compile([]);

        AssertNoMatch(DecideBoth(snapshot, "example.com", 443));
        AssertNoMatch(DecideBoth(snapshot, "192.0.2.1", 443));
    }

    // allow pattern, deny pattern, host, port, verdict, deciding rule id, deciding pattern.
    public static TheoryData<string, string, string, int, DecisionVerdict, string, string> DenyAgainstAllow => new()
    {
        { "api.example.com", "*.example.com", "api.example.com", 443, DecisionVerdict.Blocked, "local:deny", "*.example.com" },
        { "api.example.com:443", "*.example.com", "api.example.com", 443, DecisionVerdict.Blocked, "local:deny", "*.example.com" },
        { "example.com", "**", "example.com", 443, DecisionVerdict.Blocked, "local:deny", "**" },
        { "example.com:443", "**", "example.com", 443, DecisionVerdict.Blocked, "local:deny", "**" },
        { "192.0.2.1", "**", "192.0.2.1", 443, DecisionVerdict.Blocked, "local:deny", "**" },
        { "localhost", "**", "localhost", 443, DecisionVerdict.Blocked, "local:deny", "**" },
        { "*.example.com", "api.example.com:443", "api.example.com", 443, DecisionVerdict.Blocked, "local:deny", "api.example.com:443" },
        { "*.example.com", "api.example.com:443", "api.example.com", 80, DecisionVerdict.Allowed, "local:allow", "*.example.com" },
        { "*.example.com", "api.example.com:443", "www.example.com", 443, DecisionVerdict.Allowed, "local:allow", "*.example.com" },
        { "**", "example.com", "example.com", 443, DecisionVerdict.Blocked, "local:deny", "example.com" },
        { "**", "example.com", "a.example.com", 443, DecisionVerdict.Allowed, "local:allow", "**" },
        { "**", "*.example.com:443", "a.example.com", 443, DecisionVerdict.Blocked, "local:deny", "*.example.com:443" },
        { "**", "*.example.com:443", "a.example.com", 80, DecisionVerdict.Allowed, "local:allow", "**" },
        { "**", "192.0.2.1", "[::ffff:192.0.2.1]", 443, DecisionVerdict.Blocked, "local:deny", "192.0.2.1" },
        { "[::ffff:192.0.2.1]", "192.0.2.1", "192.0.2.1", 443, DecisionVerdict.Blocked, "local:deny", "192.0.2.1" },
        { "xn--bcher-kva.example", "bücher.example", "BÜCHER.example", 443, DecisionVerdict.Blocked, "local:deny", "xn--bcher-kva.example" },
    };

    [Theory]
    [MemberData(nameof(DenyAgainstAllow))]
    public void Decide_DenyAndAllowBothMatching_DenyWinsWhateverTheSpecificity(
        string allow, string deny, string host, int port, DecisionVerdict verdict, string ruleId, string pattern)
    {
        DecisionReason reason = verdict == DecisionVerdict.Blocked ? DecisionReason.DenyRule : DecisionReason.AllowRule;

        // Rule order must not matter.
        PolicySnapshot allowFirst = SnapshotCompiler.Compile([Allow("allow", allow), Deny("deny", deny)]);
        PolicySnapshot denyFirst = SnapshotCompiler.Compile([Deny("deny", deny), Allow("allow", allow)]);

        AssertDecided(DecideBoth(allowFirst, host, port), verdict, reason, ruleId, pattern);
        AssertDecided(DecideBoth(denyFirst, host, port), verdict, reason, ruleId, pattern);
    }

    // Several allow rules match: the most specific one is reported (deepest, then port-specific, then first).
    [Theory]
    [InlineData("api.example.com", 443, "local:exact-port", "api.example.com:443")]
    [InlineData("api.example.com", 80, "local:exact", "api.example.com")]
    [InlineData("www.example.com", 443, "local:wild", "*.example.com")]
    [InlineData("example.org", 443, "local:everything", "**")]
    public void Decide_SeveralAllowRulesMatching_ReportsTheMostSpecific(string host, int port, string ruleId, string pattern)
    {
        PolicySnapshot snapshot = SnapshotCompiler.Compile(
        [
            Allow("everything", "**"),
            Allow("wild", "*.example.com"),
            Allow("exact", "api.example.com"),
            Allow("exact-port", "api.example.com:443"),
        ]);

        AssertDecided(DecideBoth(snapshot, host, port), DecisionVerdict.Allowed, DecisionReason.AllowRule, ruleId, pattern);
    }

    [Theory]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    [InlineData("bücher.example", "bücher.example")]
    [InlineData("bücher.example", "BÜCHER.EXAMPLE.")]
    [InlineData("xn--bcher-kva.example", "bücher.example")]
    [InlineData("XN--BCHER-KVA.example", "Bücher.example")]
    [InlineData("*.bücher.example", "api.xn--bcher-kva.example")]
    [InlineData("*.xn--bcher-kva.example", "api.bücher.example")]
    [InlineData("example.com", "example\u3002com")]
    [InlineData("example.com", "example\uFF0Ecom")]
    [InlineData("example.com", "example\uFF61com")]
    [InlineData("example.com", "example.com\u3002")]
    [InlineData("example\uFF0Ecom", "example.com")]
    [InlineData("*.example.com", "a\u3002example\u3002com")]
    public void Decide_HostAndPatternInDifferentSpellings_MatchAfterCanonicalisation(string pattern, string host)
    {
        PolicySnapshot snapshot = SnapshotCompiler.Compile([Allow("r1", pattern)]);

        AssertDecided(DecideBoth(snapshot, host, 443), DecisionVerdict.Allowed, DecisionReason.AllowRule, "local:r1", Pattern(pattern).Text);
    }

    [Theory]
    [InlineData("example.com..", HostError.EmptyLabel)]
    [InlineData("a..example.com", HostError.EmptyLabel)]
    [InlineData("", HostError.Empty)]
    [InlineData("exa mple.com", HostError.InvalidCharacter)]
    [InlineData("example.com\0", HostError.InvalidCharacter)]
    [InlineData("127.1", HostError.NonCanonicalIPv4)]
    [InlineData("2130706433", HostError.NonCanonicalIPv4)]
    [InlineData("0x7f.0.0.1", HostError.NonCanonicalIPv4)]
    [InlineData("[fe80::1%eth0]", HostError.InvalidIPv6)]
    [InlineData("example.com.\u3002", HostError.InvalidIdn)]
    public void Decide_InvalidHost_IsBlockedEvenUnderAllowEverything(string host, HostError error)
    {
        PolicySnapshot snapshot = SnapshotCompiler.Compile([Allow("r1", "**")]);

        Decision decision = DecideBoth(snapshot, host, 443);

        Assert.Equal(DecisionVerdict.Blocked, decision.Verdict);
        Assert.Equal(DecisionReason.InvalidHost, decision.Reason);
        Assert.Equal(error, decision.HostError);
        Assert.Equal(Decision.InvalidInputRuleId, decision.RuleId);
        Assert.Null(decision.Rule);
        Assert.Null(decision.Pattern);
    }

    [Theory]
    [InlineData("ff")]
    [InlineData("c0 ae")]
    [InlineData("ed a0 80")]
    public void Decide_InvalidUtf8Bytes_AreBlockedAsInvalidIdn(string hex)
    {
        PolicySnapshot snapshot = SnapshotCompiler.Compile([Allow("r1", "**")]);
        byte[] host = [.. "example"u8, .. Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal)), .. ".com"u8];

        Decision decision = snapshot.Decide(host, 443, KitSet.None);

        Assert.Equal(DecisionVerdict.Blocked, decision.Verdict);
        Assert.Equal(DecisionReason.InvalidHost, decision.Reason);
        Assert.Equal(HostError.InvalidIdn, decision.HostError);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(65536)]
    [InlineData(int.MaxValue)]
    public void Decide_PortOutsideTheRange_IsBlockedEvenUnderAllowEverything(int port)
    {
        PolicySnapshot snapshot = SnapshotCompiler.Compile([Allow("r1", "**")]);

        Decision decision = DecideBoth(snapshot, "example.com", port);

        Assert.Equal(DecisionVerdict.Blocked, decision.Verdict);
        Assert.Equal(DecisionReason.InvalidPort, decision.Reason);
        Assert.Equal(Decision.InvalidPortRuleId, decision.RuleId);
        Assert.Null(decision.Rule);
    }

    [Fact]
    public void Decide_AsciiHosts_AllocateNothing()
    {
        PolicySnapshot snapshot = SnapshotCompiler.Compile(
        [
            .. DefaultPolicies.RulesFor(DefaultPolicy.Balanced),
            Deny("deny", "ads.example.com", "*.tracker.example.org:443", "192.0.2.66"),
            Allow("allow", "*.example.com", "192.0.2.1", "[2001:db8::1]:443", "localhost:5432"),
        ]);
        string[] hosts =
        [
            "api.github.com", "API.Example.COM.", "ads.example.com", "x.tracker.example.org", "example.net",
            "192.0.2.1", "192.0.2.66", "[2001:db8::1]", "[::ffff:192.0.2.1]", "localhost", "a..b", "127.1",
        ];
        byte[][] utf8 = [.. hosts.Select(Encoding.ASCII.GetBytes)];
        int allowed = 0;

        for (int i = 0; i < 1_000; i++)
        {
            allowed += DecideAll(snapshot, hosts, utf8);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            allowed += DecideAll(snapshot, hosts, utf8);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(11_000 * 2 * 5, allowed);     // github, example.com, 192.0.2.1, 2001:db8::1, mapped 192.0.2.1
    }

    private static Decision DecideBoth(PolicySnapshot snapshot, string host, int port, KitSet kits = default)
    {
        Decision fromText = snapshot.Decide(host.AsSpan(), port, kits);
        Decision fromBytes = snapshot.Decide(Encoding.UTF8.GetBytes(host), port, kits);

        Assert.Equal(fromText.Verdict, fromBytes.Verdict);
        Assert.Equal(fromText.Reason, fromBytes.Reason);
        Assert.Equal(fromText.HostError, fromBytes.HostError);
        Assert.Same(fromText.Rule, fromBytes.Rule);
        Assert.Same(fromText.Pattern, fromBytes.Pattern);
        return fromText;
    }

    private static void AssertDecided(Decision decision, DecisionVerdict verdict, DecisionReason reason, string ruleId, string pattern)
    {
        Assert.Equal(verdict, decision.Verdict);
        Assert.Equal(reason, decision.Reason);
        Assert.Equal(ruleId, decision.RuleId);
        Assert.Equal(pattern, decision.Pattern?.Text);
    }

    private static void AssertNoMatch(Decision decision)
    {
        Assert.Equal(DecisionVerdict.Blocked, decision.Verdict);
        Assert.False(decision.IsAllowed);
        Assert.Equal(DecisionReason.NoMatchingRule, decision.Reason);
        Assert.Equal(Decision.NoMatchRuleId, decision.RuleId);
        Assert.Equal(Decision.DefaultSource, decision.Source);
        Assert.Null(decision.Rule);
        Assert.Null(decision.Pattern);
    }
}
