using System.Net;
using System.Text;
using Gateway.Configuration;
using Gateway.Decisions;
using Gateway.Listeners;
using Gateway.Metrics;
using Gateway.Tests.Metrics;
using PolicyCompiler.Compilation;

namespace Gateway.Tests.Decisions;

/// <summary>The decision chain on its own: identify → authorise → canonicalise → decide → report mode → plan, one verdict.</summary>
public sealed class EgressDeciderTests : IDisposable
{
    private readonly DecisionFixture _fixture = new([
        ["policy", "set-default", "deny-all"],
        ["policy", "allow", "network", "api.example.test,*.example.com"],
        ["policy", "deny", "network", "ads.example.com"],
    ]);

    public void Dispose() => _fixture.Dispose();

    public static TheoryData<string, int, bool, string, string> Hosts => new()
    {
        // host as read, port, lets through, reason, canonical host
        { "api.example.test", 443, true, EgressReason.Rule, "api.example.test" },
        { "API.Example.Test.", 443, true, EgressReason.Rule, "api.example.test" },
        { "deep.a.example.com", 8443, true, EgressReason.Rule, "deep.a.example.com" },
        { "ads.example.com", 443, false, EgressReason.Rule, "ads.example.com" },
        { "other.example.test", 443, false, EgressReason.NoMatch, "other.example.test" },
        { "bad_host!.example.test", 443, false, EgressReason.InvalidHost, "bad_host!.example.test" },
    };

    [Theory]
    [MemberData(nameof(Hosts))]
    public void AForwardRequest_GetsOneVerdict_WithDecisionReasonAndCanonicalHost(string host, int port, bool letsThrough, string reason, string canonical)
    {
        EgressVerdict verdict = Decide(ListenerKind.Forward, IPAddress.Loopback, host, port);

        Assert.Equal((letsThrough, reason, canonical, port), (verdict.LetsThrough, verdict.Reason, verdict.Host, verdict.Port));
        Assert.Equal(("host", ListenerKind.Forward, "forward"), (verdict.Sandbox.Name, verdict.Listener, verdict.Proxy));
        Assert.Equal(letsThrough ? 200 : reason == EgressReason.InvalidHost ? 400 : 403, verdict.Status);
    }

    [Fact]
    public void TheSameHost_AsBytesAndAsText_GetsTheSameVerdict()
    {
        EgressVerdict bytes = Decide(ListenerKind.Forward, IPAddress.Loopback, "Deep.A.Example.COM", 443);
        EgressVerdict text = DecideText(ListenerKind.Forward, IPAddress.Loopback, "Deep.A.Example.COM", 443);

        Assert.Equal((bytes.LetsThrough, bytes.Host, bytes.RuleId, bytes.Reason), (text.LetsThrough, text.Host, text.RuleId, text.Reason));
    }

    [Fact]
    public async Task AnAddressOfNoSandbox_IsRefusedAsUnknownSandbox_BeforeAnyLookup()
    {
        EgressVerdict verdict = Decide(ListenerKind.TransparentTls, DecisionFixture.Stranger, "api.example.test", 443);

        Assert.Equal((false, EgressReason.UnknownSandbox, "unknown", 403), (verdict.LetsThrough, verdict.Reason, verdict.Sandbox.Name, verdict.Status));
        Assert.Equal("api.example.test", verdict.Host); // what was asked for, as it was asked
        Scrape scrape = await Scrape.OfAsync(_fixture.Metrics);
        Assert.Equal(1, scrape.Value("gateway_errors_total", ("kind", "unknown_sandbox")));
        Assert.Equal(0, scrape.Value("gateway_decisions_total", ("decision", "blocked"), ("proxy", "transparent")));
    }

