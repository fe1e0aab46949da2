using Gateway.Audit;

namespace Gateway.Tests.Audit;

public sealed class AuditRefusalLimiterTests
{
    // Timestamps in milliseconds: the limiter is told the clock's frequency.
    private const long Frequency = 1000;

    private static AuditRefusalLimiter Limiter(int perSecond = 10, int burst = 5, int summarySeconds = 10) =>
        new(perSecond, burst, TimeSpan.FromSeconds(summarySeconds), Frequency);

    private static AuditEvent Refusal(string sandbox = "flood", string host = "x.example.test", string proxy = AuditEvent.ForwardProxy, int seconds = 0) =>
        AuditTestEvents.Event(host: host, sandbox: sandbox, decision: AuditEvent.Blocked, rule: "default", proxy: proxy, seconds: seconds);

    private static int AdmitMany(AuditRefusalLimiter limiter, int count, long now, string sandbox = "flood")
    {
        int admitted = 0;
        for (int i = 0; i < count; i++)
        {
            if (limiter.Admit(Refusal(sandbox, host: $"h{i}.example.test"), now, out _, out _))
            {
                admitted++;
            }
        }

        return admitted;
    }

    [Fact]
    public void RefusalsPastTheBurst_AreSuppressed_AndCounted()
    {
        AuditRefusalLimiter limiter = Limiter();

        Assert.Equal(5, AdmitMany(limiter, 20, now: 0));
        Assert.Equal(15, limiter.Suppressed);
        Assert.True(limiter.HasPending);
    }

    [Fact]
    public void Tokens_ComeBackAtTheRate()
    {
        AuditRefusalLimiter limiter = Limiter(perSecond: 2, burst: 5);
        AdmitMany(limiter, 5, now: 0);

        Assert.Equal(0, AdmitMany(limiter, 3, now: 0));
        Assert.Equal(2, AdmitMany(limiter, 30, now: 1000));
        Assert.Equal(5, AdmitMany(limiter, 30, now: 60_000)); // never more than the burst, however long the pause
    }

    [Fact]
    public void Sweep_AfterTheInterval_GivesOneSummaryPerSandbox_WithWhatItStandsFor()
    {
        AuditRefusalLimiter limiter = Limiter(perSecond: 1, burst: 1);
        limiter.Admit(Refusal(seconds: 1), 0, out _, out _);
        limiter.Admit(Refusal(seconds: 2), 0, out _, out _);
        limiter.Admit(Refusal(seconds: 5, host: "y.example.test"), 100, out _, out _);
        var summaries = new List<AuditEvent>();

        limiter.Sweep(9_000, all: false, summaries);
        Assert.Empty(summaries);
        limiter.Sweep(10_000, all: false, summaries);

        AuditEvent summary = Assert.Single(summaries);
        Assert.Equal(("flood", AuditRefusalLimiter.SummaryHost, AuditRefusalLimiter.SummaryRule, AuditRefusalLimiter.SummaryRule, AuditEvent.Blocked, AuditEvent.ForwardProxy, 2L),
            (summary.Sandbox, summary.Host, summary.Rule, summary.RuleId, summary.Decision, summary.Proxy, summary.Suppressed));
        Assert.Equal(AuditTestEvents.Start.AddSeconds(5), summary.Time);
        Assert.Equal(3000, summary.DurationMs);
        Assert.False(limiter.HasPending);
    }

    [Fact]
    public void AnAdmittedEvent_AfterTheInterval_BringsItsSandboxsSummaryFirst()
    {
        AuditRefusalLimiter limiter = Limiter(perSecond: 1, burst: 1, summarySeconds: 10);
        AdmitMany(limiter, 4, now: 0);

        Assert.True(limiter.Admit(Refusal(), 5_000, out _, out bool early));
        Assert.False(early);
        AdmitMany(limiter, 2, now: 5_000);
        Assert.True(limiter.Admit(Refusal(), 11_000, out AuditEvent summary, out bool due));

        Assert.True(due);
        Assert.Equal(5, summary.Suppressed);
    }

    [Fact]
    public void AllowedConnections_AreNeverLimited_DnsQueriesAre_WhateverTheDecision()
    {
        AuditRefusalLimiter limiter = Limiter(burst: 1);
        for (int i = 0; i < 10; i++)
        {
            Assert.True(limiter.Admit(AuditTestEvents.Event(sandbox: "busy"), 0, out _, out _));
        }

        Assert.True(limiter.Admit(AuditTestEvents.Event(sandbox: "busy", proxy: AuditEvent.DnsProxy), 0, out _, out _));
        Assert.False(limiter.Admit(AuditTestEvents.Event(sandbox: "busy", proxy: AuditEvent.DnsProxy), 0, out _, out _));
        Assert.Equal(1, limiter.Suppressed);
    }

    [Fact]
    public void OneSandboxsFlood_LeavesAnotherSandboxsBurstWhole()
    {
        AuditRefusalLimiter limiter = Limiter(burst: 5);
        AdmitMany(limiter, 10_000, now: 0, sandbox: "flood");

        Assert.Equal(5, AdmitMany(limiter, 5, now: 0, sandbox: "quiet"));
    }

    [Fact]
    public void ASummaryOfMixedProxies_NamesNone()
    {
        AuditRefusalLimiter limiter = Limiter(burst: 1);
        limiter.Admit(Refusal(), 0, out _, out _);
        limiter.Admit(Refusal(proxy: AuditEvent.DnsProxy), 0, out _, out _);
        limiter.Admit(Refusal(proxy: AuditEvent.ForwardProxy), 0, out _, out _);
        var summaries = new List<AuditEvent>();

        limiter.Sweep(0, all: true, summaries);

        Assert.Equal(AuditRefusalLimiter.SummaryHost, Assert.Single(summaries).Proxy);
    }
}
