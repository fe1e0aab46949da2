using System.Threading.RateLimiting;
using Gateway.Sandboxes;
using PolicyCompiler.Budgets;

namespace Gateway.Tests.Sandboxes;

/// <summary>One sandbox's limiters: slots held while open and given back on dispose, rates refused past their burst, uploads charged in KiB.</summary>
public sealed class SandboxBudgetTests
{
    [Fact]
    public void Connections_AreHeldWhileOpen_AndComeBackWhenTheLeaseIsDisposed()
    {
        using var budget = new SandboxBudget(new BudgetLimits(2, null, null, null));

        BudgetKind a = budget.TryOpenConnection(out RateLimitLease? first);
        BudgetKind b = budget.TryOpenConnection(out RateLimitLease? second);
        BudgetKind c = budget.TryOpenConnection(out RateLimitLease? third);
        first!.Dispose();
        BudgetKind d = budget.TryOpenConnection(out RateLimitLease? fourth);

        Assert.Equal((BudgetKind.None, BudgetKind.None, BudgetKind.Connections, BudgetKind.None), (a, b, c, d));
        Assert.Null(third);
        second!.Dispose();
        fourth!.Dispose();
    }

    [Fact]
    public void ConnectionsPerSecond_RefusesPastItsBurst_AndGivesBackTheSlotItTook()
    {
        using var budget = new SandboxBudget(new BudgetLimits(10, 3, null, null));
        var leases = new List<RateLimitLease?>();
        var outcomes = new List<BudgetKind>();
        for (int i = 0; i < 6; i++)
        {
            outcomes.Add(budget.TryOpenConnection(out RateLimitLease? lease));
            leases.Add(lease);
        }

        // A refill may land between two attempts (the bucket refills every second): at least the 4th..6th cannot all pass.
        Assert.Equal([BudgetKind.None, BudgetKind.None, BudgetKind.None], outcomes[..3]);
        Assert.Contains(BudgetKind.ConnectionsPerSecond, outcomes);
        Assert.All(outcomes.Zip(leases), p => Assert.Equal(p.First == BudgetKind.None, p.Second is not null));
        leases.ForEach(l => l?.Dispose());
    }

    [Fact]
    public void RequestsPerSecond_RefusesPastItsBurst()
    {
        using var budget = new SandboxBudget(new BudgetLimits(null, null, 5, null));
        var outcomes = new List<BudgetKind>();
        for (int i = 0; i < 20; i++)
        {
            outcomes.Add(budget.TryAdmitRequest(contentLength: null));
        }

        Assert.Equal(Enumerable.Repeat(BudgetKind.None, 5), outcomes[..5]);
        Assert.Contains(BudgetKind.RequestsPerSecond, outcomes);
        Assert.True(outcomes.Count(o => o == BudgetKind.None) < 20);
    }

    [Fact]
    public void DeclaredUploads_AreChargedUpFront_AndOneThatWouldNotFitIsRefusedWhole()
    {
        using var budget = new SandboxBudget(new BudgetLimits(null, null, null, 10 * 1024));

        BudgetKind first = budget.TryAdmitRequest(6 * 1024);
        BudgetKind tooBig = budget.TryAdmitRequest(5 * 1024);
        BudgetKind fits = budget.TryAdmitRequest(4 * 1024);
        BudgetKind empty = budget.TryAdmitRequest(0);
        BudgetKind larger = budget.TryAdmitRequest(1L << 40);

        Assert.Equal((BudgetKind.None, BudgetKind.UploadBytesPerHour, BudgetKind.None), (first, tooBig, fits));
        Assert.Equal(BudgetKind.UploadBytesPerHour, empty); // the window is used up: even a bodiless request waits for the next hour
        Assert.Equal(BudgetKind.UploadBytesPerHour, larger);
    }

    [Fact]
    public void StreamedUploads_AreChargedAsRead_UntilTheWindowIsUsedUp()
    {
        using var budget = new SandboxBudget(new BudgetLimits(null, null, null, 3 * 1024));

        Assert.True(budget.MetersUploads);
        Assert.True(budget.TryChargeUpload(1));
        Assert.True(budget.TryChargeUpload(1));
        Assert.False(budget.TryChargeUpload(2));
        Assert.False(budget.TryChargeUpload(1)); // the cut-short body used up the last KiB
    }

    [Fact]
    public void ALimiterDisposedByAReload_NeverThrowsOnTheDataPath()
    {
        var budget = new SandboxBudget(new BudgetLimits(1, 1, 1, 1024));
        budget.TryOpenConnection(out RateLimitLease? open);
        budget.Dispose();

        // An open connection's slot given back after its limiter was replaced, and a request that
        // raced the replacement: neither may fail the connection.
        Assert.Null(Record.Exception(() => open!.Dispose()));
        Assert.Null(Record.Exception(() => budget.TryOpenConnection(out _)));
        Assert.Null(Record.Exception(() => budget.TryAdmitRequest(10)));
        Assert.Null(Record.Exception(() => budget.TryChargeUpload(5)));
    }

    [Fact]
    public void AStreamedUploadCutShort_UsesUpTheWindow()
    {
        using var budget = new SandboxBudget(new BudgetLimits(null, null, null, 8 * 1024));

        bool cut = budget.TryChargeUpload(16);

        Assert.False(cut);
        Assert.Equal(BudgetKind.UploadBytesPerHour, budget.TryAdmitRequest(1));
    }
}