    [Theory]
    [InlineData(false, "", EgressReason.ProxyAuth)]
    [InlineData(false, "Basic d3Jvbmc6dG9rZW4=", EgressReason.ProxyAuth)]
    [InlineData(true, null, EgressReason.Rule)]
    public void ASandboxWithAToken_IsDecidedOnlyWithItsToken(bool right, string? presented, string reason)
    {
        byte[] header = right ? DecisionFixture.TokenHeader : Encoding.ASCII.GetBytes(presented!);
        var request = new EgressRequest
        {
            Listener = ListenerKind.Forward,
            Remote = DecisionFixture.TokenSandbox,
            Host = "api.example.test"u8,
            Port = 443,
            CheckToken = true,
            ProxyAuthorization = header,
        };

        EgressVerdict verdict = _fixture.Decider.Decide(in request);

        Assert.Equal((reason, "tokened", right), (verdict.Reason, verdict.Sandbox.Name, verdict.LetsThrough));
        Assert.Equal(right ? 200 : 407, verdict.Status);
    }

    [Fact]
    public void TheTransparentListeners_DoNotAskForAToken()
    {
        EgressVerdict verdict = DecideText(ListenerKind.TransparentHttp, DecisionFixture.TokenSandbox, "api.example.test", 80);

        Assert.Equal((true, "tokened", "transparent"), (verdict.LetsThrough, verdict.Sandbox.Name, verdict.Proxy));
    }

    [Fact]
    public void AnSniThatIsAnIpLiteral_IsAnInvalidHost()
    {
        var request = new EgressRequest { Listener = ListenerKind.TransparentTls, Remote = IPAddress.Loopback, Host = "127.0.0.1"u8, Port = 443, NameOnly = true };

        EgressVerdict verdict = _fixture.Decider.Decide(in request);

        Assert.Equal((false, EgressReason.InvalidHost), (verdict.LetsThrough, verdict.Reason));
    }

    [Fact]
    public void ADnsName_AllowedOnlyOnItsFallbackPort_IsDecidedOnThatPort()
    {
        using var fixture = new DecisionFixture([["policy", "set-default", "deny-all"], ["policy", "allow", "network", "plain.example.test:80"]]);
        var request = new EgressRequest { Listener = ListenerKind.Dns, Remote = IPAddress.Loopback, Host = "plain.example.test"u8, Port = 443, FallbackPort = 80 };

        EgressVerdict verdict = fixture.Decider.Decide(in request);

        Assert.Equal((true, 80, "dns"), (verdict.LetsThrough, verdict.Port, verdict.Proxy));
    }

    [Fact]
    public void ReportMode_LetsAPolicyDenialThrough_AsWouldBlock_ButNotAnInvalidHost()
    {
        using var fixture = new DecisionFixture([["policy", "set-default", "deny-all"]], PolicyMode.Report);
        var denied = new EgressRequest { Listener = ListenerKind.Forward, Remote = IPAddress.Loopback, Host = "other.example.test"u8, Port = 443 };
        var invalid = new EgressRequest { Listener = ListenerKind.Forward, Remote = IPAddress.Loopback, Host = "a..b"u8, Port = 443 };

        EgressVerdict let = fixture.Decider.Decide(in denied);
        EgressVerdict refused = fixture.Decider.Decide(in invalid);

        Assert.Equal((true, true, EgressReason.NoMatch), (let.LetsThrough, let.WouldBlock, let.Reason));
        Assert.Equal((false, false, EgressReason.InvalidHost), (refused.LetsThrough, refused.WouldBlock, refused.Reason));
    }

    [Fact]
    public void AnAllowedVerdict_CarriesThePlan_ARefusalNone()
    {
        using var fixture = new DecisionFixture([["policy", "set-default", "deny-all"], ["policy", "allow", "network", "127.0.0.1"]]);
        var literal = new EgressRequest { Listener = ListenerKind.Forward, Remote = IPAddress.Loopback, Host = "127.0.0.1"u8, Port = 8080 };
        var other = new EgressRequest { Listener = ListenerKind.Forward, Remote = IPAddress.Loopback, Host = "127.0.0.2"u8, Port = 8080 };

        EgressVerdict allowed = fixture.Decider.Decide(in literal);
        EgressVerdict refused = fixture.Decider.Decide(in other);

        Assert.Equal(IPAddress.Loopback, allowed.Permissions.ExactAddressRule); // the rule names it: invariant 5 opens exactly it
        Assert.Null(refused.Permissions.ExactAddressRule);
        Assert.Null(allowed.Plan.Interception); // no kit binds it: relayed untouched
    }

