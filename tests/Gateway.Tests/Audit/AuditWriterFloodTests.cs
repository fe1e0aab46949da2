using Gateway.Audit;
using Gateway.Configuration;

namespace Gateway.Tests.Audit;

/// <summary>What one sandbox's flood of refusals costs the audit file, and what rotation deletes.</summary>
public sealed class AuditWriterFloodTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private readonly string _dir = AuditTestEvents.TempDir();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task RefusalFlood_WritesItsBurstAndOneSummaryLine_WhileTheAggregateCountsEveryEvent()
    {
        AuditConfig config = AuditTestEvents.Config(_dir) with { RefusalBurst = 50, RefusalsPerSecond = 10 };
        var clock = new AuditClock(AuditTestEvents.Start); // stopped: no token comes back during the flood
        var writer = new AuditWriter(config, clock);
        await using (writer)
        {
            await writer.WriteAsync(AuditTestEvents.Event(sandbox: "quiet", decision: AuditEvent.Blocked, rule: "default"));
            for (int i = 0; i < 5000; i++)
            {
                await writer.WriteAsync(AuditTestEvents.Event(sandbox: "flood", host: $"r{i}.example.test", decision: AuditEvent.Blocked, rule: "default", proxy: AuditEvent.DnsProxy));
            }
        }

        List<AuditEvent> lines = AuditTestEvents.ReadEvents(config.File);
        Assert.Single(lines, e => e.Sandbox == "quiet");
        Assert.Equal(50, lines.Count(e => e.Sandbox == "flood" && e.Suppressed == 0));
        AuditEvent summary = Assert.Single(lines, e => e.Suppressed > 0);
        Assert.Equal(("flood", 4950L, AuditEvent.DnsProxy, AuditRefusalLimiter.SummaryRule), (summary.Sandbox, summary.Suppressed, summary.Proxy, summary.Rule));
        Assert.Equal(4950, writer.Suppressed);
        Assert.Equal(5001, writer.Aggregate.Snapshot().Sum(r => r.Count));
        Assert.Equal(0, writer.Dropped);
    }

    [Fact]
    public async Task SuppressedRefusals_GetTheirSummaryLine_AfterTheSandboxGoesQuiet()
    {
        AuditConfig config = AuditTestEvents.Config(_dir) with { RefusalBurst = 1, RefusalsPerSecond = 1 };
        await using var writer = new AuditWriter(config, TimeProvider.System, options: new AuditWriterOptions { SummaryInterval = TimeSpan.FromMilliseconds(200) });
        for (int i = 0; i < 20; i++)
        {
            await writer.WriteAsync(AuditTestEvents.Event(sandbox: "flood", decision: AuditEvent.Blocked, rule: "default"));
        }

        // No event follows: the writer wakes on its own to write the summary.
        using var deadline = new CancellationTokenSource(s_timeout);
        long summarised = 0;
        while (summarised == 0)
        {
            await Task.Delay(50, deadline.Token);
            summarised = File.Exists(config.File) ? AuditTestEvents.ReadEvents(config.File).Sum(e => e.Suppressed) : 0;
        }

        Assert.Equal(writer.Suppressed, summarised);
        Assert.InRange(summarised, 1, 19);
    }

    [Fact]
    public async Task Rotation_CountsTheEventsItDeletes_AndHowLongTheyHadBeenKept()
    {
        AuditConfig config = AuditTestEvents.Config(_dir, maxFileSize: 2000, keep: 1);
        var clock = new AuditClock(AuditTestEvents.Start);
        var writer = new AuditWriter(config, clock);
        await using (writer)
        {
            Assert.Null(writer.Retention);
            for (int i = 0; i < 100; i++)
            {
                await writer.WriteAsync(AuditTestEvents.Event(seconds: i, sequence: i));
                await WaitUntilAsync(() => writer.Aggregate.Snapshot().Sum(r => r.Count) == i + 1);
                clock.Advance(TimeSpan.FromSeconds(1));
            }
        }

        int kept = AuditFiles.OldestFirst(config.File).Sum(f => AuditTestEvents.ReadEvents(f).Count);
        Assert.Equal(100 - kept, writer.RotatedEvents);
        Assert.True(writer.RotatedEvents > 0);

        // The clock moved a second per event, so the events deleted had been kept for whole seconds, never for nothing.
        Assert.NotNull(writer.Retention);
        Assert.InRange(writer.Retention!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(100));
    }

    [Fact]
    public async Task Rotation_OfFilesAnEarlierRunLeft_CountsTheirLines()
    {
        AuditConfig config = AuditTestEvents.Config(_dir, maxFileSize: 1500, keep: 1);
        AuditEvent[] earlier = [.. Enumerable.Range(0, 7).Select(i => AuditTestEvents.Event(seconds: i, sequence: i))];
        AuditTestEvents.AppendLines(AuditFiles.Rotated(config.File, 1), earlier);
        var clock = new AuditClock(AuditTestEvents.Start.AddHours(2));
        var writer = new AuditWriter(config, clock);
        await using (writer)
        {
            for (int i = 0; i < 20; i++)
            {
                await writer.WriteAsync(AuditTestEvents.Event(seconds: 7200 + i, sequence: i));
            }
        }

        int kept = AuditFiles.OldestFirst(config.File).Sum(f => AuditTestEvents.ReadEvents(f).Count);
        Assert.Equal(27 - kept, writer.RotatedEvents);
        Assert.True(writer.RotatedEvents >= 7);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(s_timeout);
        while (!condition())
        {
            await Task.Delay(5, deadline.Token);
        }
    }
}
