using Gateway.Audit;

namespace Gateway.Tests.Audit;

public sealed class AuditLogReaderTests : IDisposable
{
    private readonly string _dir = AuditTestEvents.TempDir();

    private string Live => Path.Combine(_dir, "audit.jsonl");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TornLastLine_IsIgnored()
    {
        AuditTestEvents.AppendLines(Live, AuditTestEvents.Event(seconds: 1), AuditTestEvents.Event(seconds: 2));
        string third = AuditEventJson.ToLine(AuditTestEvents.Event(seconds: 3));
        File.AppendAllText(Live, third[..(third.Length / 2)]);
        var aggregate = new AuditAggregate();

        AuditReadResult result = AuditLogReader.ReadInto(aggregate, Live);

        Assert.Equal((2L, 1L, 0L), (result.Events, result.Torn, result.Malformed));
        AuditLogRow row = Assert.Single(aggregate.Snapshot());
        Assert.Equal(2, row.Count);
        Assert.Equal(AuditTestEvents.Start.AddSeconds(2), row.LastSeen);
    }

    [Fact]
    public void CompleteLastLineWithoutNewline_IsCounted()
    {
        AuditTestEvents.AppendLines(Live, AuditTestEvents.Event(seconds: 1));
        File.AppendAllText(Live, AuditEventJson.ToLine(AuditTestEvents.Event(seconds: 2)));
        var aggregate = new AuditAggregate();

        AuditReadResult result = AuditLogReader.ReadInto(aggregate, Live);

        Assert.Equal((2L, 0L), (result.Events, result.Torn));
    }

    [Fact]
    public void MalformedLineInTheMiddle_IsSkippedAndCounted()
    {
        AuditTestEvents.AppendLines(Live, AuditTestEvents.Event(seconds: 1));
        File.AppendAllText(Live, "{\"time\":\"2025-01-29T10:15:00+00:00\",\"sand\n\n");
        AuditTestEvents.AppendLines(Live, AuditTestEvents.Event(seconds: 2));
        var aggregate = new AuditAggregate();

        AuditReadResult result = AuditLogReader.ReadInto(aggregate, Live);

        Assert.Equal((2L, 1L), (result.Events, result.Malformed));
    }

    [Fact]
    public void RotatedFiles_AreReadOldestFirst_ThenTheLiveFile()
    {
        AuditTestEvents.AppendLines(Live + ".2", AuditTestEvents.Event(host: "a.example.test", seconds: 1));
        AuditTestEvents.AppendLines(Live + ".1", AuditTestEvents.Event(host: "b.example.test", seconds: 2));
        AuditTestEvents.AppendLines(Live, AuditTestEvents.Event(host: "a.example.test", seconds: 3), AuditTestEvents.Event(host: "a.example.test", port: 80, seconds: 4));
        File.WriteAllText(Live + ".bak", "not an audit file\n");

        Assert.Equal([Live + ".2", Live + ".1", Live], AuditFiles.OldestFirst(Live));
        var aggregate = new AuditAggregate();
        AuditReadResult result = AuditLogReader.ReadInto(aggregate, Live);

        Assert.Equal((3, 4L), (result.Files, result.Events));
        List<AuditLogRow> rows = aggregate.Snapshot();
        Assert.Equal(["a.example.test", "b.example.test"], rows.Select(r => r.Host));
        Assert.Equal((3L, AuditTestEvents.Start.AddSeconds(1), AuditTestEvents.Start.AddSeconds(4)), (rows[0].Count, rows[0].FirstSeen, rows[0].LastSeen));
    }

    [Fact]
    public void NoFiles_IsAnEmptyView()
    {
        var aggregate = new AuditAggregate();

        AuditReadResult result = AuditLogReader.ReadInto(aggregate, Path.Combine(_dir, "missing", "audit.jsonl"));

        Assert.Equal((0, 0L), (result.Files, result.Events));
        Assert.Empty(aggregate.Snapshot());
    }
}
