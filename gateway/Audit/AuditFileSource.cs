using System.Runtime.CompilerServices;
using Gateway.Configuration;

namespace Gateway.Audit;

/// <summary>
/// <c>policy log</c> with no daemon: the aggregate read from the audit files, and
/// <c>--follow</c> as a tail of the live file (polled every <see cref="PollInterval"/>,
/// following it across rotation).
/// </summary>
internal sealed class AuditFileSource(AuditConfig config, TimeProvider time) : IAuditSource
{
    /// <summary>How often <see cref="FollowAsync"/> looks for appended lines.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>What the last <see cref="ReadAggregateAsync"/> found (skipped lines, for a warning).</summary>
    public AuditReadResult? LastRead { get; private set; }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<AuditLogRow>> ReadAggregateAsync(CancellationToken cancellation)
    {
        // The CLI reads every event ever kept, so no group is evicted here.
        var aggregate = new AuditAggregate(int.MaxValue);
        LastRead = AuditLogReader.ReadInto(aggregate, config.File);
        return ValueTask.FromResult<IReadOnlyList<AuditLogRow>>(aggregate.Snapshot());
    }

    /// <summary>
    /// Lines appended to the live file from now on. A file that does not exist yet is waited
    /// for and read from its start; after a rotation the old file is read to its end, then
    /// the new one from its start.
    /// </summary>
    public async IAsyncEnumerable<AuditEvent> FollowAsync([EnumeratorCancellation] CancellationToken cancellation)
    {
        var lines = new AuditLineBuffer();
        var events = new List<AuditEvent>();
        FileStream? stream = TryOpen(config.File);
        stream?.Seek(0, SeekOrigin.End);
        try
        {
            while (true)
            {
                stream ??= TryOpen(config.File);
                if (stream is not null)
                {
                    int read;
                    while ((read = lines.Fill(stream)) > 0)
                    {
                        Parse(lines, events);
                        foreach (AuditEvent e in events)
                        {
                            yield return e;
                        }

                        events.Clear();
                    }

                    if (Replaced(stream))
                    {
                        await stream.DisposeAsync().ConfigureAwait(false);
                        stream = null;
                        lines.Clear();
                        continue;
                    }
                }

                await Task.Delay(PollInterval, time, cancellation).ConfigureAwait(false);
            }
        }
        finally
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static void Parse(AuditLineBuffer lines, List<AuditEvent> events)
    {
        while (lines.TryReadLine(out ReadOnlySpan<byte> line))
        {
            if (AuditEventJson.TryRead(line, out AuditEvent e))
            {
                events.Add(e);
            }
        }
    }

    private static FileStream? TryOpen(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    // The writer renames the live file on rotation, so the open handle keeps the old file
    // (read to its end by now). The path is looked at before the handle: if the handle's file
    // grew meanwhile there is more to read; if it shrank it was truncated; otherwise a live
    // path of another length is another file (the rotated-in one, or one replaced by hand).
    private static bool Replaced(FileStream stream)
    {
        var live = new FileInfo(stream.Name);
        long liveLength = live.Exists ? live.Length : -1;
        long handleLength = stream.Length;
        if (handleLength != stream.Position)
        {
            return handleLength < stream.Position;
        }

        return liveLength != handleLength;
    }
}
