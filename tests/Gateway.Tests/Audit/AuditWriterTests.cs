using Gateway.Audit;
using Gateway.Configuration;

namespace Gateway.Tests.Audit;

public sealed class AuditWriterTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private readonly string _dir = AuditTestEvents.TempDir();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task TenThousandEventsFromFiftyConcurrentWriters_AreAllOnDiskOnceEach()
    {
        const int Writers = 50, PerWriter = 200;
        AuditConfig config = AuditTestEvents.Config(_dir);

        // A small queue, so the writers also meet back-pressure; the wait bound is far away.
        var writer = new AuditWriter(config, TimeProvider.System, options: new AuditWriterOptions { Capacity = 128, FullWait = s_timeout });
        await using (writer)
        {
            await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                for (int i = 0; i < PerWriter; i++)
                {
                    await writer.WriteAsync(AuditTestEvents.Event(host: $"w{w}.example.test", sequence: i));
                }
            }))).WaitAsync(s_timeout);
        }

        string[] lines = File.ReadAllLines(config.File);
        Assert.Equal(Writers * PerWriter, lines.Length);
        List<AuditEvent> events = AuditTestEvents.ReadEvents(config.File);
        Assert.Equal(Writers * PerWriter, events.Select(e => (e.Host, e.BytesIn)).Distinct().Count());
        foreach (IGrouping<string, AuditEvent> perWriter in events.GroupBy(e => e.Host))
        {
            // One writer's events keep their order.
            Assert.Equal(Enumerable.Range(0, PerWriter).Select(i => (long)i), perWriter.Select(e => e.BytesIn));
        }

        Assert.Equal(0, writer.Dropped);
        Assert.Equal(Writers * PerWriter, writer.Written);
        Assert.Equal(Writers * PerWriter, writer.Aggregate.Snapshot().Sum(r => r.Count));
    }

    [Fact]
    public async Task Dispose_WritesEveryQueuedEvent()
    {
        AuditConfig config = AuditTestEvents.Config(_dir);
        var writer = new AuditWriter(config, TimeProvider.System, options: new AuditWriterOptions { FlushInterval = TimeSpan.FromHours(1) });
        for (int i = 0; i < 5000; i++)
        {
            await writer.WriteAsync(AuditTestEvents.Event(sequence: i));
        }

        await writer.DisposeAsync();

        Assert.Equal(Enumerable.Range(0, 5000).Select(i => (long)i), AuditTestEvents.ReadEvents(config.File).Select(e => e.BytesIn));
        Assert.Equal(0, writer.QueueDepth);
    }

    [Fact]
    public async Task Stop_WritesEveryQueuedEvent_AndLaterEventsAreCountedAsDropped()
    {
        AuditConfig config = AuditTestEvents.Config(_dir);
        await using var writer = new AuditWriter(config, TimeProvider.System);
        for (int i = 0; i < 100; i++)
        {
            await writer.WriteAsync(AuditTestEvents.Event(sequence: i));
        }

        await writer.StopAsync(CancellationToken.None);
        await writer.WriteAsync(AuditTestEvents.Event(sequence: 100));

        Assert.Equal(100, AuditTestEvents.ReadEvents(config.File).Count);
        Assert.Equal(1, writer.Dropped);
    }

    [Fact]
    public async Task Rotation_KeepsKeepFiles_DeletesTheOldest_AndLosesNothingWithinThem()
    {
        AuditConfig config = AuditTestEvents.Config(_dir, maxFileSize: 2000, keep: 3);
        int lineLength = AuditEventJson.ToLine(AuditTestEvents.Event(sequence: 100)).Length + 1;
        var writer = new AuditWriter(config, TimeProvider.System);
        await using (writer)
        {
            for (int i = 100; i < 200; i++)
            {
                await writer.WriteAsync(AuditTestEvents.Event(sequence: i));
            }
        }

        Assert.Equal([config.File + ".3", config.File + ".2", config.File + ".1", config.File], AuditFiles.OldestFirst(config.File));
        Assert.False(File.Exists(config.File + ".4"));
        var kept = new List<long>();
        foreach (string file in AuditFiles.OldestFirst(config.File))
        {
            Assert.InRange(new FileInfo(file).Length, 1, config.MaxFileSize);
            kept.AddRange(AuditTestEvents.ReadEvents(file).Select(e => e.BytesIn));
        }

        // The newest events, consecutive, ending with the last one written; the oldest went with the deleted files.
        Assert.Equal(Enumerable.Range(200 - kept.Count, kept.Count).Select(i => (long)i), kept);
        Assert.True(kept[0] > 100);
        Assert.Equal(2000 / lineLength, AuditTestEvents.ReadEvents(config.File + ".1").Count);
    }

    [Fact]
    public async Task ExistingFile_IsAppendedTo_AfterEndingItsTornLine()
    {
        AuditConfig config = AuditTestEvents.Config(_dir);
        AuditTestEvents.AppendLines(config.File, AuditTestEvents.Event(sequence: 1));
        File.AppendAllText(config.File, "{\"time\":\"2025-");
        await using (var writer = new AuditWriter(config, TimeProvider.System))
        {
            await writer.WriteAsync(AuditTestEvents.Event(sequence: 2));
        }

        var aggregate = new AuditAggregate();
        AuditReadResult result = AuditLogReader.ReadInto(aggregate, config.File);
        Assert.Equal((2L, 1L), (result.Events, result.Malformed));
    }

    [Fact]
    public async Task FullQueue_MakesWriteWait_NotDrop()
    {
        var disk = new GatedStream();
        disk.Block();
        var writer = new AuditWriter(AuditTestEvents.Config(_dir), TimeProvider.System, options: new AuditWriterOptions
        {
            Capacity = 4,
            FullWait = s_timeout,
            OpenFile = _ => disk,
        });
        await using (writer)
        {
            await writer.WriteAsync(AuditTestEvents.Event(sequence: 0));
            await disk.FirstWriteStarted.WaitAsync(s_timeout); // the writer task holds event 0, stuck on the disk
            for (int i = 1; i <= 4; i++)
            {
                Assert.True(writer.WriteAsync(AuditTestEvents.Event(sequence: i)).IsCompletedSuccessfully);
            }

            ValueTask waiting = writer.WriteAsync(AuditTestEvents.Event(sequence: 5));
            await Task.Delay(200);

            Assert.False(waiting.IsCompleted);
            Assert.Equal((4, 1L, 0L), (writer.QueueDepth, writer.Waited, writer.Dropped));
            disk.Release();
            await waiting.AsTask().WaitAsync(s_timeout);
        }

        Assert.Equal(0, writer.Dropped);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => $"\"bytesIn\":{i},"), disk.Text().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l[l.IndexOf("\"bytesIn\"", StringComparison.Ordinal)..(l.IndexOf("\"bytesOut\"", StringComparison.Ordinal))]));
    }

    [Fact]
    public async Task FullQueue_PastTheWaitBound_DropsAndCounts()
    {
        var disk = new GatedStream();
        disk.Block();
        var writer = new AuditWriter(AuditTestEvents.Config(_dir), TimeProvider.System, options: new AuditWriterOptions
        {
            Capacity = 1,
            FullWait = TimeSpan.FromMilliseconds(300),
            OpenFile = _ => disk,
        });
        await using (writer)
        {
            await writer.WriteAsync(AuditTestEvents.Event(sequence: 0));
            await disk.FirstWriteStarted.WaitAsync(s_timeout);
            await writer.WriteAsync(AuditTestEvents.Event(sequence: 1));

            ValueTask waiting = writer.WriteAsync(AuditTestEvents.Event(sequence: 2));
            Assert.False(waiting.IsCompleted);
            Assert.Equal(0, writer.Dropped);
            await waiting.AsTask().WaitAsync(s_timeout);

            Assert.Equal((1L, 1L), (writer.Waited, writer.Dropped));
            disk.Release();
        }

        Assert.Equal(2, disk.Text().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(1, writer.Dropped);
    }

    [Fact]
    public async Task CancelledWait_CountsTheEventAsDropped()
    {
        var disk = new GatedStream();
        disk.Block();
        var writer = new AuditWriter(AuditTestEvents.Config(_dir), TimeProvider.System, options: new AuditWriterOptions
        {
            Capacity = 1,
            FullWait = s_timeout,
            OpenFile = _ => disk,
        });
        await using (writer)
        {
            await writer.WriteAsync(AuditTestEvents.Event(sequence: 0));
            await disk.FirstWriteStarted.WaitAsync(s_timeout);
            await writer.WriteAsync(AuditTestEvents.Event(sequence: 1));
            using var cancel = new CancellationTokenSource();

            ValueTask waiting = writer.WriteAsync(AuditTestEvents.Event(sequence: 2), cancel.Token);
            await cancel.CancelAsync();
            await waiting.AsTask().WaitAsync(s_timeout);

            Assert.Equal(1, writer.Dropped);
            disk.Release();
        }
    }

    [Fact]
    public async Task Watchers_SeeEachEvent_AndASlowOneLosesEventsWithoutSlowingTheFile()
    {
        AuditConfig config = AuditTestEvents.Config(_dir);
        var writer = new AuditWriter(config, TimeProvider.System, options: new AuditWriterOptions { WatcherCapacity = 2 });
        using AuditSubscription slow = writer.Subscribe();
        var seen = new List<AuditEvent>();
        using var stop = new CancellationTokenSource(s_timeout);
        Task watching = Task.Run(async () =>
        {
            await foreach (AuditEvent e in writer.Watch(stop.Token))
            {
                seen.Add(e);
            }
        });
        while (writer.WatcherCount < 2)
        {
            await Task.Delay(10);
        }

        for (int i = 0; i < 10; i++)
        {
            await writer.WriteAsync(AuditTestEvents.Event(sequence: i));

            // The fast watcher keeps up (its buffer holds 2).
            while (seen.Count < i + 1 && !stop.IsCancellationRequested)
            {
                await Task.Delay(5);
            }
        }

        await writer.DisposeAsync();
        await watching.WaitAsync(s_timeout); // the writer's stop ends every watch

        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), seen.Select(e => e.BytesIn));
        Assert.Equal(8, slow.Dropped);
        Assert.Equal(10, AuditTestEvents.ReadEvents(config.File).Count);
        Assert.Equal(0, writer.Dropped);
    }

    [Fact]
    public async Task Aggregate_IsUpdatedByTheWriter()
    {
        var writer = new AuditWriter(AuditTestEvents.Config(_dir), TimeProvider.System);
        await using (writer)
        {
            await writer.WriteAsync(AuditTestEvents.Event(seconds: 1));
            await writer.WriteAsync(AuditTestEvents.Event(seconds: 2));
            await writer.WriteAsync(AuditTestEvents.Event(host: "blocked.example.test", decision: AuditEvent.Blocked, rule: "default", seconds: 3));
        }

        IReadOnlyList<AuditLogRow> rows = await writer.ReadAggregateAsync(CancellationToken.None);
        Assert.Equal([("blocked.example.test", 1L), ("api.example.test", 2L)], rows.Select(r => (r.Host, r.Count)));
    }
}