    [Fact]
    public async Task AFaultInsideTheDecision_IsARefusalWithPolicyError_CountedAndNotThrown()
    {
        var lookup = new ThrowingLookup();
        using var fixture = new DecisionFixture([["policy", "set-default", "allow-all"]], lookup: lookup);
        var failing = new EgressRequest { Listener = ListenerKind.Forward, Remote = IPAddress.Loopback, Host = "boom.example.test"u8, Port = 443 };
        var fine = new EgressRequest { Listener = ListenerKind.Forward, Remote = IPAddress.Loopback, Host = "fine.example.test"u8, Port = 443 };

        EgressVerdict failed = fixture.Decider.Decide(in failing);
        EgressVerdict next = fixture.Decider.Decide(in fine);

        Assert.Equal((false, EgressReason.PolicyError, EgressReason.PolicyError, 403), (failed.LetsThrough, failed.Reason, failed.RuleId, failed.Status));
        Assert.Equal((true, EgressReason.Rule), (next.LetsThrough, next.Reason));
        Assert.Equal(1, lookup.Thrown);
        Scrape scrape = await Scrape.OfAsync(fixture.Metrics);
        Assert.Equal(1, scrape.Value("gateway_errors_total", ("kind", "policy_error")));
    }

    [Fact]
    public async Task ARefusalBeforeTheLookup_IdentifiesTheSandbox_AndCountsItsErrorKind()
    {
        var request = new EgressRequest { Listener = ListenerKind.TransparentHttp, Remote = DecisionFixture.TokenSandbox, Port = 80 };

        EgressVerdict verdict = _fixture.Decider.Refuse(in request, EgressReason.HeaderTimeout, 408, ErrorKind.HeaderTimeout);

        Assert.Equal(("tokened", EgressVerdict.NoHost, EgressReason.HeaderTimeout, 408, "transparent"), (verdict.Sandbox.Name, verdict.Host, verdict.Reason, verdict.Status, verdict.Proxy));
        Scrape scrape = await Scrape.OfAsync(_fixture.Metrics);
        Assert.Equal(1, scrape.Value("gateway_errors_total", ("kind", "header_timeout")));
    }

    [Fact]
    public void ANonHttpConnection_IsBlockedAsProxyNetwork()
    {
        var request = new EgressRequest { Listener = ListenerKind.TransparentHttp, Remote = IPAddress.Loopback, Port = 5432 };

        EgressVerdict verdict = _fixture.Decider.NonHttp(in request, "10.209.0.1");

        Assert.Equal((false, "network", EgressReason.NonHttp, "non-http:transparentHttp", "10.209.0.1", 5432),
            (verdict.LetsThrough, verdict.Proxy, verdict.Reason, verdict.RuleId, verdict.Host, verdict.Port));
    }

    [Theory]
    [InlineData("API.example.test", true)]
    [InlineData("api.example.test.", true)]
    [InlineData("other.example.test", false)]
    public void SameHost_ComparesNamesAfterCanonicalisation(string name, bool same)
    {
        EgressVerdict verdict = Decide(ListenerKind.Forward, IPAddress.Loopback, "api.example.test", 443);

        Assert.Equal(same, EgressDecider.SameHost(in verdict, name));
    }

    private EgressVerdict Decide(string listener, IPAddress remote, string host, int port)
    {
        var request = new EgressRequest { Listener = listener, Remote = remote, Host = Encoding.UTF8.GetBytes(host), Port = port };
        return _fixture.Decider.Decide(in request);
    }

    private EgressVerdict DecideText(string listener, IPAddress remote, string host, int port)
    {
        var request = new EgressRequest { Listener = listener, Remote = remote, HostText = host, Port = port };
        return _fixture.Decider.Decide(in request);
    }
}
