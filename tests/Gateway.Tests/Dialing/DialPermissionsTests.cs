using System.Collections.Immutable;
using System.Net;
using Gateway.Dialing;
using PolicyCompiler.Compilation;
using PolicyCompiler.Patterns;
using PolicyCompiler.Rules;

namespace Gateway.Tests.Dialing;

public class DialPermissionsTests
{
    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1", "127.0.0.1", false)]
    [InlineData("169.254.169.254:80", "169.254.169.254", "169.254.169.254", false)]
    [InlineData("[::1]", "::1", "::1", false)]
    [InlineData("[fd00:ec2::254]", "fd00:ec2::254", "fd00:ec2::254", false)]
    [InlineData("localhost", "localhost", null, true)]
    [InlineData("localhost:8080", "localhost", null, true)]
    [InlineData("**", "localhost", null, false)]
    [InlineData("**", "127.0.0.1", null, false)]
    [InlineData("**", "169.254.169.254", null, false)]
    [InlineData("*.example.com", "api.example.com", null, false)]
    [InlineData("api.example.com", "api.example.com", null, false)]
    public void FromDecision_OpensOnlyWhatTheDecidingRuleNamed(string pattern, string host, string? exact, bool localhost)
    {
        Decision decision = Decide(host, RuleDecision.Allow, pattern);
        Assert.True(decision.IsAllowed);

        DialPermissions permissions = DialPermissions.FromDecision(decision);

        Assert.Equal(exact is null ? null : IPAddress.Parse(exact), permissions.ExactAddressRule);
        Assert.Equal(localhost, permissions.LocalhostRule);
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("localhost", "localhost")]
    public void FromDecision_BlockedDecision_OpensNothing(string pattern, string host)
    {
        Decision decision = Decide(host, RuleDecision.Deny, pattern);
        Assert.False(decision.IsAllowed);

        DialPermissions permissions = DialPermissions.FromDecision(decision);

        Assert.Null(permissions.ExactAddressRule);
        Assert.False(permissions.LocalhostRule);
    }

    [Fact]
    public void None_OpensNothing()
    {
        Assert.Null(DialPermissions.None.ExactAddressRule);
        Assert.False(DialPermissions.None.LocalhostRule);
    }

    private static Decision Decide(string host, RuleDecision verdict, string pattern)
    {
        Assert.True(PatternParser.TryParse(pattern, out RulePattern? parsed, out string? error), error);
        var rule = new PolicyRule("test", verdict, ImmutableArray.Create(parsed!), RuleSource.Local);
        PolicySnapshot snapshot = SnapshotCompiler.Compile([rule]);
        int port = pattern.EndsWith(":8080", StringComparison.Ordinal) ? 8080 : 80;
        return snapshot.Decide(host.AsSpan(), port, KitSet.None);
    }
}
