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
}
