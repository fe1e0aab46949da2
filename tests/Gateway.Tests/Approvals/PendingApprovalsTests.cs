using Gateway.Approvals;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Approvals;

/// <summary>The store of ask mode: de-duplication, the per-sandbox bound, expiry, answers (issue 20 point 3).</summary>
public sealed class PendingApprovalsTests
{
    private static readonly TimeSpan s_holdFor = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 1, 0, 0, TimeSpan.Zero));
    private readonly List<int> _counts = [];

    [Fact]
    public void OneApproval_HoldsAtMostMaxWaitersConnections_AndTakesMoreWhenOneLeaves()
    {
        using PendingApprovals store = Store(maxPerSandbox: 16);
        Assert.Equal(HoldStatus.Created, store.TryHold("dev", "api.example.test", 443, "forward", "forward", out PendingApproval? first));
        for (int i = 1; i < PendingApprovals.MaxWaiters; i++)
        {
            Assert.Equal(HoldStatus.Joined, store.TryHold("dev", "api.example.test", 443, "forward", "forward", out _));
        }

        // One more connection to the same host would park another connection slot: refused at once.
        Assert.Equal(HoldStatus.Full, store.TryHold("dev", "api.example.test", 443, "forward", "forward", out PendingApproval? refused));
        Assert.Null(refused);

        store.Leave(first!);
        Assert.Equal(HoldStatus.Joined, store.TryHold("dev", "api.example.test", 443, "forward", "forward", out PendingApproval? again));
        Assert.Same(first, again);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void TheSameSandboxHostAndPort_JoinOneApproval_OthersGetTheirOwn()
    {
        using PendingApprovals store = Store(maxPerSandbox: 16);

        Assert.Equal(HoldStatus.Created, store.TryHold("dev", "api.example.test", 443, "forward", "forward", out PendingApproval? first));
        Assert.Equal(HoldStatus.Joined, store.TryHold("dev", "api.example.test", 443, "transparent", "transparentTls", out PendingApproval? joined));
        Assert.Equal(HoldStatus.Created, store.TryHold("dev", "api.example.test", 8443, "forward", "forward", out PendingApproval? otherPort));
        Assert.Equal(HoldStatus.Created, store.TryHold("ci", "api.example.test", 443, "forward", "forward", out PendingApproval? otherSandbox));

        Assert.Same(first, joined);
        Assert.Equal(3, new HashSet<string>([first!.Id, otherPort!.Id, otherSandbox!.Id]).Count);
        Assert.Equal(3, store.Count);
        Assert.Equal([1, 2, 3], _counts);
        Assert.Equal(("dev", "api.example.test", 443, "forward", _time.GetUtcNow(), _time.GetUtcNow() + s_holdFor),
            (first.Sandbox, first.Host, first.Port, first.Proxy, first.Since, first.Expires));
    }

    [Fact]
    public void AFloodOfUnknownHosts_StopsAtTheBound_PerSandbox()
    {
        using PendingApprovals store = Store(maxPerSandbox: 4);

        var statuses = new List<HoldStatus>();
        for (int i = 0; i < 1000; i++)
        {
            statuses.Add(store.TryHold("dev", $"h{i}.example.test", 443, "forward", "forward", out _));
        }

        Assert.Equal(4, statuses.Count(s => s == HoldStatus.Created));
        Assert.Equal(996, statuses.Count(s => s == HoldStatus.Full));
        Assert.Equal(4, store.Count);

        // Another sandbox has a quota of its own, and an answer frees a place.
        Assert.Equal(HoldStatus.Created, store.TryHold("ci", "h0.example.test", 443, "forward", "forward", out _));
        store.Resolve(store.List()[0].Id, ApprovalOutcome.Rejected);
        Assert.Equal(HoldStatus.Created, store.TryHold("dev", "later.example.test", 443, "forward", "forward", out _));
    }

    [Fact]
    public async Task AtHoldFor_EveryWaiterTimesOut_AndThePlaceIsFreed()
    {
        using PendingApprovals store = Store(maxPerSandbox: 1);
        store.TryHold("dev", "api.example.test", 443, "forward", "forward", out PendingApproval? pending);

        _time.Advance(s_holdFor - TimeSpan.FromMilliseconds(1));
        Assert.False(pending!.Outcome.IsCompleted);
        Assert.Equal(HoldStatus.Full, store.TryHold("dev", "other.example.test", 443, "forward", "forward", out _));

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(ApprovalOutcome.TimedOut, await pending.Outcome.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, store.Count);
        Assert.Null(store.Find(pending.Id));
        Assert.Equal([1, 0], _counts);
        Assert.Equal(HoldStatus.Created, store.TryHold("dev", "other.example.test", 443, "forward", "forward", out _));
    }

    [Fact]
    public async Task AnAnswer_ReleasesTheWaiters_Once_AndTheTimerNoLongerFires()
    {
        using PendingApprovals store = Store(maxPerSandbox: 16);
        store.TryHold("dev", "api.example.test", 443, "forward", "forward", out PendingApproval? pending);

        PendingApproval? approved = store.Resolve(pending!.Id, ApprovalOutcome.Approved);
        PendingApproval? again = store.Resolve(pending.Id, ApprovalOutcome.Rejected);
        _time.Advance(s_holdFor * 2);

        Assert.Same(pending, approved);
        Assert.Null(again);
        Assert.Equal(ApprovalOutcome.Approved, await pending.Outcome.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Empty(store.List());
    }

    [Fact]
    public void Ids_AreShortLowerCaseAndUnambiguous()
    {
        using PendingApprovals store = Store(maxPerSandbox: 1024);
        var ids = new HashSet<string>();
        for (int i = 0; i < 500; i++)
        {
            store.TryHold("dev", $"h{i}.example.test", 443, "forward", "forward", out PendingApproval? pending);
            ids.Add(pending!.Id);
        }

        Assert.Equal(500, ids.Count);
        Assert.All(ids, id => Assert.Matches("^[a-km-np-z2-9]{8}$", id));
    }

    [Fact]
    public async Task Disposing_EndsEveryWaitAsTimedOut()
    {
        PendingApprovals store = Store(maxPerSandbox: 16);
        store.TryHold("dev", "api.example.test", 443, "forward", "forward", out PendingApproval? pending);

        store.Dispose();

        Assert.Equal(ApprovalOutcome.TimedOut, await pending!.Outcome.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private PendingApprovals Store(int maxPerSandbox) => new(_time, s_holdFor, maxPerSandbox, _counts.Add);
}
