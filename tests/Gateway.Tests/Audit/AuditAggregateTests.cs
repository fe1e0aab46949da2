using Gateway.Audit;

namespace Gateway.Tests.Audit;

public sealed class AuditAggregateTests
{
    [Fact]
    public void Events_AreGroupedBySandboxTypeHostProxyRuleAndDecision()
    {
        var aggregate = new AuditAggregate();
        aggregate.Add(AuditTestEvents.Event(seconds: 10));
        aggregate.Add(AuditTestEvents.Event(seconds: 30));
        aggregate.Add(AuditTestEvents.Event(seconds: 20));
        aggregate.Add(AuditTestEvents.Event(seconds: 5, decision: AuditEvent.Blocked, rule: "default"));
        aggregate.Add(AuditTestEvents.Event(seconds: 6, sandbox: "other"));
        aggregate.Add(AuditTestEvents.Event(seconds: 7, proxy: AuditEvent.TransparentProxy));

        List<AuditLogRow> rows = aggregate.Snapshot();

        Assert.Equal(4, rows.Count);
        AuditLogRow first = rows[0];
        Assert.Equal(("dev", "api.example.test", "forward", "local", "allowed", 3L), (first.Sandbox, first.Host, first.Proxy, first.Rule, first.Decision, first.Count));
        Assert.Equal(AuditTestEvents.Start.AddSeconds(10), first.FirstSeen);
        Assert.Equal(AuditTestEvents.Start.AddSeconds(30), first.LastSeen);
        Assert.Equal(443, first.Port);
    }

    [Fact]
    public void Snapshot_IsMostRecentlySeenFirst()
    {
        var aggregate = new AuditAggregate();
        aggregate.Add(AuditTestEvents.Event(host: "a.example.test", seconds: 1));
        aggregate.Add(AuditTestEvents.Event(host: "b.example.test", seconds: 3));
        aggregate.Add(AuditTestEvents.Event(host: "c.example.test", seconds: 2));

        Assert.Equal(["b.example.test", "c.example.test", "a.example.test"], aggregate.Snapshot().Select(r => r.Host));
    }

    [Fact]
    public void Group_WithDifferentPorts_HasNoPort()
    {
        var aggregate = new AuditAggregate();
        aggregate.Add(AuditTestEvents.Event(port: 443));
        aggregate.Add(AuditTestEvents.Event(port: 8443));

        Assert.Null(Assert.Single(aggregate.Snapshot()).Port);
    }

    [Fact]
    public void PastTheBound_TheLeastRecentlySeenGroupIsEvicted()
    {
        var aggregate = new AuditAggregate(maxGroups: 2);
        aggregate.Add(AuditTestEvents.Event(host: "a.example.test", seconds: 1));
        aggregate.Add(AuditTestEvents.Event(host: "b.example.test", seconds: 2));
        aggregate.Add(AuditTestEvents.Event(host: "a.example.test", seconds: 3));
        aggregate.Add(AuditTestEvents.Event(host: "c.example.test", seconds: 4));

        Assert.Equal(["c.example.test", "a.example.test"], aggregate.Snapshot().Select(r => r.Host));
        Assert.Equal(1, aggregate.Evicted);
        Assert.Equal(2, aggregate.Count);
    }

    [Fact]
    public void OneSandboxsFloodOfHosts_EvictsOnlyItsOwnRows_PastItsBound()
    {
        var aggregate = new AuditAggregate(maxGroups: 1000, maxGroupsPerSandbox: 50);
        aggregate.Add(AuditTestEvents.Event(sandbox: "quiet", host: "kept.example.test", seconds: 0));
        for (int i = 0; i < 5000; i++)
        {
            aggregate.Add(AuditTestEvents.Event(sandbox: "flood", host: $"r{i}.example.test", decision: AuditEvent.Blocked, rule: "default", seconds: 1));
        }

        List<AuditLogRow> rows = aggregate.Snapshot();
        Assert.Contains(rows, r => r.Sandbox == "quiet" && r.Host == "kept.example.test");
        Assert.Equal(50, rows.Count(r => r.Sandbox == "flood"));
        Assert.Contains(rows, r => r.Host == "r4999.example.test"); // the flooder keeps its newest rows
        Assert.Equal(5000 - 50, aggregate.Evicted);
    }

    [Fact]
    public void PastTheBoundInAll_TheSandboxWithTheMostRowsPaysForIt()
    {
        var aggregate = new AuditAggregate(maxGroups: 10, maxGroupsPerSandbox: 8);
        aggregate.Add(AuditTestEvents.Event(sandbox: "a", host: "a1.example.test"));
        aggregate.Add(AuditTestEvents.Event(sandbox: "a", host: "a2.example.test"));
        for (int i = 0; i < 8; i++)
        {
            aggregate.Add(AuditTestEvents.Event(sandbox: "b", host: $"b{i}.example.test", seconds: 1));
        }

        aggregate.Add(AuditTestEvents.Event(sandbox: "c", host: "c1.example.test", seconds: 2));

        List<AuditLogRow> rows = aggregate.Snapshot();
        Assert.Equal(10, rows.Count);
        Assert.Equal(2, rows.Count(r => r.Sandbox == "a"));
        Assert.Equal(7, rows.Count(r => r.Sandbox == "b"));
        Assert.DoesNotContain(rows, r => r.Host == "b0.example.test");
        Assert.Single(rows, r => r.Sandbox == "c");
    }

    [Fact]
    public void ASummaryLine_CountsAsTheEventsItStandsFor()
    {
        var aggregate = new AuditAggregate();
        aggregate.Add(AuditTestEvents.Event(host: AuditRefusalLimiter.SummaryHost, decision: AuditEvent.Blocked, rule: AuditRefusalLimiter.SummaryRule) with { Suppressed = 4321 });

        Assert.Equal(4321, Assert.Single(aggregate.Snapshot()).Count);
    }
}
