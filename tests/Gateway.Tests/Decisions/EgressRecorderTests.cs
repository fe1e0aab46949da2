using Gateway.Audit;
using Gateway.Configuration;
using Gateway.Decisions;
using Gateway.Dialing;
using Gateway.Listeners;
using Gateway.Sandboxes;
using Gateway.Tests.Audit;

namespace Gateway.Tests.Decisions;

/// <summary>One verdict and its outcome become one audit event; refusals go through the per-sandbox refusal rate like any other.</summary>
public sealed class EgressRecorderTests : IDisposable
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
    private readonly string _dir = AuditTestEvents.TempDir();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void AnAllowedVerdict_IsAnAllowedEvent_WithListenerReasonRuleAndOutcome()
    {
        EgressVerdict verdict = Allowed();

        AuditEvent e = EgressRecorder.ToEvent(in verdict, new EgressOutcome(200, 10, 20, ViaSocks5: true, Injected: "code-host"), s_now);

        Assert.Equal(("dev", "api.example.test", 443, "forward", ListenerKind.Forward, "local", "local:1", EgressReason.Rule, AuditEvent.Allowed),
            (e.Sandbox, e.Host, e.Port, e.Proxy, e.Listener, e.Rule, e.RuleId, e.Reason, e.Decision));
        Assert.Equal((200, 10L, 20L, "code-host", AuditEvent.Socks5Upstream, false), (e.Status, e.BytesIn, e.BytesOut, e.Injected, e.Upstream, e.WouldBlock));
        Assert.Equal(s_now, e.Time);
    }

    [Fact]
    public void ADialTheEgressGuardRefused_IsBlockedWithReasonEgressGuard_WhateverThePolicySaid()
    {
        EgressVerdict verdict = Allowed() with { WouldBlock = true };

        AuditEvent e = EgressRecorder.ToEvent(in verdict, new EgressOutcome(403, DialError: EgressError.RefusedAddress), s_now);

        Assert.Equal((AuditEvent.Blocked, "egress-guard", "egress-guard", EgressReason.EgressGuard, false, 403),
            (e.Decision, e.Rule, e.RuleId, e.Reason, e.WouldBlock, e.Status));
    }

    [Fact]
    public void ADenialReportModeLetThrough_IsAllowedAndWouldBlock_WithTheRuleThatWouldHaveBlocked()
    {
        EgressVerdict verdict = Allowed() with { WouldBlock = true, Reason = EgressReason.NoMatch, Rule = "default", RuleId = "no-match" };

        AuditEvent e = EgressRecorder.ToEvent(in verdict, new EgressOutcome(200), s_now);

        Assert.Equal((AuditEvent.Allowed, true, EgressReason.NoMatch, "no-match"), (e.Decision, e.WouldBlock, e.Reason, e.RuleId));
    }

    [Fact]
    public void ARefusal_IsBlocked_WithItsReasonAsRule_AndTheStatusTheClientSaw()
    {
        var verdict = new EgressVerdict
        {
            Sandbox = Sandbox.Unknown,
            Host = EgressVerdict.NoHost,
            Port = 443,
            Listener = ListenerKind.TransparentTls,
            Reason = EgressReason.ConnectionLimit,
            Status = 503,
            Rule = EgressReason.ConnectionLimit,
            RuleId = EgressReason.ConnectionLimit,
        };

        AuditEvent e = EgressRecorder.ToEvent(in verdict, EgressOutcome.Refused(503), s_now);

        Assert.Equal(("unknown", "-", AuditEvent.Blocked, "connection-limit", "connection-limit", 503, 0L),
            (e.Sandbox, e.Host, e.Decision, e.Reason, e.RuleId, e.Status, e.DurationMs));
    }

    [Fact]
    public async Task Refusals_PastTheSandboxBurst_AreSummarised_NotWrittenOneByOne()
    {
        AuditConfig config = AuditTestEvents.Config(_dir) with { RefusalBurst = 3, RefusalsPerSecond = 1 };
        var writer = new AuditWriter(config, new AuditClock(AuditTestEvents.Start));
        await using (writer)
        {
            var recorder = new EgressRecorder(writer, TimeProvider.System);
            EgressVerdict refusal = Allowed() with { LetsThrough = false, Reason = EgressReason.ProxyAuth, Rule = EgressReason.ProxyAuth, RuleId = EgressReason.ProxyAuth, Status = 407 };
            for (int i = 0; i < 10; i++)
            {
                await recorder.RecordAsync(in refusal, EgressOutcome.Refused(407)).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }

        List<AuditEvent> lines = AuditTestEvents.ReadEvents(config.File);
        Assert.Equal(3, lines.Count(e => e.Suppressed == 0 && e.Reason == EgressReason.ProxyAuth));
        Assert.Equal(7, lines.Sum(e => e.Suppressed));
    }

    [Fact]
    public void TheReasonSet_IsClosed_ButTakesNamedBudgetsAndDlpPatterns()
    {
        foreach (string reason in EgressReason.Fixed)
        {
            Assert.True(EgressReason.IsKnown(reason), reason);
        }

        Assert.True(EgressReason.IsKnown("budget:connections"));
        Assert.True(EgressReason.IsKnown("dlp:aws-access-key"));
        Assert.False(EgressReason.IsKnown("budget:"));
        Assert.False(EgressReason.IsKnown("because"));
    }

    private static EgressVerdict Allowed() => new()
    {
        Sandbox = new Sandbox("dev", [], [], null, registered: false),
        Host = "api.example.test",
        Port = 443,
        Listener = ListenerKind.Forward,
        Reason = EgressReason.Rule,
        LetsThrough = true,
        Status = 200,
        Rule = "local",
        RuleId = "local:1",
        Started = 0,
    };
}
